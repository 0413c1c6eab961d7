package dev.gort.sync;

import dev.gort.Gort;
import dev.gort.Panic;
import dev.gort.runtime.Rt;
import dev.gort.runtime.SyncRt;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Go's {@code sync.WaitGroup} (sync/waitgroup.go): waits for a collection of goroutines to
 * finish. The state word holds the counter (high 32 bits) and the number of waiters (low
 * 32 bits); waiters sleep on a semaphore released once per waiter when the counter
 * reaches zero. The zero value is ready to use.
 *
 * <p>In a controlled run (dev.gort.explore), a WaitGroup made by one of its goroutines has
 * {@link #CONTROLLED} set, the bit of the waiter word Go 1.25 uses to mark a WaitGroup of
 * a synctest bubble: then every Add, Done and Wait is a scheduling point (tested on the
 * state word each operation reads anyway).
 */
public class WaitGroup {
    /** Not counted among the waiters (they are the low 31 bits): the WaitGroup belongs to a controlled run. */
    static final long CONTROLLED = 0x8000_0000L;

    private final AtomicLong state = new AtomicLong(SyncRt.controlled() ? CONTROLLED : 0);
    private final Object sema = SyncRt.newSema();

    public WaitGroup() {}

    /**
     * {@code wg.Add}: adds delta (which may be negative) to the counter; at zero, every
     * waiter is released.
     *
     * @throws Panic "sync: negative WaitGroup counter"
     */
    public void add(int delta) {
        long st = state.addAndGet((long) delta << 32);
        int v = (int) (st >> 32);
        int w = (int) (st & 0x7fffffff);
        if (v < 0) {
            state.addAndGet(-((long) delta << 32)); // undo: the WaitGroup stays usable
            throw new Panic("sync: negative WaitGroup counter");
        }
        if (w != 0 && delta > 0 && v == delta) {
            throw new Panic("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        if (v > 0 || w == 0) {
            if ((st & CONTROLLED) != 0) {
                SyncRt.yieldPoint(); // controlled: a scheduling point after the change
            }
            return;
        }
        // This goroutine has set counter to 0 when waiters > 0. Now there can't be
        // concurrent mutations of state: Adds must not happen concurrently with Wait, and
        // Wait does not increment waiters if it sees counter == 0. Still do a cheap sanity
        // check to detect WaitGroup misuse.
        if (state.get() != st) {
            throw new Panic("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        // Reset waiters count to 0.
        state.set(st & CONTROLLED);
        for (; w != 0; w--) {
            SyncRt.semrelease(sema, false);
        }
    }

    /** {@code wg.Done}: decrements the counter by one. */
    public void done() {
        add(-1);
    }

    /** {@code wg.Wait}: blocks until the counter is zero. */
    public void await() {
        boolean yielded = false;
        for (;;) {
            long st = state.get();
            if ((st & CONTROLLED) != 0 && !yielded) {
                SyncRt.yieldPoint(); // controlled: a scheduling point before the look
                yielded = true;
                continue;
            }
            int v = (int) (st >> 32);
            if (v == 0) {
                // Counter is 0, no need to wait.
                return;
            }
            // Increment waiters count.
            if (state.compareAndSet(st, st + 1)) {
                SyncRt.semacquireWaitGroup(sema);
                if ((state.get() & ~CONTROLLED) != 0) {
                    throw new Panic("sync: WaitGroup is reused before previous Wait has returned");
                }
                return;
            }
        }
    }

    /**
     * {@code wg.Go}: runs f in a new goroutine and counts it: {@code add(1)}, then
     * {@code done()} when f returns (or calls Gort.goexit). If f throws, the throwable kills
     * the run, as Go re-panics without calling Done.
     */
    public void go(Runnable f) {
        if (f == null) {
            throw new NullPointerException("go of nil func value");
        }
        add(1);
        boolean started = false;
        try {
            Gort.go(() -> {
                try {
                    f.run();
                } catch (RuntimeException | Error t) {
                    if (Rt.isGoexit(t)) {
                        done();
                    }
                    throw t;
                }
                done();
            });
            started = true;
        } finally {
            if (!started) {
                done(); // Go's go statement cannot fail; Java's can (a StackOverflowError): no goroutine, no count
            }
        }
    }
}
