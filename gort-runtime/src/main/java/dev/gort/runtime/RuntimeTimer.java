package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A potentially repeating trigger for {@code f(arg, seq, delay)}: Go's {@code timer}
 * (time.go, Go 1.23+). Each P has a heap of timers ({@link Timers}).
 *
 * <h2>Locking and state (Go's)</h2>
 * {@code mu} (this SpinLock) protects every field; a snapshot of the state bits is
 * published in {@code astate} at unlock so the heap's owner can skip unmodified timers
 * without locking them. Lock order: a P's timers lock, then a timer's lock. A timer
 * in a heap is not moved when modified or stopped: it is marked {@code timerModified} (and
 * {@code timerZombie} when stopped) and the owning P fixes its heap lazily (adjust,
 * cleanHead, run). So modifying a timer never takes another P's lock.
 *
 * <h2>Channel timers (Go 1.23 semantics)</h2>
 * A timer feeding a channel ({@code Time.after}, {@code Timer}, {@code Ticker}) uses a
 * one-slot buffer that the channel reports as unbuffered ({@code cap() == 0}). It is kept
 * in a heap only while some goroutine is blocked on the channel ({@code blocked > 0});
 * otherwise receivers run it lazily ({@link #maybeRunChan}) when they look at the channel.
 * So an unreferenced timer is garbage, and an unstopped ticker nobody reads does not keep
 * the program from being seen deadlocked. Stop and reset bump {@code seq} under
 * {@code sendLock} and drain the buffer: after they return no stale value is received.
 *
 * <h2>Fake timers (Go 1.25's synctest)</h2>
 * A timer made by a goroutine of a synctest bubble ({@link #bubble}, Go's {@code isFake})
 * goes into its bubble's heap instead of a P's, runs on the bubble's clock, and is run by
 * the bubble's root when the bubble's time advances ({@link SynctestBubble}); one armed to
 * fire at once runs in the goroutine that armed it (modify). No M of the scheduler waits
 * for it, so it never wakes the poller.
 */
final class RuntimeTimer extends SpinLock {
    // state bits (Go's timerHeaped, timerModified, timerZombie)
    static final int TIMER_HEAPED = 1;
    static final int TIMER_MODIFIED = 2;
    static final int TIMER_ZOMBIE = 4;

    /** Go's maxWhen. */
    static final long MAX_WHEN = Long.MAX_VALUE;

    private static final VarHandle ASTATE;
    private static final VarHandle IS_SENDING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ASTATE = l.findVarHandle(RuntimeTimer.class, "astate", int.class);
            IS_SENDING = l.findVarHandle(RuntimeTimer.class, "isSending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a timer does when it fires. Runs without the timer's or the heap's lock. */
    @FunctionalInterface
    interface Func {
        void run(Object arg, long seq, long delay);
    }

    @SuppressWarnings("unused") // through ASTATE
    private volatile int astate;
    int state;
    /** Immutable: the timer feeds a channel. */
    final boolean isChan;
    /** Goroutines blocked on the timer's channel. */
    int blocked;
    long when;
    long period;
    Func f;
    Object arg;
    long seq;
    /** The heap containing this timer, or null. */
    Timers ts;
    /** Protects sends on the timer's channel. */
    final SpinLock sendLock;
    /** Incremented (under mu) when about to send, decremented (under sendLock) after. */
    @SuppressWarnings("unused") // through IS_SENDING
    private volatile int isSending;
    /** For a goroutine's own sleep timer: when the current sleep ends (Go: gp.sleepWhen). */
    long sleepWhen;
    /**
     * Go's t.isFake, and the bubble it is fake in: the synctest bubble whose goroutine made
     * this timer (a sleep, {@code Timer}, {@code Ticker}, {@code After}, {@code AfterFunc}),
     * or null. Such a timer runs on its bubble's clock, in its bubble's heap, run by the
     * bubble's root ({@link SynctestBubble}); only goroutines of a bubble may stop or reset
     * it. Immutable.
     */
    final SynctestBubble bubble;

    RuntimeTimer(Func f, Object arg, HChan c) {
        this(f, arg, c, null);
    }

    RuntimeTimer(Func f, Object arg, HChan c, SynctestBubble bubble) {
        this.f = f;
        this.arg = arg;
        this.bubble = bubble;
        this.isChan = c != null;
        this.sendLock = c != null ? new SpinLock.Plain() : null;
        if (c != null) {
            if (c.dataqsiz == 0) {
                throw Throw.fatalThrow("invalid timer channel: no capacity");
            }
            c.timer = this;
        }
    }

    @Override
    public String toString() {
        return "timer{when=" + when + ", period=" + period + "}";
    }

    /** Go's t.unlock: publish the state bits, then release. */
    void unlockT() {
        ASTATE.setRelease(this, state);
        unlock();
    }

    int astate() {
        return (int) ASTATE.getAcquire(this);
    }

    private HChan hchan() {
        if (!isChan) {
            throw Timers.badTimer();
        }
        return (HChan) arg;
    }

    /**
     * Go's t.updateHeap: t is the head of its heap; fix it after a modification. Returns
     * whether it changed (the head was deleted or moved). t and t.ts locked.
     */
    boolean updateHeap() {
        Timers ts = this.ts;
        if (ts == null || ts.heap[0] != this) {
            throw Timers.badTimer();
        }
        if ((state & TIMER_ZOMBIE) != 0) {
            state &= ~(TIMER_HEAPED | TIMER_ZOMBIE | TIMER_MODIFIED);
            ts.zombies.getAndAdd(-1);
            ts.deleteMin();
            return true;
        }
        if ((state & TIMER_MODIFIED) != 0) {
            state &= ~TIMER_MODIFIED;
            ts.heapWhen[0] = when;
            ts.siftDown(0);
            ts.updateMinWhenHeap();
            return true;
        }
        return false;
    }

    /**
     * Go's t.stop: stop the timer; reports whether it was pending (had not fired, or, for
     * a channel timer, had a value waiting in its channel).
     */
    boolean stop() {
        if (isChan) {
            sendLock.lock();
        }
        lock();
        if ((state & TIMER_HEAPED) != 0) {
            state |= TIMER_MODIFIED;
            if ((state & TIMER_ZOMBIE) == 0) {
                state |= TIMER_ZOMBIE;
                ts.zombies.getAndAdd(1);
            }
        }
        boolean pending = when > 0;
        long wasWhen = when;
        when = 0;
        if (isChan) {
            // Stop any future sends with stale values (see unlockAndRun).
            seq++;
            // A send in progress is prevented by the seq bump: the timer was stopped.
            if (period == 0 && (int) IS_SENDING.getVolatile(this) > 0) {
                pending = true;
            }
        }
        unlockT();
        if (pending && bubble == null) {
            Netpoll.timerGone(wasWhen);
        }
        if (isChan) {
            sendLock.unlock();
            if (timerchandrain(hchan())) {
                pending = true;
            }
        }
        return pending;
    }

    /**
     * Go's t.modify: (re)arm the timer for when (and every period after, if > 0); f/arg/seq
     * replaced when f is non-null. Reports whether the timer was pending before.
     */
    boolean modify(long when, long period, Func f, Object arg, long seq) {
        if (when <= 0) {
            throw Throw.fatalThrow("timer when must be positive");
        }
        if (period < 0) {
            throw Throw.fatalThrow("timer period must be non-negative");
        }
        if (isChan) {
            sendLock.lock();
        }
        lock();
        long oldPeriod = this.period;
        this.period = period;
        if (f != null) {
            this.f = f;
            this.arg = arg;
            this.seq = seq;
        }
        boolean wake = false;
        boolean pending = this.when > 0;
        this.when = when;
        if ((state & TIMER_HEAPED) != 0) {
            state |= TIMER_MODIFIED;
            if ((state & TIMER_ZOMBIE) != 0) {
                ts.zombies.getAndAdd(-1);
                state &= ~TIMER_ZOMBIE;
                // Not in Go: its time may have been invisible to the Ms (revivedZombie).
                wake = true;
            }
            // The corresponding heap[i].when is updated later. See comment in type timer.
            long min = ts.minWhenModified.get();
            if (min == 0 || when < min) {
                wake = true;
                // Force timerModified bit out to t.astate before updating t.minWhenModified,
                // to synchronize with t.ts.adjust.
                ASTATE.setRelease(this, state);
                ts.updateMinWhenModified(when);
            }
        }
        boolean add = needsAdd();
        SynctestBubble b = bubble;
        if (add && b != null) {
            // If this is a bubbled timer scheduled to fire immediately, run it now rather
            // than waiting for the bubble's timer scheduler. This avoids deferring timer
            // execution until after the bubble becomes durably blocked. (Bubbled timers are
            // made by the time package only, and safe to run in the current goroutine: one
            // of the bubble, checked by the callers.)
            long now = b.now;
            if ((state & TIMER_HEAPED) == 0 && when <= now) {
                if (isChan) {
                    sendLock.unlock();
                }
                unlockAndRun(now);
                return pending;
            }
        }
        if (isChan) {
            // Stop any future sends with stale values.
            this.seq++;
            if (oldPeriod == 0 && (int) IS_SENDING.getVolatile(this) > 0) {
                pending = true;
            }
        }
        unlockT();
        if (isChan) {
            if (timerchandrain(hchan())) {
                pending = true;
            }
            sendLock.unlock();
        }
        if (add) {
            maybeAdd();
        }
        if (wake && b == null) { // (a bubble's timers wait for its root, not for an M)
            Netpoll.wakeNetPoller(when);
        }
        return pending;
    }

    /** Go's t.reset. */
    boolean reset(long when, long period) {
        return modify(when, period, null, null, 0);
    }

    /** Go's t.needsAdd: t is armed and in no heap (a channel timer only while blocked on). t locked. */
    boolean needsAdd() {
        return (state & TIMER_HEAPED) == 0 && when > 0 && (!isChan || blocked > 0);
    }

    /**
     * Go's t.maybeAdd: add t to the current P's heap if it needs adding (a plain thread
     * without a P uses some P's heap: any heap is correct, it is locked); a fake timer to
     * its bubble's heap. Called without t's lock.
     */
    void maybeAdd() {
        M mp = null;
        Timers ts;
        if (bubble != null) {
            ts = bubble.timers;
        } else {
            mp = Current.m();
            P own = mp != null ? mp.p : null; // read once: see Sema.canSpin
            P pp = own != null ? own : Timers.anyP();
            if (pp == null) {
                // Every way to arm a timer starts the runtime first (TimeRt), so there are Ps.
                throw Throw.fatalThrow("maybeAdd: timer armed before the runtime started");
            }
            ts = pp.timers;
        }
        ts.lock.lock();
        ts.cleanHead();
        lock();
        long w = 0;
        boolean wake = false;
        if (needsAdd()) {
            state |= TIMER_HEAPED;
            w = when;
            long wakeTime = ts.wakeTime();
            wake = wakeTime == 0 || w < wakeTime;
            ts.addHeap(this);
        }
        unlockT();
        ts.lock.unlock();
        if (wake && bubble == null && (mp == null || mp.ctl == null)) {
            // (A controlled run's timers are on its controller's private P, and a bubble's
            // in its own heap, on fake clocks: no M of the scheduler waits for them.)
            Netpoll.wakeNetPoller(w);
        }
    }

    /**
     * Go's t.unlockAndRun: run t, which has expired; reschedule it if periodic. t is locked
     * and so is t.ts (if any); both are unlocked around f and t.ts is locked again on
     * return.
     */
    void unlockAndRun(long now) {
        if ((state & (TIMER_MODIFIED | TIMER_ZOMBIE)) != 0) {
            throw Timers.badTimer();
        }
        Func fn = this.f;
        Object a = this.arg;
        long s = this.seq;
        long next;
        long delay = now - when;
        if (period > 0) {
            // Leave in heap but adjust next time to fire.
            next = when + period * (1 + delay / period);
            if (next < 0) { // check for overflow.
                next = MAX_WHEN;
            }
        } else {
            next = 0;
        }
        Timers tsHere = this.ts;
        when = next;
        if ((state & TIMER_HEAPED) != 0) {
            state |= TIMER_MODIFIED;
            if (next == 0) {
                state |= TIMER_ZOMBIE;
                tsHere.zombies.getAndAdd(1);
            }
            updateHeap();
        }
        if (isChan && period == 0) {
            // Tell Stop/Reset that we are sending a value.
            if ((int) IS_SENDING.getAndAdd(this, 1) + 1 < 0) {
                throw Throw.fatalThrow("too many concurrent timer firings");
            }
        }
        unlockT();
        if (tsHere != null) {
            tsHere.lock.unlock();
        }
        if (isChan) {
            // Hold sendLock across the send, so that Stop/Reset, which take it, see either
            // the value in the channel or the bumped seq.
            sendLock.lock();
            if (period == 0 && (int) IS_SENDING.getAndAdd(this, -1) - 1 < 0) {
                throw Throw.fatalThrow("mismatched isSending updates");
            }
            if (this.seq != s) {
                fn = (x, y, z) -> {}; // stale: the timer was stopped or reset meanwhile
            }
        }
        fn.run(a, s, delay);
        if (isChan) {
            sendLock.unlock();
        }
        if (tsHere != null) {
            tsHere.lock.lock();
        }
    }

    /**
     * Go's t.maybeRunChan: a channel op on c looks at its timer: if it is not in a heap and
     * has expired, run it now (the value appears as if sent on time), on the timer's clock
     * ({@link FakeTime#timerNanotime}: a fake timer's channel is its bubble's, which only
     * its goroutines touch, checked before by the channel's association).
     */
    void maybeRunChan() {
        int s = astate();
        if ((s & TIMER_HEAPED) != 0) {
            // If the timer is in the heap, the ordinary timer code is in charge of sending
            // when appropriate.
            if ((s & TIMER_ZOMBIE) == 0 || !sweepDueZombie()) {
                return;
            }
        }
        lock();
        long now = FakeTime.timerNanotime(this);
        if ((state & TIMER_HEAPED) != 0 || when == 0 || when > now) {
            unlockT();
            return;
        }
        unlockAndRun(now);
    }

    /**
     * A channel timer nobody waits on any longer is a zombie still in its heap; if it is due,
     * drop the zombies of that heap now (Go's ts.adjust, forced), so that maybeRunChan can
     * run it. Returns whether t left the heap.
     *
     * <p>Differences from Go: in Go the zombie's time is its heap's wake time, so some M
     * wakes then, checks that heap and drops it before anyone looks at the channel. Here a
     * heap of zombies only has no wake time ({@link Timers#wakeTime}): on a P that is idle,
     * nobody would ever drop it, and a due tick would never be seen (Ticker.c().tryRecv()
     * after a sleep returning nothing). The channel operation sweeps that heap itself; it
     * costs a heap lock, only when a due zombie is found.
     */
    private boolean sweepDueZombie() {
        Timers heapTs = ts; // racy: checked again under the heap's lock
        if (heapTs == null || when <= 0 || when > FakeTime.timerNanotime(this)) {
            return false;
        }
        heapTs.lock.lock();
        try {
            if (ts == heapTs && (astate() & (TIMER_HEAPED | TIMER_ZOMBIE)) == (TIMER_HEAPED | TIMER_ZOMBIE)) {
                heapTs.adjust(FakeTime.timerNanotime(this), true);
            }
        } finally {
            heapTs.lock.unlock();
        }
        return (astate() & TIMER_HEAPED) == 0;
    }

    /** Go's blockTimerChan: a goroutine is about to block on the timer's channel c. */
    static void blockTimerChan(HChan c) {
        RuntimeTimer t = c.timer;
        t.lock();
        if (!t.isChan) {
            throw Timers.badTimer();
        }
        t.blocked++;
        // If this is the first enqueue after a recent dequeue, the timer may still be in
        // the heap but marked as a zombie. Unmark it in this case, if the timer is still
        // pending.
        long revived = 0;
        if ((t.state & TIMER_HEAPED) != 0 && (t.state & TIMER_ZOMBIE) != 0 && t.when > 0) {
            t.state &= ~TIMER_ZOMBIE;
            t.ts.zombies.getAndAdd(-1);
            revived = t.when;
        }
        boolean add = t.needsAdd();
        t.unlockT();
        if (add) {
            t.maybeAdd();
        }
        if (revived != 0 && t.bubble == null) {
            revivedZombie(revived);
        }
    }

    /**
     * A zombie still in its heap, due at when, was made live again (blockTimerChan, modify):
     * wake the poller as for an added timer (Go's t.maybeAdd, wakeNetPoller). t unlocked.
     *
     * <p>
     * Differences from Go: in Go a zombie still in the heap keeps its time in the heap's wake
     * time, so reviving it needs no wake-up: an M already waits for that time, or will find
     * it. Here a heap of zombies only has no wake time (Timers.wakeTime), and making the
     * last live timer a zombie breaks the M blocked in netpoll for it (Netpoll.timerGone):
     * that M looks again, sees no wake time, and stops. Reviving the timer then makes the
     * heap's wake time appear again, unseen by any M: without a wake-up the timer never
     * fires (a plain thread's second Ticker.c().recv() hung forever: its first receive made
     * the ticker a zombie, the second revived it). So a revived timer is treated as added:
     * wakeNetPoller(when), as maybeAdd does (Go's t.maybeAdd), which costs nothing when the
     * blocked M already waits for that time or earlier.
     */
    static void revivedZombie(long when) {
        Netpoll.wakeNetPoller(when);
    }

    /** Go's unblockTimerChan: a goroutine stopped blocking on the timer's channel c. */
    static void unblockTimerChan(HChan c) {
        RuntimeTimer t = c.timer;
        t.lock();
        if (!t.isChan || t.blocked == 0) {
            throw Timers.badTimer();
        }
        t.blocked--;
        if (t.blocked == 0 && (t.state & TIMER_HEAPED) != 0 && (t.state & TIMER_ZOMBIE) == 0) {
            // Last goroutine that was blocked on this timer. Mark for removal from heap but
            // retain timerHeaped so that the heap and the timer agree.
            t.state |= TIMER_ZOMBIE;
            t.ts.zombies.getAndAdd(1);
            long when = t.when;
            t.unlockT();
            if (t.bubble == null) {
                Netpoll.timerGone(when);
            }
            return;
        }
        t.unlockT();
    }

    /**
     * Go's timerchandrain: remove all elements of the timer channel's buffer; reports
     * whether any were removed. Only for timer channels, whose sends are all non-blocking.
     */
    static boolean timerchandrain(HChan c) {
        if (c.qcountAcquire() == 0) {
            return false;
        }
        c.lock();
        boolean any = false;
        while (c.qcount > 0) {
            any = true;
            c.buf[c.recvx] = null;
            if (++c.recvx == c.dataqsiz) {
                c.recvx = 0;
            }
            c.setQcount(c.qcount - 1);
        }
        c.unlock();
        return any;
    }
}
