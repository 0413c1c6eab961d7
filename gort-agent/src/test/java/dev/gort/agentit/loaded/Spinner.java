package dev.gort.agentit.loaded;

/**
 * Loaded by IsolatedLoader through a class loader that does not delegate to the system
 * class loader: its injected checks must still reach gort's hooks.
 */
public final class Spinner implements Runnable {
    public static volatile boolean stop;
    public static volatile boolean running;

    @Override
    public void run() {
        running = true;
        long x = 1;
        while (!stop) {
            x = x * 31 + 7;
        }
        running = x != 42;
    }
}
