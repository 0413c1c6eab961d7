package dev.gort.runtime;

import dev.gort.Panic;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Go's synctestBubble (runtime/synctest.go, Go 1.25's testing/synctest): a set of
 * goroutines started by {@code synctest.Run}, with a fake clock that advances only when
 * every goroutine of the bubble is durably blocked.
 *
 * <h2>How (Go's algorithm)</h2>
 * The goroutines of a bubble run on the normal scheduler, on every P, like any others.
 * Each G points at its bubble ({@code G.bubble}, inherited by newproc1), and
 * {@link G#casgstatus} tells the bubble of every status change ({@link #changegstatus}),
 * which keeps two counters under {@link #mu}: {@link #total} goroutines, and
 * {@link #running} ones: those not durably blocked, that is running, runnable, in a
 * syscall, or parked for a reason that something outside the bubble could end (a mutex,
 * I/O; {@link WaitReason#idleInSynctest} says which reasons are durable). {@link #active}
 * keeps the bubble awake while the runtime is between states: park_m holds it from before
 * the status change until the park's unlockf has run (a park it refuses never looked
 * durable), and a wake-up holds it until the woken goroutine has consumed it. When
 * running and active both reach 0, {@link #maybeWakeLocked} wakes one goroutine: the root
 * (the caller of Run) if a timer is due, else the caller of Wait if there is one, else the
 * root. The root ({@link #run}) then runs the bubble's due timers and parks again; woken
 * with nothing due and nothing woken, it advances {@link #now} to the next timer of the
 * bubble's own heap ({@link #timers}), or, with no timer or once the bubble's main
 * goroutine has exited, returns: normally if the main goroutine and every goroutine it
 * started have exited, or with Go's deadlock panic.
 *
 * <p>Timers made in a bubble are fake (Go's {@code isFake}: {@link RuntimeTimer#bubble}):
 * they live in the bubble's heap, on its clock, and only the root runs them, on its own
 * stack, so their functions (ready a sleeper, send on a timer channel, start an
 * AfterFunc goroutine) run in the bubble. A fake timer due at once runs in the goroutine
 * that armed it (RuntimeTimer.modify), and a timer channel's receiver runs its expired
 * timer (maybeRunChan). Channels ({@link ChanAssoc}), WaitGroups and Cond waiters of a
 * bubble refuse other goroutines with Go's fatal errors. The clock hooks ask
 * {@link FakeTime} which clock applies.
 *
 * <h2>Invariants</h2>
 * {@code total >= 0}, {@code running >= 0}, {@code active >= 0} (checked: a broken one is
 * a fatal error naming it); time never goes backwards; only the root writes {@link #now},
 * and only while every goroutine of the bubble is durably blocked (its reads are
 * then ordered by the wake-ups). {@link #mu} is a leaf: nothing else is locked under it, and
 * the goroutine to wake is readied after it is released (goready may take the scheduler's
 * locks).
 *
 * <h2>Cost to programs without bubbles</h2>
 * One plain field test of the G in casgstatus and park_m ({@code gp.bubble != null}, as
 * Go's), of the parent in newproc, of the waiter's G in a Cond's wake-ups, and of the
 * timer on timer paths; one more plain write in newproc1 and goexit0; the channel's one
 * association field ({@code HChan.assoc}), shared with controlled runs, and a type test
 * per case in a select. Objects that must learn the maker's bubble when made (channels,
 * WaitGroups) and the clock of new timers and {@code Time.now} ({@link FakeTime}) read one
 * plain static, the count of bubbles under way ({@link #anyLive}), and only while a bubble
 * exists the current goroutine: Go's {@code getg()} is free, gort's is a call that the JIT
 * may not inline (Current). No global volatile is read on any path, and no object grew
 * (the new fields of G, RuntimeTimer and WaitGroup fit in their alignment padding).
 *
 * <h2>Rejected</h2>
 * Running a bubble on the controller of controlled runs (Controlled), one goroutine at a
 * time on one M: that already has a virtual clock that advances when nothing can run, but
 * Go's bubbles run their goroutines in parallel on every P, under the normal scheduler's
 * nondeterministic orders (Go's own tests check that goroutines and timers due together
 * run in varying orders); code in a bubble may block non-durably (a mutex, a syscall, a
 * plain thread, the network), which the normal scheduler simply waits out and a
 * controlled run must refuse as uncontrolled; and the controller has no notion of durable
 * versus non-durable blocking, nor of Wait. Go's counters cost the programs without
 * bubbles one field test per status change, and reuse every mechanism as it is. Counting
 * the bubble's goroutines by scanning allgs when someone asks (Wait, the root): a race
 * with every wake-up, and a scan per question.
 *
 * <h2>Differences from Go</h2>
 * <ul>
 *   <li>The root runs the bubble's timers on its own (goroutine) stack, not on g0 with
 *       {@code g0.bubble} set, so the timer functions run in a goroutine of the bubble
 *       that is counted as running already.</li>
 *   <li>Timers due at the same instant run in heap order: Go draws a random tie-break per
 *       timer in a bubble (timer.rand), so that tests do not depend on that order.</li>
 *   <li>{@code Synctest.run} on a plain thread runs the root as the main goroutine of a
 *       run of its own ({@link ExploreRt#synctestRun}); a panic in a bubble goroutine then
 *       kills that run, as it would the Go program.</li>
 *   <li>WaitGroups are associable only when made in a bubble (sync.WaitGroup's comment).</li>
 *   <li>A bubble inside a controlled run (dev.gort.explore) works: its goroutines are the
 *       run's, one at a time; the bubble has its own clock, the run's goes on apart.</li>
 *   <li>Go's fatal errors (a bubble's channel used from outside, ...) end the run of the
 *       goroutine that made them, as every gort fatal error does, not the process; on a
 *       plain thread they are thrown.</li>
 *   <li>{@code Gort.run} inside a bubble starts a new program, whose main goroutine is
 *       not in the bubble (the caller's wait for it is not durable).</li>
 * </ul>
 */
final class SynctestBubble implements ChanAssoc {
    private static final AtomicLong bubbleGen = new AtomicLong(); // bubble ID counter

    private static final VarHandle LIVE;

    static {
        try {
            LIVE = MethodHandles.lookup().findStaticVarHandle(SynctestBubble.class, "live", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Bubbles whose Run call has not returned, and whose root's run has not died (its root
     * then never returns: {@link #runEnded}). Atomic adds (LIVE), plain reads: a goroutine
     * of a bubble is started after its bubble was counted (its creation, and the run queue
     * that hands it to an M, order the read after the add), so it never reads 0; anyone else
     * may read a stale value, and merely takes the slower path, or the faster one it would
     * have taken anyway.
     */
    @SuppressWarnings("unused") // also through LIVE
    private static int live;
    /** The bubbles counted in {@link #live}. */
    private static final Set<SynctestBubble> liveBubbles = ConcurrentHashMap.newKeySet();

    /** Go: bubble.mu. A leaf lock (see the class comment). */
    final RMutex mu = new RMutex();
    /** The bubble's own timer heap: its fake timers, run by the root. */
    final Timers timers = new Timers();
    /** Unique id (Go: bubble.id; goroutine headers show it). */
    final long id;
    /**
     * The fake clock: nanoseconds since the Unix epoch, from Go's synctestBaseTime. Written
     * by the root under mu while the bubble is idle; read by the bubble's goroutines.
     */
    volatile long now;
    /** Caller of Run. */
    final G root;
    /** Caller of Wait, while it is parked. mu. */
    private G waiter;
    /** The goroutine started by Run. Set before it can run. */
    G main;
    /** A goroutine is calling Wait. mu. */
    private boolean waiting;
    /** The main goroutine has exited. mu. */
    private boolean done;

    // The bubble is active (not blocked) so long as running > 0 || active > 0. All mu.
    /** Goroutines in the bubble, the root included. */
    private int total;
    /** Goroutines not durably blocked: running, runnable, or non-durably blocked (a syscall, a mutex). */
    private int running;
    /** Other sources of activity: a park under way, a wake-up not yet consumed (see the class comment). */
    private int active;

    private SynctestBubble(G root) {
        this.id = bubbleGen.incrementAndGet();
        this.root = root;
        this.total = 1;
        this.running = 1;
        this.now = FakeTime.BASE_TIME;
    }

    /**
     * The calling goroutine's bubble, or null: a plain static read while no bubble exists
     * (see {@link #live}), the current goroutine only while one does.
     */
    static SynctestBubble current() {
        if (live == 0) {
            return null;
        }
        M mp = Current.m();
        G gp = mp != null ? mp.curg : null;
        return gp != null ? gp.bubble() : null;
    }

    private void uncount() {
        if (liveBubbles.remove(this)) {
            LIVE.getAndAdd(-1);
        }
    }

    /**
     * Run r died or was retired (a controlled run's end): the bubbles whose root is one of
     * its goroutines are over, their goroutines frozen, though the root never returns from
     * Run; so that programs after them take the fast paths again, they stop counting.
     */
    static void runEnded(Run r) {
        if (live == 0) {
            return;
        }
        for (SynctestBubble b : liveBubbles) {
            if (b.root.run == r) {
                b.uncount();
            }
        }
    }

    /** Whether some bubble may exist (see {@link #live}: never false for a goroutine of a bubble). */
    static boolean anyLive() {
        return live != 0;
    }

    /**
     * Go's changegstatus: the non-lock status of gp, a goroutine of this bubble, changed
     * from oldval to newval (called by casgstatus after the CAS). Returns at once unless
     * the change starts, ends, durably blocks or wakes a goroutine.
     */
    void changegstatus(G gp, int oldval, int newval) {
        // Determine whether this change in status affects the idleness of the bubble. If
        // this isn't a goroutine starting, stopping, durably blocking, or waking up after
        // durably blocking, then return immediately without locking mu.
        int totalDelta = 0;
        boolean wasRunning = true;
        if (oldval == G._Gdead) {
            wasRunning = false;
            totalDelta++;
        } else if (oldval == G._Gwaiting && gp.waitreason.idleInSynctest) {
            wasRunning = false;
        }
        boolean isRunning = true;
        boolean exited = false;
        if (newval == G._Gdead) {
            isRunning = false;
            totalDelta--;
            exited = true;
        } else if (newval == G._Gwaiting && gp.waitreason.idleInSynctest) {
            isRunning = false;
        }
        // It's possible for wasRunning == isRunning while totalDelta != 0; for example, if
        // a new goroutine is created in a non-running state.
        if (wasRunning == isRunning && totalDelta == 0) {
            return;
        }
        G wake;
        mu.lock();
        try {
            if (exited && gp == main) {
                done = true;
            }
            total += totalDelta;
            if (wasRunning != isRunning) {
                if (isRunning) {
                    running++;
                } else {
                    running--;
                }
            }
            if (total < 0) {
                throw Throw.fatalThrow("total < 0");
            }
            if (running < 0) {
                throw Throw.fatalThrow("running < 0");
            }
            wake = maybeWakeLocked();
        } finally {
            mu.unlock();
        }
        if (wake != null) {
            Park.goready(wake);
        }
    }

    /** Go's incActive: the bubble does not become durably blocked while active is non-zero. */
    void incActive() {
        mu.lock();
        active++;
        mu.unlock();
    }

    /** Go's decActive. */
    void decActive() {
        G wake;
        mu.lock();
        try {
            active--;
            if (active < 0) {
                throw Throw.fatalThrow("active < 0");
            }
            wake = maybeWakeLocked();
        } finally {
            mu.unlock();
        }
        if (wake != null) {
            Park.goready(wake);
        }
    }

    /** Go's maybeWakeLocked: a goroutine to wake if the bubble is durably blocked. mu held. */
    private G maybeWakeLocked() {
        if (running > 0 || active > 0) {
            return null;
        }
        // Increment the bubble active count, since we've determined to wake something. The
        // woken goroutine will decrement the count. We can't just call goready and let it
        // increment running, since we can't call goready with mu held. (Two wakes at the
        // same time, from a goroutine considered durably blocked that wakes up unexpectedly,
        // would lead to very confusing failure modes; this prevents them.)
        active++;
        long next = timers.wakeTime();
        if (next > 0 && next <= now) {
            // A timer is scheduled to fire. Wake the root goroutine to handle it.
            return root;
        }
        G gp = waiter;
        if (gp != null) {
            // A goroutine is blocked in Wait. Wake it.
            return gp;
        }
        // All goroutines in the bubble are durably blocked, and nothing has called Wait.
        // Wake the root goroutine.
        return root;
    }

    /** The counters (for tests and debugging; racy unless mu is held). */
    @Override
    public String toString() {
        return "total=" + total + " running=" + running + " active=" + active;
    }

    // ---- channels (ChanAssoc) ----

    private static final String[] FROM_OUTSIDE = {
        "send on synctest channel from outside bubble",
        "receive on synctest channel from outside bubble",
        "close of synctest channel from outside bubble",
        "select on synctest channel from outside bubble",
    };

    /** Go's chan.go and select.go: {@code if c.bubble != nil && getg().bubble != c.bubble { fatal(...) }}. */
    @Override
    public void checkUse(HChan c, G gp, int op) {
        if ((gp != null ? gp.bubble() : null) != this) {
            throw Panics.fatal(FROM_OUTSIDE[op]);
        }
    }

    // ---- synctest.Run and synctest.Wait ----

    /** Go's synctestidle_c: the root's park; refused if every goroutine has blocked or exited meanwhile. */
    private static final Unlockf SYNCTESTIDLE_C = (gp, unused) -> {
        SynctestBubble b = gp.bubble();
        b.mu.lock();
        boolean canIdle = true;
        if (b.running == 0 && b.active == 1) {
            // All goroutines in the bubble have blocked or exited.
            canIdle = false;
        } else {
            b.active--;
        }
        b.mu.unlock();
        return canIdle;
    };

    /** Go's synctestwait_c: the caller of Wait is parked; record it as the one to wake. */
    private static final Unlockf SYNCTESTWAIT_C = (gp, unused) -> {
        SynctestBubble b = gp.bubble();
        b.mu.lock();
        try {
            if (b.running == 0 && b.active == 0) {
                // This shouldn't be possible, since park_m increments active around unlockf.
                throw Throw.fatalThrow("running == 0 && active == 0");
            }
            b.waiter = gp;
        } finally {
            b.mu.unlock();
        }
        return true;
    };

    /**
     * Go's synctestRun (internal/synctest.Run): starts f in a new goroutine of a new bubble
     * and waits until every goroutine of the bubble has exited; the caller, a goroutine,
     * is the bubble's root meanwhile.
     *
     * @throws Panic "synctest.Run called from within a synctest bubble"; Go's deadlock
     *         texts, when every goroutine left is durably blocked and no timer can wake one
     */
    static void run(Runnable f) {
        G gp = Entry.enter();
        try {
            if (!(gp != null && gp.m != null && !(gp instanceof ExternalG))) {
                throw new IllegalStateException("synctest.Run: the root must be a goroutine");
            }
            if (gp.bubble() != null) {
                throw new Panic("synctest.Run called from within a synctest bubble");
            }
            SynctestBubble bubble = new SynctestBubble(gp);
            liveBubbles.add(bubble);
            LIVE.getAndAdd(1);
            gp.setBubble(bubble);
            try {
                bubble.runLoop(gp, f);
            } finally {
                gp.setBubble(null);
                bubble.uncount();
            }
        } finally {
            Entry.exit(gp);
        }
    }

    private void runLoop(G gp, Runnable f) {
        // This is newproc, but also records the new g in bubble.main before it can run.
        M mp = gp.m;
        P pp = mp.p;
        G newg = NewProc.newproc1(f, pp, gp.run, gp.goid, ProfStack.createSite(f), this);
        main = newg;
        NewProc.queue(newg, pp);

        mu.lock();
        active++;
        for (;;) {
            mu.unlock();
            timers.check(now, null, true);
            Park.gopark(SYNCTESTIDLE_C, null, WaitReason.SYNCTEST_RUN);
            mu.lock();
            if (active < 0) {
                mu.unlock();
                throw Throw.fatalThrow("active < 0");
            }
            long next = timers.wakeTime();
            if (next == 0) {
                break;
            }
            if (next < now) {
                mu.unlock();
                throw Throw.fatalThrow("time went backwards");
            }
            if (done) {
                // Time stops once the bubble's main goroutine has exited.
                break;
            }
            now = next;
        }
        int total = this.total;
        boolean mainDone = done;
        mu.unlock();
        if (total != 1) {
            String reason = mainDone
                    ? "deadlock: main bubble goroutine has exited but blocked goroutines remain"
                    : "deadlock: all goroutines in bubble are blocked";
            throw new DeadlockError(reason, this);
        }
    }

    /**
     * Go's synctestWait (internal/synctest.Wait): blocks until every other goroutine of the
     * caller's bubble is durably blocked (or has exited).
     *
     * @throws Panic "goroutine is not in a bubble"; "wait already in progress" when another
     *         goroutine of the bubble is in Wait
     */
    static void await() {
        G gp = Entry.enter();
        try {
            SynctestBubble b = gp != null ? gp.bubble() : null;
            if (b == null) {
                throw new Panic("goroutine is not in a bubble");
            }
            b.mu.lock();
            // We use a waiting flag to detect simultaneous calls to Wait rather than
            // checking to see if waiter is non-null. This avoids a race between unlocking
            // mu and setting waiter while parking.
            if (b.waiting) {
                b.mu.unlock();
                throw new Panic("wait already in progress");
            }
            b.waiting = true;
            b.mu.unlock();
            Park.gopark(SYNCTESTWAIT_C, null, WaitReason.SYNCTEST_WAIT);

            b.mu.lock();
            b.active--;
            if (b.active < 0) {
                b.mu.unlock();
                throw Throw.fatalThrow("active < 0");
            }
            b.waiter = null;
            b.waiting = false;
            b.mu.unlock();
        } finally {
            Entry.exit(gp);
        }
    }

    /**
     * Go's synctestDeadlockError: the panic of Run when the bubble deadlocks; its message
     * is Go's text. An unrecovered one reports the bubble's goroutines too (Go's dopanic_m:
     * {@link Panics#fatalpanic}).
     */
    static final class DeadlockError extends Panic {
        private static final long serialVersionUID = 1L;
        final transient SynctestBubble bubble;

        DeadlockError(String reason, SynctestBubble bubble) {
            super(reason);
            this.bubble = bubble;
        }
    }

    /** Go's tracebacksomeothers for a deadlocked bubble: the blocks of its goroutines other than gp. */
    void tracebackOthers(StringBuilder b, G gp) {
        int n = Sched.allglen;
        Object[] allgs = Sched.allgs; // read after allglen (Sched.allg)
        for (int i = 0; i < n; i++) {
            G other = Sched.allg(allgs, i);
            if (other == null || other == gp || other.bubble() != this) {
                continue;
            }
            int st = G.readgstatus(other) & ~G._Gscan;
            if (st == G._Gdead) {
                continue;
            }
            b.append('\n');
            Traceback.header(b, other, st == G._Gwaiting ? other.waitreason.text : st == G._Grunnable ? "runnable" : "running");
            if (st == G._Gwaiting) {
                StackTraceElement[] stack = Traceback.parkedStack(other, G._Gwaiting);
                if (stack != null) {
                    Traceback.frames(b, stack);
                }
            }
            Traceback.createdBy(b, other);
        }
    }
}
