package dev.gort.runtime;

/**
 * The scheduler loop and the management of Ms and Ps: Go's mstart, schedule, execute,
 * wakep, startm, stopm, handoffp, resetspinning, stoplockedm, startlockedm, acquirep and
 * releasep (proc.go), under the same names. Finding work (findRunnable, stealWork) is
 * {@link FindRunnable}.
 *
 * <h2>How an M runs goroutines</h2>
 * An M's thread runs {@link #mstart}: a loop that finds a G ({@link #schedule}), mounts
 * its continuation ({@link #execute}) and, when the G yields, runs the function the G
 * left in {@code m.mcallfn} on the M's own stack (Go's {@code mcall}: park_m, gosched_m,
 * gopreempt_m); when the G's function returns, goexit0. Go's schedule() never returns
 * and recurses through gogo; here the loop stands in for that recursion.
 *
 * <h2>Worker thread parking/unparking (Go's protocol, unchanged)</h2>
 * An additional M is unparked when work is submitted, there is an idle P and no M is
 * spinning (wakep). A spinning M that finds work stops spinning and, if it was the last
 * spinning M, wakes another (resetspinning). A spinning M that finds nothing drops
 * nmspinning first and then re-checks every source of work ("Delicate dance" in
 * findRunnable), so that work submitted concurrently is never stranded. At most half of
 * the busy Ps have a spinning M.
 *
 * <p>Differences from Go: no GC workers (the JVM collects), and no network poller yet:
 * an M with nothing to do waits for the next timer in {@link Netpoll}.
 */
final class Proc {
    private Proc() {}


    // ---- M entry and the scheduler loop ----

    /** Go's mstart/mstart1: acquire the P handed over by startm, then schedule forever. */
    static void mstart(M mp) {
        try {
            if (mp.nextp != null) {
                acquirep(mp, mp.nextp);
                mp.nextp = null;
            }
            G next = null;
            boolean inherit = false;
            for (;;) {
                if (next == null) {
                    next = schedule(mp);
                    inherit = mp.inheritTime;
                }
                next = execute(mp, next, inherit);
                inherit = mp.inheritTime; // for a G handed back by the mcall function
                if (mp.exiting) {
                    mexit(mp);
                    return;
                }
                if (next == null && mp.p == null && mp.lockedg == null) {
                    // Syscall.exitsyscallNoP queued its goroutine and left us without a P:
                    // Go's stopm there, here where no frame holds the goroutine (an idle M
                    // must not keep it from GoroutineLeak: exitsyscallNoP has the reasons).
                    stopm(mp);
                }
            }
        } catch (Throwable t) {
            throw Throw.fatalThrow("unexpected error in the scheduler of " + mp + ": " + t, t);
        }
    }

    /**
     * Go's schedule: one round of the scheduler: find a runnable G and return it (the
     * caller executes it). {@code mp.inheritTime} is the second result.
     */
    static G schedule(M mp) {
        if (mp.lockedg != null) {
            stoplockedm(mp);
            mp.inheritTime = false;
            return mp.lockedg; // Go: execute(mp.lockedg, false)
        }
        for (;;) {
            P pp = mp.p;
            // Go's plain store; here a volatile one is a fence on every switch: write only
            // when set (a request raced past the read is honoured later, as Go's may be).
            if (pp.preempt) {
                pp.preempt = false;
            }
            // Safety check: if we are spinning, the run queue should be empty.
            if (mp.spinning && (pp.runnext != null || !RunQueue.runqempty(pp))) {
                throw Throw.fatalThrow("schedule: spinning with local work");
            }
            G gp = FindRunnable.findRunnable(mp); // blocks until work is available
            // This thread is going to run a goroutine and is not spinning anymore, so if it
            // was marked as spinning we need to reset it now and potentially start a new
            // spinning M.
            if (mp.spinning) {
                resetspinning(mp);
            }
            if (gp.lockedm() != null) {
                // Hands off own p to the locked m, then blocks waiting for a new p.
                startlockedm(mp, gp);
                // Go's startlockedm stops the M itself; here the frames holding gp go first:
                // an interpreted frame keeps every slot live, and an idle M must not keep a
                // goroutine reachable once it unlocks and leaks (GoroutineLeak).
                gp = null;
                stopm(mp);
                continue;
            }
            return gp;
        }
    }

    /**
     * Go's execute: run gp on mp (gogo). Returns when gp yields or ends, after running
     * what it asked for on g0; the result is a G to run at once in the same time slice
     * (park_m whose unlockf refused), or null.
     */
    static G execute(M mp, G gp, boolean inheritTime) {
        if (GoroutineProfile.active) {
            // Go: tryRecordGoroutineProfile in execute; gp's stack goes into the profile
            // exactly as it was when the capture began, before gp runs.
            GoroutineProfile.barrier(mp, gp);
        }
        TraceThread w = Tracer.acquire(mp); // after the barrier: never held while it waits
        if (w != null) {
            TraceEv.goCreateIfPending(w, gp);
        }
        mp.curg = gp;
        gp.m = mp;
        G.casgstatus(gp, G._Grunnable, G._Grunning);
        // After the CAS: a capture holding _Gscan across it has finished with these.
        gp.setWaitsince(0);
        gp.setProfStack(null);
        if (w != null) {
            TraceEv.goStart(w, gp); // Go: after the transition to _Grunning (trace.go, invariant 7)
            Tracer.release(w);
        }
        // Read after the status CAS (a full fence), as Run.freeze writes the death before it
        // looks for running goroutines: either it sees this one running, or we see the death.
        Run r = gp.run;
        if (r != null && r.dead()) {
            Park.freeze(mp, gp);
            return null;
        }
        if (gp.preempt) { // as pp.preempt in schedule: no fence on every switch
            gp.preempt = false;
        }
        P pp = mp.p;
        if (!inheritTime) {
            pp.schedtick++;
        }
        pp.nswitch++;
        // A goroutine resumes inside gort (every yield is in runtime code); a new one starts
        // in user code and says so itself (G.run).
        M.IN_RUNTIME.setRelease(mp, 1);
        // The M's interrupt status is the status of the goroutine it runs (user code sees the
        // M as its thread): drop what reached the M while it ran no goroutine (unless the M is
        // locked to this one, LockOSThread: then it waited for it), mount the goroutine's own,
        // and take it back when the goroutine leaves.
        if (Thread.interrupted() && mp.lockedg == gp) {
            gp.setInterrupted(true);
        }
        if (gp.interrupted()) {
            gp.setInterrupted(false);
            mp.interrupt();
        }
        gp.stack.run(); // gogo
        // Back on g0.
        if (gp.stack.isDone()) {
            Thread.interrupted();
            Park.goexit0(mp, gp);
            return null;
        }
        gp.setInterrupted(Thread.interrupted());
        int fn = mp.mcallfn;
        mp.mcallfn = M.MCALL_NONE;
        switch (fn) {
            case M.PARK_M:
                mp.inheritTime = true; // if park_m hands gp back: Go's execute(gp, true)
                return Park.park_m(mp, gp);
            case M.EXITSYSCALL_NOP:
                return Syscall.exitsyscallNoP(mp, gp);
            case M.GOYIELD_M:
                Park.goyield_m(mp, gp);
                return null;
            case M.GOSCHED_M:
                return Park.goschedImpl(mp, gp, false);
            case M.GOPREEMPT_M:
                return Park.goschedImpl(mp, gp, true);
            default:
                throw Throw.fatalThrow("execute: goroutine " + gp.goid + " yielded without an mcall function");
        }
    }

    // ---- spinning ----

    /** Go's (mp *m) becomeSpinning. */
    static void becomeSpinning(M mp) {
        mp.spinning = true;
        Sched.NMSPINNING.getAndAdd(1);
        Sched.needspinning = 0;
    }

    /** Go's resetspinning: leave the spinning state and maybe wake another spinning M. */
    static void resetspinning(M mp) {
        if (!mp.spinning) {
            throw Throw.fatalThrow("resetspinning: not a spinning m");
        }
        mp.spinning = false;
        if ((int) Sched.NMSPINNING.getAndAdd(-1) - 1 < 0) {
            throw Throw.fatalThrow("findRunnable: negative nmspinning");
        }
        // M wakeup policy is deliberately somewhat conservative, so check if we need to
        // wakeup another P here.
        wakep();
    }

    /**
     * Go's wakep: try to add one more P to execute Gs. Called when a G is made runnable
     * (newproc, ready). Be conservative about spinning threads: only start one if none
     * exist already.
     */
    static void wakep() {
        if (Sched.nmspinning != 0) {
            return;
        }
        // Differences from Go: with no idle P and a spinning request already pending, the
        // locked path below would only set needspinning again; skip it (it costs a CAS and
        // a lock round trip on every ready/newproc of a fully busy scheduler).
        if (Sched.npidle == 0 && Sched.needspinning == 1) {
            return;
        }
        if (!Sched.NMSPINNING.compareAndSet(0, 1)) {
            return;
        }
        Sched.lock.lock();
        P pp = Sched.pidlegetSpinning();
        if (pp == null) {
            if ((int) Sched.NMSPINNING.getAndAdd(-1) - 1 < 0) {
                throw Throw.fatalThrow("wakep: negative nmspinning");
            }
            Sched.lock.unlock();
            return;
        }
        Sched.lock.unlock();
        startm(pp, true, false);
    }

    // ---- Ms ----

    /**
     * Go's startm: schedule some M to run pp (creating one if necessary). With pp null,
     * takes an idle P, or does nothing if there is none. If spinning is set, the caller
     * has incremented nmspinning and must provide a P. With lockheld, sched.lock is held
     * on entry and on return (it may be dropped in between, to create a thread).
     */
    static void startm(P pp, boolean spinning, boolean lockheld) {
        if (!lockheld) {
            Sched.lock.lock();
        }
        if (pp == null) {
            if (spinning) {
                throw Throw.fatalThrow("startm: P required for spinning=true");
            }
            pp = Sched.pidleget();
            if (pp == null) {
                if (!lockheld) {
                    Sched.lock.unlock();
                }
                return;
            }
        }
        M nmp = Sched.mget();
        if (nmp == null) {
            // No M is available: we must drop sched.lock and create one. Reserving the id
            // first marks the new M as running, so checkdead never sees a runnable G with
            // no running M in the window.
            long id = Sched.mReserveID();
            Sched.lock.unlock();
            newm(pp, spinning, id);
            if (lockheld) {
                Sched.lock.lock();
            }
            return;
        }
        if (!lockheld) {
            Sched.lock.unlock();
        }
        if (nmp.spinning) {
            throw Throw.fatalThrow("startm: m is spinning");
        }
        if (nmp.nextp != null) {
            throw Throw.fatalThrow("startm: m has p");
        }
        if (spinning && !RunQueue.runqempty(pp)) {
            throw Throw.fatalThrow("startm: p has runnable gs");
        }
        // The caller incremented nmspinning, so set m.spinning in the new M.
        nmp.spinning = spinning;
        nmp.nextp = pp;
        nmp.notewakeup();
        // Differences from Go: a P becomes busy; sysmon must watch it (see Sysmon). Its
        // back-off is kept: a server that goes idle and busy thousands of times a second
        // would otherwise keep sysmon at 20us rounds (measured: 7% of a redis server's CPU),
        // and sysmon never sleeps past a running slice's end anyway (Sysmon.sleepFor).
        if (Sched.sysmonwait) {
            Sysmon.wake(false);
        }
    }

    /** Go's mexit: the M's thread ends; its P goes to another M. */
    static void mexit(M mp) {
        Sched.allm.remove(mp);
        handoffp(releasep(mp));
        Sched.lock.lock();
        Sched.nmfreed++;
        CheckDead.checkdead();
        Sched.lock.unlock();
    }

    /** Go's newm: a new M (thread) that will start by acquiring pp. */
    static void newm(P pp, boolean spinning, long id) {
        M mp = new M(id);
        mp.nextp = pp;
        mp.spinning = spinning;
        // Go: allocm's callers(1, mp.createstack[:]); a walk costs microseconds, a thread's
        // start tens of them.
        mp.createstack = ProfStack.hereAll();
        Sched.allm.add(mp);
        mp.start(); // Thread.start publishes nextp and spinning
        if (Sched.sysmonwait) {
            Sysmon.wake(false); // as startm
        }
    }

    /** Go's stopm: stop execution of the current M until new work is available, then acquire its P. */
    static void stopm(M mp) {
        if (mp.p != null) {
            throw Throw.fatalThrow("stopm holding p");
        }
        if (mp.spinning) {
            throw Throw.fatalThrow("stopm spinning");
        }
        Sched.lock.lock();
        Sched.mput(mp);
        Sched.lock.unlock();
        mp.notesleep(); // mPark
        acquirep(mp, mp.nextp);
        mp.nextp = null;
    }

    /**
     * Go's handoffp: hand off P from a syscall or locked M. Starts an M in any situation
     * where findRunnable would return a G to run on pp; otherwise pp goes idle.
     */
    static void handoffp(P pp) {
        // if it has local work, start it straight away
        if (!RunQueue.runqempty(pp) || !Sched.runqEmpty()) {
            startm(pp, false, false);
            return;
        }
        // no local work, check that there are no spinning/idle M's, otherwise our help is
        // not required
        if (Sched.nmspinning + Sched.npidle == 0 && Sched.NMSPINNING.compareAndSet(0, 1)) {
            Sched.needspinning = 0;
            startm(pp, true, false);
            return;
        }
        Sched.lock.lock();
        if (Sched.gcwaiting) {
            pp.status = P._Pgcstop;
            Stw.stopwaitDone();
            Sched.lock.unlock();
            return;
        }
        if (!Sched.runqEmpty()) {
            Sched.lock.unlock();
            startm(pp, false, false);
            return;
        }
        // If this is the last running P and nobody is polling network, need to wakeup
        // another M to poll network. (Only once a channel was registered: before that
        // there is nothing but timers, handled below.)
        if (Netpoll.netpollinited() && Sched.npidle == Sched.gomaxprocs - 1 && Netpoll.lastpoll.get() != 0) {
            Sched.lock.unlock();
            startm(pp, false, false);
            return;
        }
        // The scheduler lock cannot be held when calling wakeNetPoller below because
        // wakeNetPoller may call wakep which may call startm.
        long when = pp.timers.wakeTime();
        Sched.pidleput(pp);
        Sched.lock.unlock();
        if (when != 0) {
            Netpoll.wakeNetPoller(when);
        }
    }

    /** Go's gcstopm: stop the current M for stop-the-world, and return when the world restarts. */
    static void gcstopm(M mp) {
        if (!Sched.gcwaiting) {
            throw Throw.fatalThrow("gcstopm: not waiting for gc");
        }
        if (mp.spinning) {
            mp.spinning = false;
            // OK to just drop nmspinning here, startTheWorld will unpark threads as necessary.
            if ((int) Sched.NMSPINNING.getAndAdd(-1) - 1 < 0) {
                throw Throw.fatalThrow("gcstopm: negative nmspinning");
            }
        }
        P pp = releasep(mp);
        Sched.lock.lock();
        pp.status = P._Pgcstop;
        Stw.stopwaitDone();
        Sched.lock.unlock();
        stopm(mp);
    }

    /** Go's stoplockedm: stop the current M, locked to a G, until the G is runnable again; returns with a P. */
    static void stoplockedm(M mp) {
        if (mp.lockedg == null || mp.lockedg.lockedm() != mp) {
            throw Throw.fatalThrow("stoplockedm: inconsistent locking");
        }
        if (mp.p != null) {
            // Schedule another M to run this p.
            handoffp(releasep(mp));
        }
        incidlelocked(1);
        // Wait until another thread schedules lockedg again.
        mp.notesleep();
        int status = G.readgstatus(mp.lockedg);
        if ((status & ~G._Gscan) != G._Grunnable) {
            throw Throw.fatalThrow("stoplockedm: not runnable (status " + status + ")");
        }
        acquirep(mp, mp.nextp);
        mp.nextp = null;
    }

    /** Go's startlockedm: schedule the locked M to run the locked G, handing it our P; the caller then stops (stopm). */
    static void startlockedm(M mp, G gp) {
        M mp2 = gp.lockedm();
        if (mp2 == mp) {
            throw Throw.fatalThrow("startlockedm: locked to me");
        }
        if (mp2.nextp != null) {
            throw Throw.fatalThrow("startlockedm: m has p");
        }
        // directly handoff current P to the locked m
        incidlelocked(-1);
        P pp = releasep(mp);
        mp2.nextp = pp;
        mp2.notewakeup();
        // The caller (schedule) stops the M, once it has dropped gp.
    }

    /** Go's incidlelocked. */
    static void incidlelocked(int v) {
        Sched.lock.lock();
        Sched.nmidlelocked += v;
        if (v > 0) {
            CheckDead.checkdead();
        }
        Sched.lock.unlock();
    }

    // ---- P ownership ----

    /** Go's acquirep/wirep: associate pp (idle) and mp (without a P). */
    static void acquirep(M mp, P pp) {
        if (mp.p != null) {
            throw Throw.fatalThrow("wirep: already in go");
        }
        if (pp.m != null || pp.status != P._Pidle) {
            throw Throw.fatalThrow("wirep: invalid p state: " + pp + " m=" + pp.m + " status=" + pp.status);
        }
        mp.p = pp;
        pp.m = mp;
        pp.status = P._Prunning;
        // Go: acquirep emits ProcStart after the P is ours (not under the write flag: trace.go,
        // invariant 5).
        TraceThread w = Tracer.acquire(mp);
        if (w != null) {
            TraceEv.procStart(w);
            Tracer.release(w);
        }
    }

    /** Go's releasep: disassociate mp and its P; returns the P, now _Pidle and owned by the caller. */
    static P releasep(M mp) {
        P pp = mp.p;
        if (pp == null) {
            throw Throw.fatalThrow("releasep: invalid arg");
        }
        if (pp.m != mp || pp.status != P._Prunning) {
            throw Throw.fatalThrow("releasep: invalid p state: m=" + mp + " p.m=" + pp.m + " status=" + pp.status);
        }
        TraceThread w = Tracer.acquire(mp);
        if (w != null) {
            TraceEv.procStop(w, pp);
            Tracer.release(w);
        }
        mp.p = null;
        pp.m = null;
        pp.status = P._Pidle;
        return pp;
    }
}
