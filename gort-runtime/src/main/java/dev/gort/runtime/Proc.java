package dev.gort.runtime;

/**
 * The scheduler loop and the management of Ms and Ps: Go's mstart, schedule,
 * findRunnable, stealWork, execute, wakep, startm, stopm, handoffp, resetspinning,
 * stoplockedm, startlockedm, acquirep and releasep (proc.go), under the same names.
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
 * <p>Differences from Go: no GC workers, no trace reader (later issue), no netpoller
 * (later issue); timers and sysmon arrive with the issue that builds them.
 */
final class Proc {
    private Proc() {}

    /** Go's stealTries: passes over all Ps before giving up. */
    static final int STEAL_TRIES = 4;
    /** Go's schedtick%61: the global queue is checked at least this often, for fairness. */
    static final int GLOBAL_RUNQ_CHECK = 61;

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
            pp.preempt = false;
            // Safety check: if we are spinning, the run queue should be empty.
            if (mp.spinning && (pp.runnext != null || !RunQueue.runqempty(pp))) {
                throw Throw.fatalThrow("schedule: spinning with local work");
            }
            G gp = findRunnable(mp); // blocks until work is available
            // This thread is going to run a goroutine and is not spinning anymore, so if it
            // was marked as spinning we need to reset it now and potentially start a new
            // spinning M.
            if (mp.spinning) {
                resetspinning(mp);
            }
            if (gp.lockedm != null) {
                // Hands off own p to the locked m, then blocks waiting for a new p.
                startlockedm(mp, gp);
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
        Run r = gp.run;
        if (r != null && r.dead()) {
            // Go's freezetheworld stops every M; here the dead run's goroutines are set
            // aside as they come up to run, for good (Run.freeze).
            gp.waitreason = WaitReason.FROZEN;
            G.casgstatus(gp, G._Grunnable, G._Gwaiting);
            return null;
        }
        mp.curg = gp;
        gp.m = mp;
        G.casgstatus(gp, G._Grunnable, G._Grunning);
        gp.preempt = false;
        if (!inheritTime) {
            mp.p.schedtick++;
        }
        // A goroutine resumes inside gort (every yield is in runtime code); a new one starts
        // in user code and says so itself (G.run).
        M.IN_RUNTIME.setRelease(mp, 1);
        // The M's interrupt status is the status of the goroutine it runs (user code sees the
        // M as its thread): drop what reached the M while it ran no goroutine, mount the
        // goroutine's own, and take it back when the goroutine leaves.
        Thread.interrupted();
        if (gp.interrupted) {
            gp.interrupted = false;
            mp.interrupt();
        }
        gp.stack.run(); // gogo
        // Back on g0.
        if (gp.stack.isDone()) {
            Thread.interrupted();
            Park.goexit0(mp, gp);
            return null;
        }
        gp.interrupted = Thread.interrupted();
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

    // ---- finding work ----

    /**
     * Go's findRunnable: find a runnable goroutine to execute. Tries the local queue, the
     * global queue (first, every 61 ticks, for fairness), then stealing from other Ps;
     * with nothing to do, gives up the P and sleeps. Sets {@code mp.inheritTime}.
     *
     * <p>The conditions here and in handoffp must agree: if findRunnable would return a G
     * to run, handoffp must start an M.
     */
    static G findRunnable(M mp) {
        top:
        for (;;) {
            P pp = mp.p;
            if (Sched.gcwaiting) {
                gcstopm(mp);
                continue;
            }

            // now and pollUntil are saved for work stealing later, which may steal timers.
            // It's important that between now and then, nothing blocks, so these numbers
            // remain mostly relevant.
            long pollUntil = pp.timers.check(0, mp, true);
            long now = mp.timerNow;

            // Check the global runnable queue once in a while to ensure fairness.
            // Otherwise two goroutines can completely occupy the local runqueue by
            // constantly respawning each other.
            if (pp.schedtick % GLOBAL_RUNQ_CHECK == 0 && !Sched.runqEmpty()) {
                Sched.lock.lock();
                G gp = Sched.globrunqget();
                Sched.lock.unlock();
                if (gp != null) {
                    mp.inheritTime = false;
                    return gp;
                }
            }

            // local runq
            G gp = RunQueue.runqget(pp, mp);
            if (gp != null) {
                return gp;
            }

            // global runq
            if (!Sched.runqEmpty()) {
                GQueue q = mp.batch;
                Sched.lock.lock();
                gp = Sched.globrunqgetbatch(pp.runq.length / 2, q);
                Sched.lock.unlock();
                if (gp != null) {
                    RunQueue.runqputbatch(pp, q);
                    if (!q.empty()) {
                        throw Throw.fatalThrow("Couldn't put Gs into empty local runq");
                    }
                    mp.inheritTime = false;
                    return gp;
                }
            }

            // Spinning Ms: steal work from other Ps.
            //
            // Limit the number of spinning Ms to half the number of busy Ps. This is
            // necessary to prevent excessive CPU consumption when GOMAXPROCS>>1 but the
            // program parallelism is low.
            if (mp.spinning || 2 * Sched.nmspinning < Sched.gomaxprocs - Sched.npidle) {
                if (!mp.spinning) {
                    becomeSpinning(mp);
                }
                gp = stealWork(mp, now);
                if (gp != null) {
                    return gp;
                }
                if (mp.stealNewWork) {
                    continue; // there may be new timer or stop-the-world work: restart
                }
                now = mp.timerNow;
                long w = mp.stealPollUntil;
                if (w != 0 && (pollUntil == 0 || w < pollUntil)) {
                    // Earlier timer to wait for.
                    pollUntil = w;
                }
            }

            // We have nothing to do. Before we drop our P, snapshot allp (which may change
            // underfoot once we no longer hold a P) together with the idle mask.
            StealOrder allpSnapshot = stealOrder;
            int[] idlepMaskSnapshot = Sched.idlepMask;

            // return P and block
            Sched.lock.lock();
            if (Sched.gcwaiting) {
                Sched.lock.unlock();
                continue;
            }
            if (!Sched.runqEmpty()) {
                GQueue q = mp.batch;
                gp = Sched.globrunqgetbatch(pp.runq.length / 2, q);
                Sched.lock.unlock();
                if (gp == null) {
                    throw Throw.fatalThrow("global runq empty with non-zero runqsize");
                }
                RunQueue.runqputbatch(pp, q);
                if (!q.empty()) {
                    throw Throw.fatalThrow("Couldn't put Gs into empty local runq");
                }
                mp.inheritTime = false;
                return gp;
            }
            if (!mp.spinning && Sched.needspinning == 1) {
                // See "Delicate dance" comment below.
                becomeSpinning(mp);
                Sched.lock.unlock();
                continue;
            }
            if (releasep(mp) != pp) {
                throw Throw.fatalThrow("findRunnable: wrong p");
            }
            Sched.pidleput(pp);
            Sched.lock.unlock();

            // Delicate dance: thread transitions from spinning to non-spinning state,
            // potentially concurrently with submission of new work. We must drop
            // nmspinning first and then check all sources again (with #StoreLoad memory
            // barrier in between). If we do it the other way around, another thread can
            // submit work after we've checked all sources but before we drop nmspinning;
            // as a result nobody will unpark a thread to run the work.
            //
            // If we discover new work below, we need to restore m.spinning as a signal for
            // resetspinning to unpark a new worker thread (because there can be more than
            // one starving goroutine).
            //
            // However, if after discovering new work we also observe no idle Ps, we may be
            // racing with a non-spinning M in the block above, having found no work and
            // preparing to release its P and park. sched.needspinning makes such an M
            // become spinning on our behalf instead of dropping its P.
            boolean wasSpinning = mp.spinning;
            if (mp.spinning) {
                mp.spinning = false;
                if ((int) Sched.NMSPINNING.getAndAdd(-1) - 1 < 0) { // full fence: the #StoreLoad
                    throw Throw.fatalThrow("findRunnable: negative nmspinning");
                }

                // Check global and P runqueues again.
                Sched.lock.lock();
                if (!Sched.runqEmpty()) {
                    P pp2 = Sched.pidlegetSpinning();
                    if (pp2 != null) {
                        GQueue q = mp.batch;
                        gp = Sched.globrunqgetbatch(pp2.runq.length / 2, q);
                        Sched.lock.unlock();
                        if (gp == null) {
                            throw Throw.fatalThrow("global runq empty with non-zero runqsize");
                        }
                        acquirep(mp, pp2);
                        RunQueue.runqputbatch(pp2, q);
                        if (!q.empty()) {
                            throw Throw.fatalThrow("Couldn't put Gs into empty local runq");
                        }
                        becomeSpinning(mp);
                        mp.inheritTime = false;
                        return gp;
                    }
                }
                Sched.lock.unlock();

                P pp2 = checkRunqsNoP(allpSnapshot.allp, idlepMaskSnapshot);
                if (pp2 != null) {
                    acquirep(mp, pp2);
                    becomeSpinning(mp);
                    continue top;
                }

                // Finally, check for timer creation or expiry concurrently with
                // transitioning from spinning to non-spinning.
                pollUntil = checkTimersNoP(allpSnapshot.allp, pollUntil);
            }

            // Wait until the next timer ("poll network until next timer"): one M at a time.
            if (pollUntil != 0 && Netpoll.lastpoll.getAndSet(0) != 0) {
                Netpoll.pollUntil = pollUntil;
                if (mp.p != null) {
                    throw Throw.fatalThrow("findRunnable: netpoll with p");
                }
                if (mp.spinning) {
                    throw Throw.fatalThrow("findRunnable: netpoll with spinning");
                }
                if (now == 0) {
                    now = Clock.nanotime();
                }
                long delay = Math.max(1, pollUntil - now);
                if (Timers.timeSleepUntil() > pollUntil) {
                    // The timer we would wait for was stopped after we saw it (its
                    // stopper looked before we published pollUntil: Netpoll.timerGone).
                    // Look again instead of sleeping until its old time.
                    delay = 0;
                }
                Netpoll.netpoll(delay); // block until new work is available
                // Refresh now again, after potentially blocking.
                now = Clock.nanotime();
                Netpoll.pollUntil = 0;
                Netpoll.lastpoll.set(now | 1);
                Sched.lock.lock();
                P pp2 = Sched.pidleget();
                Sched.lock.unlock();
                if (pp2 != null) {
                    acquirep(mp, pp2);
                    if (wasSpinning) {
                        becomeSpinning(mp);
                    }
                    continue;
                }
            } else if (pollUntil != 0) {
                long pollerPollUntil = Netpoll.pollUntil;
                if (pollerPollUntil == 0 || pollerPollUntil > pollUntil) {
                    Netpoll.netpollBreak();
                }
            }
            stopm(mp);
        }
    }

    /**
     * Go's checkTimersNoP: with no P, the earliest timer of any P if before pollUntil.
     */
    static long checkTimersNoP(P[] allpSnapshot, long pollUntil) {
        for (P p2 : allpSnapshot) {
            long w = p2.timers.wakeTime();
            if (w != 0 && (pollUntil == 0 || w < pollUntil)) {
                pollUntil = w;
            }
        }
        return pollUntil;
    }

    /** The current steal order and the allp it enumerates; replaced by procresize. */
    static volatile StealOrder stealOrder = new StealOrder(new P[0]);

    /**
     * Go's stealWork: try to steal a runnable goroutine or timer from any P, 4 passes in
     * random order; the last pass also runs other Ps' due timers and may take a victim's
     * runnext. Returns the G, or null; the time read goes to {@code mp.timerNow}, the
     * earliest timer seen to {@code mp.stealPollUntil}, and whether new work may have
     * appeared (a timer ran, or a stop-the-world is waiting) to {@code mp.stealNewWork}.
     */
    static G stealWork(M mp, long now) {
        P pp = mp.p;
        boolean ranTimer = false;
        long pollUntil = 0;
        mp.stealNewWork = false;
        StealOrder ord = stealOrder;
        P[] allp = ord.allp;
        int count = allp.length;
        for (int i = 0; i < STEAL_TRIES; i++) {
            boolean stealTimersOrRunNextG = i == STEAL_TRIES - 1;
            int r = mp.cheaprand();
            int pos = ord.startPos(r);
            int inc = ord.startInc(r);
            for (int k = 0; k < count; k++, pos = (pos + inc) % count) {
                if (Sched.gcwaiting) {
                    // A stop-the-world may be waiting for this P.
                    mp.timerNow = now;
                    mp.stealPollUntil = pollUntil;
                    mp.stealNewWork = true;
                    return null;
                }
                P p2 = allp[pos];
                if (pp == p2) {
                    continue;
                }
                // Steal timers from p2. This call to check is the only place where we might
                // hold a lock on a different P's timers. We do this once on the last pass
                // before checking runnext because stealing from the other P's runnext should
                // be the last resort, so if there are timers to steal do that first.
                if (stealTimersOrRunNextG && p2.timers.len() > 0) {
                    long w = p2.timers.check(now, mp, false);
                    now = mp.timerNow;
                    if (w != 0 && (pollUntil == 0 || w < pollUntil)) {
                        pollUntil = w;
                    }
                    if (mp.timerRan) {
                        // Running the timers may have made an arbitrary number of G's ready
                        // and added them to this P's local run queue. That invalidates the
                        // assumption of runqsteal that it always has room to add stolen G's.
                        // So check now if there is a local G to run.
                        G gp = RunQueue.runqget(pp, mp);
                        if (gp != null) {
                            mp.timerNow = now;
                            mp.stealPollUntil = pollUntil;
                            mp.stealNewWork = ranTimer;
                            return gp;
                        }
                        ranTimer = true;
                    }
                }
                // Don't bother to attempt to steal if p2 is idle.
                if (!Sched.maskRead(Sched.idlepMask, pos)) {
                    G gp = RunQueue.runqsteal(pp, p2, stealTimersOrRunNextG);
                    if (gp != null) {
                        mp.inheritTime = false;
                        mp.timerNow = now;
                        mp.stealPollUntil = pollUntil;
                        mp.stealNewWork = ranTimer;
                        return gp;
                    }
                }
            }
        }
        // No goroutines found to steal. Regardless, running a timer may have made some
        // goroutine ready that we missed. Indicate the next timer to wait for.
        mp.timerNow = now;
        mp.stealPollUntil = pollUntil;
        mp.stealNewWork = ranTimer;
        return null;
    }

    /**
     * Go's checkRunqsNoP: with no P, look for a non-idle P with work; if there is one and
     * an idle P to run it, return the idle P (to be acquired by the caller).
     */
    static P checkRunqsNoP(P[] allpSnapshot, int[] idlepMaskSnapshot) {
        for (int id = 0; id < allpSnapshot.length; id++) {
            P p2 = allpSnapshot[id];
            if (!Sched.maskRead(idlepMaskSnapshot, id) && !RunQueue.runqempty(p2)) {
                Sched.lock.lock();
                P pp = Sched.pidlegetSpinning();
                Sched.lock.unlock();
                return pp; // null: can't get a P, don't bother checking remaining Ps
            }
        }
        return null;
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
        // Differences from Go: a P becomes busy; sysmon must watch it (see Sysmon).
        if (Sched.sysmonwait) {
            Sysmon.wake(true);
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
        Sched.allm.add(mp);
        mp.start(); // Thread.start publishes nextp and spinning
        if (Sched.sysmonwait) {
            Sysmon.wake(true);
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
        if (mp.lockedg == null || mp.lockedg.lockedm != mp) {
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

    /** Go's startlockedm: schedule the locked M to run the locked G, handing it our P; we stop. */
    static void startlockedm(M mp, G gp) {
        M mp2 = gp.lockedm;
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
        stopm(mp);
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
        mp.p = null;
        pp.m = null;
        pp.status = P._Pidle;
        return pp;
    }
}
