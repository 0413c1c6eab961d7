package dev.gort.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * Stopping the world and resizing the P set: Go's stopTheWorldWithSema,
 * startTheWorldWithSema, procresize, (pp *p) destroy, preemptall/preemptone and
 * GOMAXPROCS (proc.go, debug.go). The world stops Ps held by goroutines in syscalls too
 * (by claiming them, as sysmon does).
 *
 * <p>Stopping: under sched.lock, set {@code gcwaiting}, ask every running goroutine to
 * yield (preemptall), stop the caller's own P and every idle P, then wait until the
 * remaining Ms notice (findRunnable's top and handoffp call gcstopm) and count
 * {@code stopwait} down to zero. Starting: procresize builds the new allp, destroys the Ps
 * beyond the new count (their goroutines go to the global queue, their free Gs to the
 * global list), and the Ps with work get Ms.
 *
 * <p>Differences from Go: a goroutine yields to a stop request at a runtime call, or under
 * the agent at an injected check; one spinning in code with neither (the JDK's own, or a
 * program run without the agent) delays the stop until it calls into gort, as every
 * goroutine did in Go before 1.14 (no asynchronous preemption).
 */
final class Stw {
    private Stw() {}

    /** Go's stopTheWorld poll: re-request preemption every 100us while waiting. */
    static final long STOP_POLL_NANOS = 100_000;

    /** The GOMAXPROCS to apply when the world restarts (0: unchanged). Go: newprocs. */
    private static int newprocs;

    /**
     * Go's worldsema: serializes stop-the-world requests. A semaphore, as Go's, so a
     * goroutine that must wait for another stop-the-world parks and gives its P back: a
     * lock that blocked the M would hold a P that the other stopper waits for, forever.
     */
    private static final Sema worldsema = new Sema(1);

    /** Go's GOMAXPROCS: set the number of Ps when n >= 1; returns the previous value. */
    static int gomaxprocs(int n) {
        Rt.start();
        Sched.lock.lock();
        int ret = Sched.gomaxprocs;
        Sched.lock.unlock();
        if (n <= 0 || n == ret) {
            return ret;
        }
        stopTheWorld();
        // newprocs will be processed by startTheWorld
        newprocs = n;
        startTheWorld();
        return ret;
    }

    /** Go's stopTheWorldWithSema. Returns with every P stopped; the caller keeps its own. */
    static void stopTheWorld() {
        // Go: semacquire(&worldsema). The caller has entered gort already (Rt.gomaxprocs):
        // acquire0 does not enter and leave again, which would mark it as in user code while
        // it stops the world, for sysmon to claim.
        worldsema.acquire0(false, 0, WaitReason.SEMACQUIRE, Park.getg());
        // A trace never starts and a generation never advances inside a stop (Go: StartTrace
        // and traceAdvance hold worldsema): procresize's events belong to one generation.
        Tracer.stwSema.acquireUninterruptibly();
        // Go: trace.STWStart, from the stopping goroutine (a plain thread has none to show it on).
        stwTraced = false;
        if (Tracer.enabled && Current.thread() instanceof M caller && caller.curg != null && caller.p != null) {
            TraceThread w = Tracer.acquire();
            if (w != null) {
                TraceEv.stwStart(w, "GOMAXPROCS");
                stwTraced = true;
                Tracer.release(w);
            }
        }
        M me = Current.thread() instanceof M mp && mp.p != null ? mp : null;
        Sched.lock.lock();
        Sched.stwActive++;
        Sched.stopwait = Sched.gomaxprocs;
        Sched.stopnote = false;
        Sched.gcwaiting = true;
        Preempt.preemptall();
        // stop current P
        if (me != null) {
            me.p.status = P._Pgcstop;
            Sched.stopwait--;
        }
        // try to retake all P's in syscalls
        for (P pp : Sched.allp) {
            Syscall.Claim c = Syscall.setBlockOnExitSyscall(pp);
            if (c != null) {
                c.releaseP(P._Pgcstop);
                Sched.stopwait--;
                c.resume();
            }
        }
        // stop idle P's
        for (P pp; (pp = Sched.pidleget()) != null; ) {
            pp.status = P._Pgcstop;
            Sched.stopwait--;
        }
        boolean wait = Sched.stopwait > 0;
        stopnoteThread = Current.thread();
        Sched.lock.unlock();
        // wait for remaining P's to stop voluntarily
        if (wait) {
            // The caller's interrupt must not make park return at once. Read through Current:
            // a goroutine caller may have parked on worldsema and resumed on another M.
            boolean interrupted = Current.interrupted();
            while (!Sched.stopnote) {
                LockSupport.parkNanos(STOP_POLL_NANOS);
                interrupted |= Current.interrupted();
                Preempt.preemptall();
            }
            if (interrupted) {
                Current.thread().interrupt();
            }
        }
        Sched.lock.lock();
        if (Sched.stopwait != 0) {
            throw Throw.fatalThrow("stopTheWorld: not stopped (stopwait=" + Sched.stopwait + ")");
        }
        for (P pp : Sched.allp) {
            if (pp.status != P._Pgcstop) {
                throw Throw.fatalThrow("stopTheWorld: not stopped (status=" + pp.status + ")");
            }
        }
        Sched.lock.unlock();
    }

    private static volatile Thread stopnoteThread;
    /** Whether this stop-the-world's start was traced (its end must be); under worldsema. */
    private static boolean stwTraced;

    /** One more P stopped (gcstopm, handoffp); wakes the stopper at zero. sched.lock held. */
    static void stopwaitDone() {
        Sched.stopwait--;
        if (Sched.stopwait == 0) {
            Sched.stopnote = true;
            Thread t = stopnoteThread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Go's startTheWorldWithSema: resize the P set if asked, and give Ps with work to Ms. */
    static void startTheWorld() {
        Sched.lock.lock();
        int procs = Sched.gomaxprocs;
        if (newprocs != 0) {
            procs = newprocs;
            newprocs = 0;
        }
        P p1 = procresize(procs);
        // Reserve the ids of the Ms to create while still holding the lock, so they count as
        // running: the stopper may be a plain thread, and checkdead must never see these
        // Ps' goroutines runnable with no running M.
        java.util.List<Long> ids = new java.util.ArrayList<>();
        for (P pp = p1; pp != null; pp = pp.link) {
            if (pp.m == null) {
                ids.add(Sched.mReserveID());
            }
        }
        Sched.gcwaiting = false;
        // Sysmon went into its deep sleep when it saw gcwaiting: wake it, or a goroutine
        // that hogs a P from now on would not be preempted for up to a minute.
        Sysmon.wakeLocked();
        Sched.lock.unlock();
        int next = 0;
        while (p1 != null) {
            P pp = p1;
            p1 = pp.link;
            pp.link = null;
            M mp = pp.m;
            if (mp != null) {
                pp.m = null;
                if (mp.nextp != null) {
                    throw Throw.fatalThrow("startTheWorld: inconsistent mp->nextp");
                }
                mp.nextp = pp;
                mp.notewakeup();
            } else {
                // Start M to run P. Do not start another M below.
                Proc.newm(pp, false, ids.get(next++));
            }
        }
        // Wakeup an additional proc in case we have excessive runnable goroutines in
        // local queues or in the global queue. If we don't, the proc will park itself.
        Proc.wakep();
        Sched.lock.lock();
        Sched.stwActive--;
        CheckDead.checkdead(); // the stopper no longer counts as running
        Sched.lock.unlock();
        if (stwTraced) { // Go: trace.STWDone
            stwTraced = false;
            TraceThread w = Tracer.acquire();
            if (w != null) {
                TraceEv.stwDone(w);
                Tracer.release(w);
            }
        }
        Tracer.stwSema.release();
        worldsema.release0(false); // Go: semrelease(&worldsema), once the world runs again
    }

    /** Every P ever created, reused by procresize when it grows again (Go keeps them in allp's capacity). */
    static volatile P[] allpEver = new P[0];

    /**
     * Go's procresize: change the number of Ps to nprocs. sched.lock held, world stopped
     * (or not yet started). Returns the list (linked through p.link) of Ps with local
     * work, each with an M to wake in p.m (or null: start a new M). The caller's M, if it
     * has a P, keeps one.
     */
    static P procresize(int nprocs) {
        int old = Sched.gomaxprocs;
        if (old < 0 || nprocs <= 0) {
            throw Throw.fatalThrow("procresize: invalid arg");
        }
        // Go: trace.Gomaxprocs. The parser wants it from a running goroutine with a P (not at
        // start-up on a plain thread).
        if (Tracer.enabled && Current.thread() instanceof M caller && caller.curg != null && caller.p != null) {
            TraceStack.Stack pcs = TraceStack.capture();
            TraceThread w = Tracer.acquire();
            if (w != null) {
                TraceEv.gomaxprocs(w, nprocs, pcs);
                Tracer.release(w);
            }
        }
        P[] oldAllp = Sched.allp;
        if (nprocs > allpEver.length) {
            P[] ever = java.util.Arrays.copyOf(allpEver, nprocs);
            for (int i = allpEver.length; i < nprocs; i++) {
                ever[i] = new P(i);
            }
            allpEver = ever;
        }
        P[] nallp = java.util.Arrays.copyOf(allpEver, nprocs);
        // initialize new P's
        for (int i = old; i < nprocs; i++) {
            P pp = nallp[i];
            pp.status = P._Pgcstop;
        }
        int[] nmask = new int[(nprocs + 31) / 32];

        M me = Current.thread() instanceof M mp ? mp : null;
        if (me != null && me.p != null && me.p.id < nprocs) {
            // continue to use the current P
            me.p.status = P._Prunning;
        } else if (me != null && me.p != null) {
            // release the current P and acquire allp[0]; the trace shows the goroutine
            // stopping with its P and starting again on the new one (Go's procresize)
            TraceThread w = Tracer.acquire();
            if (w != null) {
                if (me.curg != null) {
                    TraceEv.goStop(w, me.curg, "runtime.Gosched", null);
                }
                TraceEv.procStop(w, me.p);
                Tracer.release(w);
            }
            me.p.m = null;
            me.p = null;
            P pp = nallp[0];
            pp.m = null;
            pp.status = P._Pidle;
            Proc.acquirep(me, pp);
            w = Tracer.acquire();
            if (w != null) {
                if (me.curg != null) {
                    TraceEv.goStart(w, me.curg);
                }
                Tracer.release(w);
            }
        }

        // release resources from unused P's
        P plocal = me != null && me.p != null ? me.p : nallp[0];
        for (int i = nprocs; i < old; i++) {
            destroy(oldAllp[i], plocal);
        }

        Sched.idlepMask = nmask;
        Sched.allp = nallp;
        FindRunnable.stealOrder = new StealOrder(nallp);
        Sched.gomaxprocs = nprocs;

        // Assign Ms to Ps with runnable goroutines.
        P runnablePs = null;
        for (int i = nprocs - 1; i >= 0; i--) {
            P pp = nallp[i];
            if (me != null && me.p == pp) {
                continue;
            }
            pp.status = P._Pidle;
            if (RunQueue.runqempty(pp)) {
                Sched.pidleput(pp);
                continue;
            }
            pp.m = Sched.mget();
            pp.link = runnablePs;
            runnablePs = pp;
        }
        return runnablePs;
    }

    /**
     * Go's (pp *p) destroy: move pp's goroutines to the global queue (in order: runnext
     * first, ahead of the ring), its free Gs to the global list, its sudogs to the
     * central cache; pp becomes _Pdead. World stopped, sched.lock held.
     */
    private static void destroy(P pp, P plocal) {
        // Move all runnable goroutines to the global queue
        GQueue q = RunQueue.runqdrain(pp);
        G gp;
        GQueue rev = new GQueue();
        while ((gp = q.pop()) != null) {
            rev.push(gp); // reversed, so pushing each to the head below restores the order
        }
        while ((gp = rev.pop()) != null) {
            Sched.globrunqputhead(gp);
        }
        // Move all timers to the local P.
        plocal.timers.take(pp.timers);
        NewProc.gfpurge(pp);
        Sched.sudoglock.lock();
        while (pp.nsudog > 0) {
            Sudog s = pp.sudogcache[--pp.nsudog];
            pp.sudogcache[pp.nsudog] = null;
            s.next = Sched.sudogcache;
            Sched.sudogcache = s;
        }
        Sched.sudoglock.unlock();
        pp.m = null;
        pp.link = null;
        pp.status = P._Pdead;
    }
}
