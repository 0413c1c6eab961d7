package dev.gort.agentit;

import dev.gort.Gort;
import dev.gort.time.Time;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;

/**
 * Run by AgentIT with {@code maxprocs=1}: a class defined by a loader whose parent is the
 * boot loader (as application servers' and plugin loaders isolate their classes from the
 * class path) spins in a goroutine; the main goroutine's timer can only fire if the
 * spinner's injected checks reach gort's hooks from that loader.
 */
public final class IsolatedLoader {
    public static void main(String[] args) throws Exception {
        URL classes = IsolatedLoader.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader isolated = new URLClassLoader(new URL[] {classes}, null)) {
            Class<?> spinner = isolated.loadClass("dev.gort.agentit.loaded.Spinner");
            if (spinner.getClassLoader() != isolated) {
                throw new IllegalStateException("not isolated: " + spinner.getClassLoader());
            }
            Runnable r = (Runnable) spinner.getConstructor().newInstance();
            var stop = spinner.getField("stop");
            Gort.main(() -> {
                Gort.go(r);
                Gort.gosched();
                Time.sleep(Duration.ofMillis(1));
                try {
                    stop.setBoolean(null, true);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                System.out.println("timer fired while an isolated class spun");
            });
        }
    }
}
