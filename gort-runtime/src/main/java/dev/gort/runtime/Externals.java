package dev.gort.runtime;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The plain Java threads that have used gort (started a goroutine, or used a channel,
 * select, sync or time operation). A JVM program is not all goroutines: while such a
 * thread is alive it may still wake a goroutine, so the deadlock detector reports nothing
 * (docs/api.md, "Runs, deaths and deadlocks"). Threads waiting inside {@code Gort.run} are set
 * aside: they can wake no one. So are threads blocked in a gort operation (a channel,
 * select, lock or sleep): only gort can wake them (a goroutine, a timer, or another thread
 * that the detector counts while it lives), so until then they wake no one either. A
 * thread left blocked for good on the channel of a run that is over (a test's helper, a
 * controlled run's stray sender) would otherwise keep every later deadlock unreported.
 *
 * <p>Dead threads are pruned when the detector looks, and every 1024 registrations, so a
 * program that churns threads and never idles does not accumulate them.
 */
final class Externals {
    private Externals() {}

    private static final Set<ExternalG> registered = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger registrations = new AtomicInteger();
    private static final int PRUNE_EVERY = 1024;

    static void register(ExternalG g) {
        registered.add(g);
        if (registrations.incrementAndGet() % PRUNE_EVERY == 0) {
            liveUser();
        }
    }

    static void forget(ExternalG g) {
        registered.remove(g);
    }

    /**
     * A live registered thread not waiting inside a run or blocked in a gort operation, or
     * null if none. Prunes dead ones. sched.lock held by the detector: a blocked thread is
     * made runnable only by something running (an M, a timer's M, a live thread), which
     * the detector sees.
     */
    static Thread liveUser() {
        Thread found = null;
        for (Iterator<ExternalG> it = registered.iterator(); it.hasNext(); ) {
            ExternalG g = it.next();
            if (!g.thread.isAlive()) {
                it.remove();
            } else if (found == null && g.inRun == 0 && (G.readgstatus(g) & ~G._Gscan) != G._Gwaiting) {
                found = g.thread;
            }
        }
        return found;
    }
}
