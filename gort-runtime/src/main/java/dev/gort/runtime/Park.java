package dev.gort.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * Blocking and waking goroutines: Go's gopark, park_m, goready, ready, Gosched
 * (goschedImpl), Goexit (goexit0, gdestroy), acquireSudog and releaseSudog (proc.go).
 *
 * <h2>The park protocol (Go's)</h2>
 * A goroutine that must wait puts itself on a wait list (a channel's sendq/recvq) under
 * that object's lock, then calls {@link #gopark} with an {@code unlockf} that releases the
 * lock. gopark leaves the goroutine's stack (yield); on g0, {@link #park_m} moves the G to
 * {@code _Gwaiting} and only then runs unlockf. So a waker, which must take the same lock
 * to find the G, always finds it in {@code _Gwaiting} with its continuation unmounted, and
 * {@link #ready} can queue it at once. Nothing may touch the G after unlockf: it may
 * already be running elsewhere.
 *
 * <h2>Three kinds of waiter</h2>
 * <ul>
 *   <li>A goroutine: yields its continuation; the M schedules something else.</li>
 *   <li>A pinned goroutine (its continuation cannot yield: a native frame, or
 *       {@code Continuation.pin()}): {@link #parkPinned} runs park_m's steps on the
 *       goroutine's own stack, then blocks the M with the G still mounted, as Go's locked
 *       Ms do (stoplockedm): the P is handed off, and when the G is readied, the M that
 *       picks it from a run queue hands its P to this M (startlockedm).</li>
 *   <li>A plain Java thread ({@link ExternalG}): {@link #parkExternal} blocks the thread;
 *       ready unparks it instead of queueing it.</li>
 * </ul>
 */
final class Park {
    private Park() {}

    /** The current goroutine; on a plain thread its ExternalG; null on an M's g0. Go: getg(). */
    static G getg() {
        if (Current.thread() instanceof M mp) {
            return mp.curg;
        }
        return ExternalG.current();
    }

    /**
     * Go's gopark: put the current goroutine into a waiting state and run unlockf(gp, lock)
     * once it is; if unlockf returns false the goroutine resumes at once. The goroutine is
     * made runnable again by {@link #goready}.
     */
    static void gopark(Unlockf unlockf, Object lock, WaitReason reason) {
        if (Current.thread() instanceof M mp) {
            G gp = mp.curg;
            if (gp == null) {
                throw Throw.fatalThrow("gopark on g0 (the scheduler itself cannot block)");
            }
            gopark(mp, gp, unlockf, lock, reason);
            return;
        }
        parkExternal(ExternalG.current(), unlockf, lock, reason);
    }

    /**
     * gopark for a caller that knows its own G (from {@link Entry#enter()}): the same, without
     * looking up the current thread (a call C2 may not inline, see Current; the channel paths
     * made five such lookups per half round trip, about 4% of it: bench/RESULTS.md). gp's M
     * is the current thread while gp runs.
     */
    static void gopark(G gp, Unlockf unlockf, Object lock, WaitReason reason) {
        if (gp == null) {
            gopark(unlockf, lock, reason); // g0: throws
        } else if (gp instanceof ExternalG eg) {
            parkExternal(eg, unlockf, lock, reason);
        } else {
            gopark(gp.m, gp, unlockf, lock, reason);
        }
    }

    private static void gopark(M mp, G gp, Unlockf unlockf, Object lock, WaitReason reason) {
        mp.waitlock = lock;
        mp.waitunlockf = unlockf;
        gp.waitreason = reason;
        if (Tracer.enabled) {
            mp.traceStack = TraceStack.cached(gp, reason, lock);
        }
        // JFR's dev.gort.GoroutineBlocked: begun here, kept in this frame while the
        // goroutine is parked, ended when it resumes (Jfr: nothing unless a recording wants it).
        Object jfr = Jfr.blocked ? JfrEvents.blockBegin() : null;
        if (!mcall(mp, M.PARK_M)) {
            mp.waitlock = null;
            mp.waitunlockf = null;
            if (gp.ctl() != null) {
                // The controller's M cannot sleep with the goroutine on it: the run is lost.
                throw gp.ctl().pinnedPark(gp, reason);
            }
            parkPinned(mp, gp, unlockf, lock);
        }
        if (jfr != null) {
            JfrEvents.blockEnd(jfr, gp, reason);
        }
    }

    /** Go's park_m, on g0. Returns gp if it must run again at once (unlockf refused), else null. */
    static G park_m(M mp, G gp) {
        // If gp is in a synctest bubble, we don't want to let the bubble become idle until
        // after the waitunlockf (if any) has confirmed that the park is happening. Read
        // gp.bubble here, since waitunlockf can change it.
        SynctestBubble bubble = gp.bubble();
        if (bubble != null) {
            bubble.incActive();
        }
        TraceThread w = Tracer.acquire(mp);
        G.casgstatus(gp, G._Grunning, G._Gwaiting);
        if (w != null) {
            TraceEv.goPark(w, gp, gp.waitreason.traceReason, mp.traceStack);
            Tracer.release(w);
        }
        mp.traceStack = null;
        dropg(mp, gp);
        Unlockf fn = mp.waitunlockf;
        if (fn != null) {
            Object lock = mp.waitlock;
            mp.waitunlockf = null;
            mp.waitlock = null;
            if (!fn.unlock(gp, lock)) {
                TraceThread w2 = Tracer.acquire(mp);
                G.casgstatus(gp, G._Gwaiting, G._Grunnable);
                if (bubble != null) {
                    bubble.decActive();
                }
                if (w2 != null) {
                    TraceEv.goUnpark(w2, gp, null);
                    Tracer.release(w2);
                }
                return gp; // execute(gp, true): schedule it back
            }
        }
        if (bubble != null) {
            bubble.decActive();
        }
        return null;
    }

    /**
     * park_m for a goroutine whose continuation cannot yield: the same steps on the
     * goroutine's own stack, then the M sleeps with the G mounted (Go's stoplockedm) until
     * startlockedm hands it a P.
     */
    private static void parkPinned(M mp, G gp, Unlockf unlockf, Object lock) {
        boolean wasLocked = gp.lockedm() != null;
        gp.setLockedm(mp);
        mp.lockedg = gp;
        TraceStack.Stack pcs = Tracer.enabled ? TraceStack.cached(gp, gp.waitreason, lock) : null;
        SynctestBubble bubble = gp.bubble(); // as park_m
        if (bubble != null) {
            bubble.incActive();
        }
        TraceThread w = Tracer.acquire(mp);
        G.casgstatus(gp, G._Grunning, G._Gwaiting);
        if (w != null) {
            TraceEv.goPark(w, gp, gp.waitreason.traceReason, pcs);
            Tracer.release(w);
        }
        dropg(mp, gp);
        if (unlockf != null && !unlockf.unlock(gp, lock)) {
            w = Tracer.acquire(mp);
            G.casgstatus(gp, G._Gwaiting, G._Grunnable);
            if (bubble != null) {
                bubble.decActive();
            }
            if (w != null) {
                TraceEv.goUnpark(w, gp, null);
                Tracer.release(w);
            }
        } else {
            if (bubble != null) {
                bubble.decActive(); // the M still has its P: a wake-up it causes goes on it
            }
            // Without the agent, an initializer is seen here (ClassInits): its waiters may
            // hold the Ps it and its wakers need. After unlockf: the walk takes microseconds.
            ClassInits.State init = ClassInits.pinnedWait(gp);
            Proc.stoplockedm(mp); // returns with a P, gp runnable
            ClassInits.pinnedWaitDone(gp, init);
        }
        // Go's execute(gp, inheritTime=false), without leaving the stack.
        resumePinned(mp, gp);
        if (gp.run != null && gp.run.dead()) {
            freezePinned(mp, gp); // never returns
        }
        gp.preempt = false;
        mp.p.schedtick++;
        mp.p.nswitch++;
        if (!wasLocked) {
            gp.setLockedm(null);
            mp.lockedg = null;
        }
    }

    /**
     * execute for a goroutine whose stack stayed mounted on mp (a pinned park or syscall
     * exit): mp, holding a P again, runs gp, which is runnable.
     */
    static void resumePinned(M mp, G gp) {
        if (GoroutineProfile.active) {
            GoroutineProfile.barrier(mp, gp); // execute's barrier (its stack is read from this thread)
        }
        TraceThread w = Tracer.acquire(mp);
        mp.curg = gp;
        gp.m = mp;
        G.casgstatus(gp, G._Grunnable, G._Grunning);
        gp.setWaitsince(0);
        if (w != null) {
            TraceEv.goStart(w, gp);
            Tracer.release(w);
        }
    }

    /** gopark for a plain Java thread: the thread itself blocks. Not interruptible (Go has no interrupts). */
    private static void parkExternal(ExternalG gp, Unlockf unlockf, Object lock, WaitReason reason) {
        gp.waitreason = reason;
        G.casgstatus(gp, G._Grunning, G._Gwaiting);
        if (unlockf != null && !unlockf.unlock(gp, lock)) {
            G.casgstatus(gp, G._Gwaiting, G._Grunnable);
        } else {
            boolean interrupted = false;
            while (G.readgstatus(gp) == G._Gwaiting) {
                LockSupport.park(gp);
                if (Thread.interrupted()) {
                    interrupted = true; // keep waiting; restore the status on return
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        G.casgstatus(gp, G._Grunnable, G._Grunning);
        gp.waitreason = WaitReason.ZERO;
    }

    /**
     * gp (running on mp, just mounted or resumed) belongs to a run that died: set it aside
     * for good, as Go's freezetheworld stops the world (Run.freeze). A wake-up a semaphore
     * handed it is passed on to another waiter (Sema.passOn), so that a lock shared with
     * other runs is not left waiting for it. A channel value handed to it is lost with it.
     */
    static void freeze(M mp, G gp) {
        if (gp.param instanceof Sudog s && s.elem instanceof Sema sema) {
            gp.param = null;
            sema.passOn(s);
        }
        gp.waitreason = WaitReason.FROZEN;
        TraceThread w = Tracer.acquire(mp);
        G.casgstatus(gp, G._Grunning, G._Gwaiting);
        if (w != null) {
            TraceEv.goPark(w, gp, gp.waitreason.traceReason, null);
            Tracer.release(w);
        }
        dropg(mp, gp);
    }

    /**
     * freeze for a goroutine whose stack is mounted and pinned on mp (it was woken from a
     * pinned park, and mp has just been given a P): the M gives its P up and sleeps for good
     * with the goroutine on it, counted as idle, as Go's frozen Ms are.
     */
    static void freezePinned(M mp, G gp) {
        freeze(mp, gp);
        mp.lockedg = null;
        gp.setLockedm(null);
        Proc.handoffp(Proc.releasep(mp));
        Proc.incidlelocked(1);
        for (;;) {
            LockSupport.park(mp);
            Thread.interrupted(); // nobody can wake it: an interrupt must not spin it
        }
    }

    /** Go's dropg: remove the association between m and its current goroutine. */
    static void dropg(M mp, G gp) {
        gp.m = null;
        mp.curg = null;
    }

    /** Go's goready: make gp (in _Gwaiting) runnable, next in line on this P. */
    static void goready(G gp) {
        ready(gp, true);
    }

    /**
     * goready by a caller that knows its own G ({@code self}, from {@link Entry#enter()}):
     * the P to queue on is self's M's (see gopark(G, ...)).
     */
    static void goready(G gp, G self) {
        if (self == null) {
            ready(gp, true); // g0: the M's own code (a timer's send)
        } else {
            ready(gp, true, self instanceof ExternalG ? null : self.m);
        }
    }

    /**
     * Go's ready: mark gp runnable and put it on a run queue: this P's (in runnext when
     * {@code next}, inheriting the current time slice), then wakep. Without a P (a plain
     * thread, or an M that lost its P), on the global queue with an idle P started for it,
     * in one critical section so checkdead never sees a runnable G and no running M.
     */
    static void ready(G gp, boolean next) {
        ready(gp, next, Current.thread() instanceof M mp ? mp : null);
    }

    /** ready from the thread of {@code cur} (the current M, or null on a plain thread). */
    private static void ready(G gp, boolean next, M cur) {
        if (gp instanceof ExternalG eg) {
            if (cur != null && cur.ctl != null) {
                cur.ctl.uncontrolledWake(eg); // a controlled goroutine woke a plain thread
            }
            G.casgstatus(gp, G._Gwaiting, G._Grunnable);
            LockSupport.unpark(eg.thread);
            return;
        }
        int status = G.readgstatus(gp);
        if ((status & ~G._Gscan) != G._Gwaiting) {
            throw Throw.fatalThrow("bad g->status in ready: " + status);
        }
        TraceThread w = Tracer.acquire();
        G.casgstatus(gp, G._Gwaiting, G._Grunnable);
        if (w != null) {
            TraceEv.goUnpark(w, gp, null); // no stack: see TraceStack (Differences from Go)
            Tracer.release(w);
        }
        if (gp.ctl() != null) {
            gp.ctl().ready(gp, next); // a controlled run's goroutine: to its controller, never a run queue
        } else if (cur != null && cur.p != null) {
            RunQueue.runqput(cur.p, gp, next);
            Proc.wakep();
        } else {
            injectNoP(gp);
        }
    }

    /** Go's injectglist without a P, for one G: global queue, and an idle P (if any) started for it. */
    static void injectNoP(G gp) {
        Sched.lock.lock();
        Sched.globrunqput(gp);
        P pp = Sched.pidlegetSpinning();
        if (pp != null) {
            Proc.startm(pp, false, true);
        }
        Sched.lock.unlock();
    }

    /**
     * Go's Gosched: yield the processor; the goroutine goes to the global queue (with
     * nothing else to run, it stays: {@link #goschedInPlace}). Entered without the
     * preemption check (Go's Gosched is nosplit): a pending request is satisfied by this
     * very yield.
     */
    static void gosched() {
        G gp = Entry.enterNosplit();
        try {
            M mp = gp != null ? gp.m : null;
            if (mp == null) {
                Thread.yield(); // a plain thread
                return;
            }
            if (goschedInPlace(mp, gp)) {
                return;
            }
            mcall(mp, M.GOSCHED_M); // pinned: cannot leave the stack (Go's goschedguarded)
        } finally {
            Entry.exit(gp);
        }
    }

    /**
     * A Gosched with nothing else to run, done without leaving the goroutine's stack: true
     * if it was. Go's goschedImpl would put gp on the global queue, and the schedule() that
     * follows would find it there and execute it again in a new time slice (findRunnable
     * looks at the local queue, then the global one, and stops at gp). What that leaves
     * behind is what is done here: a new time slice (schedtick, which sysmon's preemption
     * clock reads), no pending preemption request, one more switch counted.
     *
     * <p>Differences from Go: Go's round trip through g0 costs it a few tens of
     * nanoseconds; a continuation's yield and run cost about 90 here, for a switch that
     * changes nothing. Every case where the switch can matter takes Go's path: work in
     * any queue (local, runnext, global), timers on this P (schedule() runs them), a
     * stop-the-world waiting, a dead run (execute freezes its goroutines), a locked M, a
     * controlled run (each Gosched is a scheduling point of its own), and the observers
     * that record the switch (the tracer's GoStop and GoStart, a goroutine profile's
     * barrier in execute).
     */
    static boolean goschedInPlace(M mp, G gp) {
        P pp = mp.p;
        if (Tracer.enabled || GoroutineProfile.active || pp == null || mp.lockedg != null || gp.ctl() != null
                || pp.runnext != null || !RunQueue.runqempty(pp) || pp.timers.len() != 0
                || !Sched.runqEmpty() || Sched.gcwaiting || (gp.run != null && gp.run.dead())) {
            return false;
        }
        // As schedule() and execute(gp, inheritTime=false) would: writes only when set (a
        // volatile store is a fence).
        if (pp.preempt) {
            pp.preempt = false;
        }
        if (gp.preempt) {
            gp.preempt = false;
        }
        pp.schedtick++;
        pp.nswitch++;
        return true;
    }

    /**
     * Go's mcall(fn): leave the goroutine's stack for the M's, which runs fn (one of the
     * M.*_M codes, see Proc.execute) and later resumes the goroutine here. False if the
     * stack is pinned and could not be left (Go's mcall cannot fail): nothing happened.
     */
    static boolean mcall(M mp, int fn) {
        mp.mcallfn = fn;
        if (Tracer.enabled && mp.curg != null && (fn == M.GOSCHED_M || fn == M.GOYIELD_M || fn == M.GOPREEMPT_M)) {
            // A yield: its stack for the GoStop event (a preemption's place varies: walked).
            mp.traceStack = fn == M.GOPREEMPT_M ? TraceStack.capture() : TraceStack.cached(mp.curg, Integer.valueOf(fn), null);
        }
        if (GoStack.yield()) {
            return true;
        }
        mp.mcallfn = M.MCALL_NONE;
        return false;
    }

    /**
     * Go's goyield: like Gosched, but the goroutine goes to the local run queue (semaphore
     * hand-off: the waiter just readied into runnext runs next, then us).
     */
    static void goyield() {
        M mp = Current.m();
        if (mp == null || mp.curg == null) {
            return;
        }
        mcall(mp, M.GOYIELD_M);
    }

    /** Go's goyield_m, on g0. */
    static void goyield_m(M mp, G gp) {
        P pp = mp.p;
        TraceThread w = Tracer.acquire(mp);
        G.casgstatus(gp, G._Grunning, G._Grunnable);
        if (w != null) {
            TraceEv.goStop(w, gp, "preempted", mp.traceStack);
            Tracer.release(w);
        }
        mp.traceStack = null;
        dropg(mp, gp);
        RunQueue.runqput(pp, gp, false);
    }

    /**
     * Go's goschedImpl, on g0, fused with the first steps of the schedule() that follows
     * it. Returns a G to execute at once (in a new time slice), or null for schedule().
     *
     * <p>Differences from Go: when the P has no local work and no timers, the schedule()
     * after a Gosched would lock sched.lock again only to take a G back from the global
     * queue (findRunnable's fairness check or its global-queue step: the same G, and the
     * same batch). Doing that under the lock already held for globrunqput saves one lock
     * round trip per switch (a tenth of a Gosched); with the global queue empty too, gp is
     * taken back without queueing it at all. Anything else (a locked goroutine or M, a
     * stop-the-world, timers, local work) takes Go's path.
     */
    static G goschedImpl(M mp, G gp, boolean preempted) {
        P pp = mp.p;
        int status = G.readgstatus(gp);
        if ((status & ~G._Gscan) != G._Grunning) {
            throw Throw.fatalThrow("bad g status " + status);
        }
        TraceThread w = Tracer.acquire(mp);
        G.casgstatus(gp, G._Grunning, G._Grunnable);
        if (w != null) {
            TraceEv.goStop(w, gp, preempted ? "preempted" : "runtime.Gosched", mp.traceStack);
            Tracer.release(w);
        }
        mp.traceStack = null;
        dropg(mp, gp);
        if (preempted) {
            pp.npreempt++;
        }
        if (preempted && Sched.gcwaiting) {
            // If preempted for STW, keep the G on the local P in runnext so it can keep
            // running immediately after the STW.
            RunQueue.runqput(pp, gp, true);
            Proc.wakep();
            return null;
        }
        boolean fuse = mp.lockedg == null && !mp.exiting && pp.runnext == null && RunQueue.runqempty(pp)
                && pp.timers.len() == 0;
        if (fuse && Sched.runqEmpty() && !Sched.gcwaiting) {
            // Nothing is queued anywhere: Go would put gp on the global queue and the
            // schedule() that follows would take it straight back (or a spinning M would).
            // Doing neither is the first of those outcomes, without the lock: nobody could
            // have seen gp queued in between. A G queued by another M just after the look is
            // as if it came just after gp's take.
            if (pp.preempt) {
                pp.preempt = false; // as schedule() does
            }
            mp.inheritTime = false;
            return gp;
        }
        G next = null;
        Sched.lock.lock();
        Sched.globrunqput(gp);
        if (fuse && !Sched.gcwaiting && Sched.runq.head.lockedm() == null) {
            pp.preempt = false; // as schedule() does
            mp.inheritTime = false;
            next = pp.schedtick % FindRunnable.GLOBAL_RUNQ_CHECK == 0
                    ? Sched.globrunqget()
                    : FindRunnable.globrunqgetbatch(mp, pp);
        }
        boolean more = next == null || !Sched.runqEmpty();
        Sched.lock.unlock();
        if (next != null) {
            FindRunnable.runqputbatch(mp, pp); // empty after a globrunqget
            more |= !RunQueue.runqempty(pp);
        }
        // Go wakes an M for the G it has just queued, and the schedule() that follows often
        // takes that G back itself; here we know whether we did. With nothing left in the
        // global or local queue, another M would only spin and park again (at GOMAXPROCS=2 a
        // lone goroutine's Gosched cost twice what it costs at 1: a wake-up every switch).
        if (more) {
            Proc.wakep();
        }
        return next;
    }

    /** Go's goexit0/gdestroy, on g0: gp's function returned; recycle gp. */
    static void goexit0(M mp, G gp) {
        Run run = gp.run;
        boolean endsRun = run != null && run.mainReturned && run.isMain(gp);
        TraceThread w = Tracer.acquire(mp);
        G.casgstatus(gp, G._Grunning, G._Gdead);
        if (w != null) {
            TraceEv.goEnd(w, gp);
            Tracer.release(w);
        }
        boolean locked = gp.lockedm() != null;
        gp.setLockedm(null);
        mp.lockedg = null;
        gp.preempt = false;
        gp.waitreason = WaitReason.ZERO;
        gp.param = null;
        gp.waiting = null;
        gp.run = null;
        gp.setCtl(null);
        gp.setBubble(null); // after the status CAS, which told the bubble (Go's gdestroy)
        gp.fn = null;
        gp.stack = null;
        gp.setTimer(null);
        gp.setBlockStacks(null); // a reused G must not inherit another goroutine's sites
        gp.setOwnedSyncs(null); // a goroutine that ended holding a lock must not keep it alive
        ClassInits.forget(gp);
        dropg(mp, gp);
        NewProc.gfput(mp.p, gp);
        if (endsRun) {
            // The run ends here, not at the end of main's function: its caller never sees
            // the main goroutine alive once run returns (NumGoroutine, the profiles).
            run.end();
        }
        if (locked) {
            LockOSThread.exitLockedM(mp);
        }
    }

    // ---- sudogs ----

    /** Go's acquireSudog: from this P's cache, refilled from the central cache, else new. */
    static Sudog acquireSudog() {
        return acquireSudog(Current.thread() instanceof M mp ? mp : null);
    }

    /** acquireSudog for a caller that knows its own G (see gopark(G, ...)); null or a plain thread's: no cache. */
    static Sudog acquireSudog(G self) {
        return self == null ? acquireSudog() : acquireSudog(self.m);
    }

    private static Sudog acquireSudog(M mp) {
        if (mp == null || mp.p == null) {
            return new Sudog();
        }
        P pp = mp.p;
        if (pp.nsudog == 0) {
            // First, try to grab a batch from central cache.
            Sched.sudoglock.lock();
            while (pp.nsudog < pp.sudogcache.length / 2 && Sched.sudogcache != null) {
                Sudog s = Sched.sudogcache;
                Sched.sudogcache = s.next;
                s.next = null;
                pp.sudogcache[pp.nsudog++] = s;
            }
            Sched.sudoglock.unlock();
            // If the central cache is empty, allocate a new one.
            if (pp.nsudog == 0) {
                return new Sudog();
            }
        }
        Sudog s = pp.sudogcache[--pp.nsudog];
        pp.sudogcache[pp.nsudog] = null;
        if (s.elem != null) {
            throw Throw.fatalThrow("acquireSudog: found s.elem != nil in cache");
        }
        return s;
    }

    /** Go's releaseSudog: back to this P's cache, half of a full cache to the central one. */
    static void releaseSudog(Sudog s) {
        releaseSudog(s, Current.thread() instanceof M mp ? mp : null);
    }

    /** releaseSudog for a caller that knows its own G (see gopark(G, ...)). */
    static void releaseSudog(Sudog s, G self) {
        if (self == null) {
            releaseSudog(s);
        } else {
            releaseSudog(s, self.m);
        }
    }

    private static void releaseSudog(Sudog s, M mp) {
        if (s.elem != null) {
            throw Throw.fatalThrow("runtime: sudog with non-nil elem");
        }
        if (s.isSelect) {
            throw Throw.fatalThrow("runtime: sudog with non-false isSelect");
        }
        if (s.next != null) {
            throw Throw.fatalThrow("runtime: sudog with non-nil next");
        }
        if (s.prev != null) {
            throw Throw.fatalThrow("runtime: sudog with non-nil prev");
        }
        if (s.waitlink != null) {
            throw Throw.fatalThrow("runtime: sudog with non-nil waitlink");
        }
        if (s.c != null) {
            throw Throw.fatalThrow("runtime: sudog with non-nil c");
        }
        s.g = null;
        if (mp == null || mp.p == null) {
            return; // no P: let the GC have it
        }
        P pp = mp.p;
        if (pp.nsudog == pp.sudogcache.length) {
            // Transfer half of local cache to the central cache.
            Sudog first = null;
            Sudog last = null;
            while (pp.nsudog > pp.sudogcache.length / 2) {
                Sudog p = pp.sudogcache[--pp.nsudog];
                pp.sudogcache[pp.nsudog] = null;
                if (first == null) {
                    first = p;
                } else {
                    last.next = p;
                }
                last = p;
            }
            Sched.sudoglock.lock();
            last.next = Sched.sudogcache;
            Sched.sudogcache = first;
            Sched.sudoglock.unlock();
        }
        pp.sudogcache[pp.nsudog++] = s;
    }
}
