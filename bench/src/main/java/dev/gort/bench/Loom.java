package dev.gort.bench;

import java.util.concurrent.atomic.AtomicReference;

/** Helpers shared by the benchmarks. */
final class Loom {
    private Loom() {}

    /** The JVM flag gort (and the bare-continuation benchmarks) need at run time. */
    static final String ADD_EXPORTS = "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED";
    /** Heap for every fork, fixed so runs are comparable. */
    static final String XMX = "-Xmx4g";

    /** The value passed through channels and queues (a constant: no boxing in the hot loop). */
    static final Object ITEM = new Object();

    /**
     * Loom's counterpart of {@code Gort.run}: runs {@code main} in a fresh virtual thread and
     * waits for it, rethrowing what it threw. So both sides start from a lightweight thread
     * (the gort side from its main goroutine).
     */
    static void run(Runnable main) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                main.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error er) {
            throw er;
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    /** Interruptible blocking calls in Loom code that is never interrupted. */
    interface Blocking {
        void run() throws InterruptedException;
    }

    static void unchecked(Blocking b) {
        try {
            b.run();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T take(java.util.concurrent.BlockingQueue<T> q) {
        try {
            return q.take();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> void put(java.util.concurrent.BlockingQueue<T> q, T v) {
        try {
            q.put(v);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
