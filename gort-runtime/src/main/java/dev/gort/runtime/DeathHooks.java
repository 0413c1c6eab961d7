package dev.gort.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What runs when a run dies (a panic, a fatal error, a deadlock: {@link Run#die}) or the
 * runtime throws ({@link Throw}): after the report is printed, before anybody hears of the
 * death, so before {@code Gort.run} throws (and {@code Gort.main} exits the JVM) and before
 * Throw halts it. The tracing switches save their trace here: {@code gort.trace} ends the
 * generation under way, so the file holds whole generations up to the death; the agent's
 * {@code flight=FILE} writes the flight recorder's window. Go has no such hook: its process
 * dies with the report, and its tracer is not saved.
 *
 * <p>A hook must not hold the death up for long nor break it. The hooks run in order on a
 * daemon thread of their own, each failure reported in one line on stderr, and the dying
 * thread waits for them at most {@link #TIMEOUT_MILLIS}. Rejected: running them on the
 * dying thread (a hook that hangs or throws would hang or break the death). A death on the
 * hooks' own thread (a Throw from a hook's runtime call) runs no hooks: they are the cause.
 * Deaths at once each run the hooks; a hook that must not run twice at once serializes
 * itself.
 */
final class DeathHooks {
    private DeathHooks() {}

    /**
     * How long a death waits for its hooks: writing a default flight window (10 MiB) takes
     * well under a second on any disk; ten seconds more than covers a slow one, and a hung
     * hook still ends long before a user would take the program for hung.
     */
    static final long TIMEOUT_MILLIS = 10_000;

    private static final List<Runnable> hooks = new CopyOnWriteArrayList<>();
    private static final ThreadLocal<Boolean> onHookThread = new ThreadLocal<>();

    static void add(Runnable hook) {
        hooks.add(hook);
    }

    /** For tests. */
    static void remove(Runnable hook) {
        hooks.remove(hook);
    }

    /** Runs the hooks, waiting at most TIMEOUT_MILLIS; never throws. */
    static void run() {
        run(hooks, TIMEOUT_MILLIS);
    }

    /** run with the hooks and the time limit given (tests). */
    static void run(List<Runnable> hooks, long timeoutMillis) {
        if (hooks.isEmpty() || onHookThread.get() != null) {
            return;
        }
        Thread t = Thread.ofPlatform().daemon().name("gort-death-hooks").unstarted(() -> runAll(hooks));
        t.start();
        boolean interrupted = false;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        for (;;) {
            long left = deadline - System.nanoTime();
            if (!t.isAlive()) {
                break;
            }
            if (left <= 0) {
                Env.warn("the hooks run at a death (saving the execution trace) did not finish in "
                        + timeoutMillis + " ms; going on without them");
                break;
            }
            try {
                t.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true; // the death goes on; the interrupt is kept for the thread
            }
        }
        if (interrupted) {
            Current.thread().interrupt(); // Current: the dying thread may be an M (its goroutine's thread)
        }
    }

    private static void runAll(List<Runnable> hooks) {
        onHookThread.set(Boolean.TRUE);
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (Throwable e) {
                Env.warn("a hook run at a death failed: " + e);
            }
        }
    }
}
