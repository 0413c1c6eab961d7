package dev.gort.runtime;

/**
 * Finding work for an M: Go's findRunnable, stealWork, checkRunqsNoP and checkTimersNoP
 * (proc.go), with the order in which Ps are visited for stealing ({@link StealOrder}).
 *
 * <p>The sources, in Go's order: the global queue every 61 schedticks (fairness), the local
 * queue, the global queue, then, if fewer than half the busy Ps have a spinning M, stealing
 * from the other Ps (4 passes in random order, timers and runnext on the last one). With
 * nothing found, the M gives up its P and re-checks every source after dropping
 * {@code nmspinning} (the "Delicate dance" below, which {@link Proc#handoffp} and
 * {@link Proc#wakep} rely on), waits for the earliest timer if no other M does (one M at a
 * time, {@link Netpoll}), and otherwise sleeps until another M starts it.
 */
final class FindRunnable {
    private FindRunnable() {}

    /** Go's stealTries: passes over all Ps before giving up. */
    static final int STEAL_TRIES = 4;
    /** Go's schedtick%61: the global queue is checked at least this often, for fairness. */
    static final int GLOBAL_RUNQ_CHECK = 61;

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
                Proc.gcstopm(mp);
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
                Sched.lock.lock();
                gp = globrunqgetbatch(mp, pp);
                Sched.lock.unlock();
                if (gp != null) {
                    runqputbatch(mp, pp);
                    return gp;
                }
            }

            // Poll network. This netpoll is only an optimization before we resort to
            // stealing. We can safely skip it if there are no waiters or a thread is blocked
            // in netpoll already. If there is any kind of logical race with that blocked
            // thread (e.g. it has already returned from netpoll, but does not set lastpoll
            // yet), this thread will do blocking netpoll below anyway.
            if (Netpoll.netpollinited() && Netpoll.netpollAnyWaiters() && Netpoll.lastpoll.get() != 0) {
                GQueue list = Netpoll.netpoll(0); // non-blocking
                gp = list.pop();
                if (gp != null) {
                    Netpoll.injectglist(list);
                    Netpoll.readyToRun(mp, gp);
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
                    Proc.becomeSpinning(mp);
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
                gp = globrunqgetbatch(mp, pp);
                Sched.lock.unlock();
                if (gp == null) {
                    throw Throw.fatalThrow("global runq empty with non-zero runqsize");
                }
                runqputbatch(mp, pp);
                return gp;
            }
            if (!mp.spinning && Sched.needspinning == 1) {
                // See "Delicate dance" comment below.
                Proc.becomeSpinning(mp);
                Sched.lock.unlock();
                continue;
            }
            if (Proc.releasep(mp) != pp) {
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
                        gp = globrunqgetbatch(mp, pp2);
                        Sched.lock.unlock();
                        if (gp == null) {
                            throw Throw.fatalThrow("global runq empty with non-zero runqsize");
                        }
                        runqputbatch(mp, pp2);
                        Proc.acquirep(mp, pp2);
                        Proc.becomeSpinning(mp);
                        return gp;
                    }
                }
                Sched.lock.unlock();

                P pp2 = checkRunqsNoP(allpSnapshot.allp, idlepMaskSnapshot);
                if (pp2 != null) {
                    Proc.acquirep(mp, pp2);
                    Proc.becomeSpinning(mp);
                    continue top;
                }

                // Finally, check for timer creation or expiry concurrently with
                // transitioning from spinning to non-spinning.
                pollUntil = checkTimersNoP(allpSnapshot.allp, pollUntil);
            }

            // Poll network until next timer (one M at a time): with only timers, until the
            // earliest; with goroutines waiting on the network, until then or forever.
            boolean netWait = Netpoll.netpollinited() && Netpoll.netpollAnyWaiters();
            if ((netWait || pollUntil != 0) && Netpoll.lastpoll.getAndSet(0) != 0) {
                Netpoll.pollUntil = pollUntil;
                if (mp.p != null) {
                    throw Throw.fatalThrow("findRunnable: netpoll with p");
                }
                if (mp.spinning) {
                    throw Throw.fatalThrow("findRunnable: netpoll with spinning");
                }
                long delay = -1;
                if (pollUntil != 0) {
                    if (now == 0) {
                        now = Clock.nanotime();
                    }
                    delay = Math.max(1, pollUntil - now);
                    if (Timers.timeSleepUntil() > pollUntil) {
                        // The timer we would wait for was stopped after we saw it (its
                        // stopper looked before we published pollUntil: Netpoll.timerGone).
                        // Look again instead of sleeping until its old time.
                        delay = 0;
                    }
                }
                // Blocking forever for goroutines that ended runs abandoned only: count this
                // M as idle, so that checkdead can still judge the live runs (gort's own,
                // see Netpoll.abandonedWaiters).
                boolean abandoned = delay < 0 && Netpoll.netpollLiveWaiters() <= 0;
                if (abandoned) {
                    Sched.lock.lock();
                    Sched.nmnetpollAbandoned++;
                    CheckDead.checkdead();
                    Sched.lock.unlock();
                }
                GQueue list = Netpoll.netpoll(delay); // block until new work is available
                if (abandoned) {
                    Sched.lock.lock();
                    Sched.nmnetpollAbandoned--;
                    Sched.lock.unlock();
                }
                // Refresh now again, after potentially blocking.
                now = Clock.nanotime();
                Netpoll.pollUntil = 0;
                Netpoll.lastpoll.set(now | 1);
                Sched.lock.lock();
                P pp2 = Sched.pidleget();
                Sched.lock.unlock();
                if (pp2 == null) {
                    Netpoll.injectglist(list);
                } else {
                    Proc.acquirep(mp, pp2);
                    gp = list.pop();
                    if (gp != null) {
                        Netpoll.injectglist(list);
                        Netpoll.readyToRun(mp, gp);
                        mp.inheritTime = false;
                        return gp;
                    }
                    if (wasSpinning) {
                        Proc.becomeSpinning(mp);
                    }
                    continue;
                }
            } else if (pollUntil != 0) {
                long pollerPollUntil = Netpoll.pollUntil;
                if (pollerPollUntil == 0 || pollerPollUntil > pollUntil) {
                    Netpoll.netpollBreak();
                }
            }
            Proc.stopm(mp);
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
                        pp.nsteal++;
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

    /**
     * Go's globrunqgetbatch(len(pp.runq)/2): one G to run and a fair share of the global
     * queue for pp, left in {@code mp.batch} for {@link #runqputbatch}. Sets
     * {@code mp.inheritTime} (false: a new time slice). sched.lock held.
     */
    static G globrunqgetbatch(M mp, P pp) {
        mp.inheritTime = false;
        return Sched.globrunqgetbatch(pp.runq.length / 2, mp.batch);
    }

    /**
     * Go's {@code runqputbatch(pp, &q); if !q.empty() { throw(...) }} after
     * globrunqgetbatch: the batch onto pp's local queue, which is empty and has room for it.
     * Without sched.lock.
     */
    static void runqputbatch(M mp, P pp) {
        GQueue q = mp.batch;
        RunQueue.runqputbatch(pp, q);
        if (!q.empty()) {
            throw Throw.fatalThrow("Couldn't put Gs into empty local runq");
        }
    }
}
