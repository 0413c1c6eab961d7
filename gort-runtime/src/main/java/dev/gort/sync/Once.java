package dev.gort.sync;

/**
 * Go's {@code sync.Once}: runs a function exactly once; every caller returns after that
 * one run has finished. If the function throws, the Once still counts as done (Go's
 * deferred {@code done.Store(true)}).
 */
public class Once {
    private volatile boolean done;
    private final Mutex m = new Mutex();

    public Once() {}

    /** {@code o.Do(f)}. */
    public void run(Runnable f) {
        // Note: the fast path is a single volatile load; the slow path takes the mutex so
        // that callers wait until f has returned (a CAS alone would let the losers return
        // before f finished).
        if (!done) {
            doSlow(f);
        }
    }

    private void doSlow(Runnable f) {
        m.lock();
        try {
            if (!done) {
                try {
                    f.run();
                } finally {
                    done = true;
                }
            }
        } finally {
            m.unlock();
        }
    }
}
