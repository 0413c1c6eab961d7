package dev.gort.sync;

import dev.gort.Gort;
import dev.gort.Panic;
import dev.gort.runtime.Rt;
import dev.gort.runtime.SyncRt;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Go's {@code sync.WaitGroup} (sync/waitgroup.go): waits for a collection of goroutines to
 * finish. The state word holds the counter (high 32 bits) and the number of waiters (low
 * 31 bits); waiters sleep on a semaphore released once per waiter when the counter
 * reaches zero. The zero value is ready to use.
 *
 * <h2>Bubbles and controlled runs</h2>
 * A WaitGroup made inside a synctest bubble or a controlled run (dev.gort.explore) has
 * {@link #assoc} set, and bit 31 of its state, Go 1.25's {@code waitGroupBubbleFlag}; a
 * WaitGroup made anywhere else has neither, and its operations test only that field of
 * the object they work on.
 * <ul>
 *   <li>Synctest, by Go's rules: the WaitGroup is associated with a bubble (Go's special
 *       record): made in a bubble, it starts associated with it; Add or Go from outside
 *       its bubble while it is associated is Go's fatal error; Wait inside its bubble
 *       blocks durably; the association ends when the counter returns to zero with
 *       waiters, or when Wait finds it idle, and the next Add inside a bubble makes a new
 *       one.</li>
 *   <li>Controlled runs: every Add, Done and Wait is a scheduling point.</li>
 * </ul>
 *
 * <p>Differences from Go: Go associates a WaitGroup at its first Add in a bubble, wherever
 * it was declared; gort decides whether a WaitGroup can be associated at all when it is
 * made (testing the caller's bubble on every Add would cost each Add of every program a
 * read of the current goroutine). So a WaitGroup made outside any bubble is never
 * associated, as Go's own WaitGroups in package variables are not (synctest's "technical
 * limitation"): Add inside a bubble is not checked, and Wait inside one is not durably
 * blocking.
 */
public class WaitGroup {
    /** Go's waitGroupBubbleFlag: made in a bubble or a controlled run (not counted among the waiters: the low 31 bits). */
    static final long BUBBLE = 0x8000_0000L;
    /** {@link #assoc} of a WaitGroup that can be associated and is not. */
    private static final Object NONE = new Object();

    private static final VarHandle ASSOC;

    static {
        try {
            ASSOC = MethodHandles.lookup().findVarHandle(WaitGroup.class, "assoc", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Object sema = SyncRt.newSema();
    /**
     * null: made outside any bubble and controlled run (the plain paths); else the synctest
     * bubble it is associated with (an opaque handle), or {@link #NONE}. Plain reads, CAS
     * through ASSOC; set before the state add that follows the association.
     */
    @SuppressWarnings("unused") // also through ASSOC
    private Object assoc = initialAssoc();
    private final AtomicLong state = new AtomicLong(assoc != null ? BUBBLE : 0);

    public WaitGroup() {}

    private static Object initialAssoc() {
        Object b = SyncRt.bubble();
        if (b != null) {
            return b;
        }
        return SyncRt.controlled() ? NONE : null;
    }

    /**
     * {@code wg.Add}: adds delta (which may be negative) to the counter; at zero, every
     * waiter is released.
     *
     * @throws Panic "sync: negative WaitGroup counter"
     */
    public void add(int delta) {
        Object bubbled = assoc != null ? associate() : null;
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
            if ((st & BUBBLE) != 0) {
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
        state.set(st & BUBBLE);
        if (bubbled != null) {
            ASSOC.compareAndSet(this, bubbled, NONE); // Go: synctest.Disassociate(wg)
        }
        for (; w != 0; w--) {
            SyncRt.semrelease(sema, false);
        }
    }

    /**
     * Go's association steps of Add, before the add (synctest.IsInBubble,
     * synctest.Associate, and the test of the state for use outside the bubble): the
     * caller's bubble if the WaitGroup is (now) associated with it, null if the caller is
     * in no bubble. A fatal error returns only on a plain thread, which then throws it.
     */
    private Object associate() {
        Object mine = SyncRt.bubble();
        for (;;) {
            Object b = assoc;
            if (mine == null) {
                if (b != NONE) {
                    throw SyncRt.fatal("sync: WaitGroup.Add called from inside and outside synctest bubble");
                }
                return null;
            }
            if (b == mine) {
                return mine;
            }
            if (b != NONE) {
                throw SyncRt.fatal("sync: WaitGroup.Add called from multiple synctest bubbles");
            }
            if (ASSOC.compareAndSet(this, NONE, mine)) {
                // Go: state.Or(waitGroupBubbleFlag) returned a state in use outside any
                // bubble (an Add from inside one associates first).
                if ((state.get() & ~BUBBLE) != 0) {
                    ASSOC.compareAndSet(this, mine, NONE);
                    throw SyncRt.fatal("sync: WaitGroup.Add called from inside and outside synctest bubble");
                }
                return mine;
            }
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
            if ((st & BUBBLE) != 0 && !yielded) {
                SyncRt.yieldPoint(); // controlled: a scheduling point before the look
                yielded = true;
                continue;
            }
            int v = (int) (st >> 32);
            int w = (int) (st & 0x7fffffff);
            if (v == 0) {
                // Counter is 0, no need to wait.
                if (w == 0 && (st & BUBBLE) != 0) {
                    // Go: idle and associated with the caller's bubble: disassociate (the
                    // CAS checks that no Add came meanwhile).
                    Object b = assoc;
                    if (b != NONE && b == SyncRt.bubble() && state.compareAndSet(st, st)) {
                        ASSOC.compareAndSet(this, b, NONE);
                    }
                }
                return;
            }
            // Increment waiters count.
            if (state.compareAndSet(st, st + 1)) {
                // Go: durably blocking if the WaitGroup is associated with the caller's bubble.
                boolean synctestDurable = false;
                if ((st & BUBBLE) != 0) {
                    Object b = assoc;
                    synctestDurable = b != NONE && b != null && b == SyncRt.bubble();
                }
                SyncRt.semacquireWaitGroup(sema, synctestDurable);
                if ((state.get() & ~BUBBLE) != 0) {
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
