package dev.gort.runtime;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * System calls: Go 1.26's entersyscall (reentersyscall), entersyscallblock, exitsyscall,
 * exitsyscallTryGetP, exitsyscallNoP and setBlockOnExitSyscall (proc.go).
 *
 * <h2>The protocol (Go 1.26)</h2>
 * A goroutine entering a call that may block the thread moves to {@code _Gsyscall} and
 * keeps its P (still {@code _Prunning}). If the call returns soon, exitsyscall finds the P
 * still attached: the fast path is two CASes. If it blocks, sysmon takes the P: it claims
 * the goroutine with the {@code _Gscan} bit (so the goroutine cannot leave the syscall
 * meanwhile), checks that the same M and P are still wired, unwires the P and hands it off
 * (handoffp). Leaving the syscall, the goroutine then finds no P: it takes its old P back
 * if that P's new owner is itself in a syscall, else an idle P, else it queues itself on
 * the global run queue and its M stops (exitsyscallNoP).
 *
 * <h2>Implicit syscalls (Differences from Go)</h2>
 * Go's goroutines block the thread only in syscalls, which the runtime sees. A goroutine
 * on the JVM can block its M in plain JDK code (a monitor, {@code Object.wait},
 * {@code LockSupport.park}, {@code Thread.sleep}). Sysmon sees such an M by its thread state
 * and, using the handshake of {@link Entry}, moves the goroutine to {@code _Gsyscall} on its
 * behalf ({@link #claimBlocked}); from then on the usual rules retake the P. When the
 * goroutine next enters gort it finds itself in {@code _Gsyscall} and leaves it
 * ({@link #exitImplicit}) before touching any P state. Between waking up and that call it
 * runs user code with no P, as Go's goroutines do right after a syscall returns.
 *
 * <p>That window must stay short, or more goroutines run user code at once than GOMAXPROCS
 * allows (found with Groovy under the agent: goroutines that met on a JDK lock at start-up
 * then computed for seconds, seven at a time with GOMAXPROCS=2). So sysmon also watches the
 * goroutines it moved ({@link #noticeWoken}): for one whose thread runs again it raises the
 * preemption flag, and the goroutine's next preemption check (under the agent) leaves the
 * syscall on its own M ({@link #exitWoken}): it gets a P back, or waits on that M for one.
 * It must not move to another M there: it was woken inside JDK code that may have taken
 * its thread's identity (an AQS waiter node names the thread to unpark), and the check
 * may be in a callback of that code (a lock's tryAcquire).
 *
 * <h2>Stuck where the thread state does not show it (Differences from Go)</h2>
 * A thread waiting for another thread's class initialization (or in native code) is
 * RUNNABLE. While a static initializer is slow and may need the Ps ({@link ClassInits}),
 * sysmon judges such a goroutine by its thread's CPU clock instead ({@link #claimStuck},
 * {@link #cpuProgress}): little CPU over a window means blocked. It becomes an implicit
 * syscall of the kind {@link #IMPLICIT_STUCK}, which is watched by the same clock, not by
 * the thread state: it is awake once its thread uses CPU again. Such goroutines, while
 * blocked, are counted in {@link #nstuck}, which the deadlock detector subtracts from the
 * running Ms ({@link CheckDead}). The preemption flag stays down while they are blocked,
 * however long: it is raised only for awake ones. While an initializer is slow, a
 * goroutine claimed by its thread state whose thread then stays RUNNABLE without running
 * is turned into this kind ({@link #noticeWoken}): a thread waiting for a class
 * initialization can look WAITING for a moment first. The states and counts are in
 * {@link Implicits}.
 */
final class Syscall {
    private Syscall() {}

    /** {@code G.implicitSyscall}: sysmon moved it into a syscall while its thread was blocked. */
    static final int IMPLICIT_BLOCKED = 1;
    /** {@code G.implicitSyscall}: sysmon has since seen its thread run again (without a P). */
    static final int IMPLICIT_AWAKE = 2;
    /**
     * {@code G.implicitSyscall}, or-ed with one of the above: claimed while its thread was
     * RUNNABLE but used no CPU (stuck in the VM or native code), so judged by its CPU clock.
     */
    static final int IMPLICIT_STUCK = 4;
    /**
     * A thread RUNNABLE outside gort that used less CPU than {@link #RAN_CPU_NS} over this
     * window is taken for blocked. A millisecond: a waiter on a slow initialization gives
     * its P up about a millisecond after it blocks, and a thread that merely lost its CPU to
     * another on a busy machine is rarely off it that long (if it is, it runs without a P
     * until its next check: harmless).
     */
    static final long STUCK_WINDOW_NS = 1_000_000;
    /** CPU use that shows a thread ran: far above a blocked thread's (none), far below a window's worth. */
    static final long RAN_CPU_NS = 50_000;
    /** The implicit-syscall states of goroutines and their counts. */
    static final Implicits implicits = new Implicits();
    /** Goroutines in an implicit syscall: while any, sysmon keeps watching (no deep sleep). */
    static final AtomicInteger nimplicit = implicits.n;
    /**
     * Of those, the ones sysmon saw running again: while any, the preemption flag stays up
     * ({@link Preempt#preemptSlow}), so that their next check sees it.
     */
    static final AtomicInteger nawake = implicits.awake;
    /**
     * Of those, the ones of kind {@link #IMPLICIT_STUCK} and not awake: their Ms are
     * blocked, though RUNNABLE (CheckDead does not count them as running).
     */
    static final AtomicInteger nstuck = implicits.stuck;

    /** Go's entersyscall: the goroutine may block the thread; its P stays but can be taken. */
    static void entersyscall(G gp) {
        M mp = gp.m;
        P pp = mp.p;
        mp.syscalltick = pp.syscalltick;
        mp.oldp = pp;
        if (Jfr.syscall) {
            mp.jfrSyscall = JfrEvents.syscallBegin(false);
        }
        // Go's reentersyscall: GoSysCall, then the stop-the-world's ProcStop, then the switch,
        // all under one write flag.
        boolean tracing = Tracer.enabled; // one read on the path while tracing is off
        TraceStack.Stack pcs = tracing ? TraceStack.cached(gp, Syscall.class, null) : null;
        TraceThread w = tracing ? Tracer.acquire(mp.trace) : null;
        if (w != null) {
            TraceEv.goSysCall(w, gp, pcs);
        }
        if (Sched.gcwaiting) {
            entersyscallHandleGCWait(mp, w);
        }
        // Differences from Go: Go wakes sysmon only from deep sleep. With work queued here,
        // sysmon is also kicked out of a long back-off sleep, so the P is retaken after one
        // tick (~20us) rather than after up to 10ms. Whether work is queued is read before
        // the switch below: mp.p may be null (handed to a stop-the-world) or, after it, taken.
        P stillOurs = mp.p;
        boolean workQueued = stillOurs != null && !RunQueue.runqempty(stillOurs);
        // Go: "As soon as we switch to _Gsyscall, we are in danger of losing our P. We must
        // not touch it after this point." (sysmon's retake may unwire it at any moment.)
        G.casgstatus(gp, G._Grunning, G._Gsyscall);
        if (w != null) {
            Tracer.release(w);
        }
        if (Sched.sysmonwait || workQueued) {
            Sysmon.wake(true);
        }
    }

    /** Go's entersyscallHandleGCWait: a stop-the-world is waiting; give it our P right away. */
    private static void entersyscallHandleGCWait(M mp, TraceThread w) {
        Sched.lock.lock();
        if (Sched.stopwait > 0) {
            P pp = mp.p;
            if (w != null) {
                TraceEv.procStop(w, pp);
            }
            pp.m = null;
            mp.p = null;
            pp.status = P._Pgcstop;
            pp.syscalltick++;
            Stw.stopwaitDone();
        }
        Sched.lock.unlock();
    }

    /** Go's entersyscallblock: the call is known to block; hand off the P at once. */
    static void entersyscallblock(G gp) {
        M mp = gp.m;
        mp.syscalltick = mp.p.syscalltick;
        mp.p.syscalltick++;
        mp.oldp = null;
        if (Jfr.syscall) {
            mp.jfrSyscall = JfrEvents.syscallBegin(false);
        }
        boolean tracing = Tracer.enabled; // one read on the path while tracing is off
        TraceStack.Stack pcs = tracing ? TraceStack.cached(gp, Syscall.class, null) : null;
        TraceThread w = tracing ? Tracer.acquire(mp.trace) : null;
        if (w != null) {
            TraceEv.goSysCall(w, gp, pcs); // Go's entersyscallblock: GoSysCall, then releasep's ProcStop
            Tracer.release(w);
        }
        Proc.handoffp(Proc.releasep(mp));
        G.casgstatus(gp, G._Grunning, G._Gsyscall);
    }

    /**
     * Go's exitsyscall: the goroutine is back from the call. Returns with the goroutine
     * running on a P (possibly after parking until one was free), maybe on another M.
     */
    static void exitsyscall(G gp) {
        G.casgstatus(gp, G._Gsyscall, G._Grunning); // waits while sysmon holds the scan bit
        gp.setWaitsince(0); // Go: exitsyscall
        implicits.left(gp);
        M mp = gp.m;
        Object jfr = mp.jfrSyscall; // after the CAS: sees what a claim by sysmon set
        if (jfr != null) {
            mp.jfrSyscall = null;
            JfrEvents.syscallEnd(jfr, gp, mp.p == null);
        }
        P oldp = mp.oldp;
        mp.oldp = null;
        if (mp.p != null) {
            // Fast path: we still have our P (Go: the syscall exit event, or, if the P
            // was treated as lost, a self-steal and the events of a slow exit).
            TraceThread w = Tracer.acquire(mp);
            if (w != null) {
                if (mp.p.syscalltick == mp.syscalltick) {
                    TraceEv.goSysExit(w, gp, false);
                } else {
                    TraceEv.procSteal(w, mp.p, true);
                    TraceEv.procStart(w);
                    TraceEv.goSysExit(w, gp, true);
                    TraceEv.goStart(w, gp);
                }
                Tracer.release(w);
            }
            mp.p.syscalltick++;
            return;
        }
        P pp = exitsyscallTryGetP(mp, oldp);
        if (pp != null) {
            Proc.acquirep(mp, pp); // ProcStart
            TraceThread w = Tracer.acquire(mp);
            if (w != null) {
                TraceEv.goSysExit(w, gp, true);
                TraceEv.goStart(w, gp);
                Tracer.release(w);
            }
            mp.p.syscalltick++;
            return;
        }
        if (!Park.mcall(mp, M.EXITSYSCALL_NOP)) {
            exitsyscallNoPPinned(mp, gp);
        }
    }

    /** Go's exitsyscallTryGetP: our old P if its new owner is in a syscall itself, else an idle P. */
    static P exitsyscallTryGetP(M mp, P oldp) {
        if (oldp != null) {
            Claim c = setBlockOnExitSyscall(oldp);
            if (c != null) {
                c.releaseP(P._Pidle);
                c.resume();
                return oldp;
            }
        }
        if (Sched.npidle > 0) {
            Sched.lock.lock();
            P pp = Sched.pidleget();
            if (pp != null && Sched.sysmonwait) {
                Sysmon.wakeLocked();
            }
            Sched.lock.unlock();
            return pp;
        }
        return null;
    }

    /**
     * Go's exitsyscallNoP, on g0: no P to continue on. Take an idle P if one appeared,
     * else queue the goroutine globally and stop the M. Returns the G to execute at once
     * (with a P), or null with no P: the M stops in {@link Proc#mstart}'s loop.
     *
     * <p>Differences from Go: Go's exitsyscall0 calls stopm itself. Here the M would sleep
     * under this frame, execute's and mstart's, which all hold gp; the interpreter treats
     * every reference slot of its frames as live, so an idle M kept the goroutine reachable
     * for as long as it slept, and a leak detection could not find it leaked once it
     * blocked (GoroutineLeak; the goroutine leak test missed one in about five runs). So
     * the M stops once those frames are gone.
     */
    static G exitsyscallNoP(M mp, G gp) {
        TraceThread w = Tracer.acquire(mp);
        G.casgstatus(gp, G._Grunning, G._Grunnable);
        if (w != null) {
            TraceEv.goSysExit(w, gp, true);
            Tracer.release(w);
        }
        Park.dropg(mp, gp);
        Sched.lock.lock();
        P pp = Sched.pidleget();
        boolean locked = false;
        if (pp == null) {
            Sched.globrunqput(gp);
            locked = gp.lockedm() != null;
        } else if (Sched.sysmonwait) {
            Sysmon.wakeLocked();
        }
        Sched.lock.unlock();
        if (pp != null) {
            Proc.acquirep(mp, pp);
            mp.inheritTime = false;
            return gp; // execute(gp, false)
        }
        if (locked) {
            Proc.stoplockedm(mp);
            mp.inheritTime = false;
            return gp; // execute(gp, false)
        }
        return null; // mstart: stopm(), then schedule()
    }

    /**
     * exitsyscallNoP for a goroutine whose continuation cannot yield: it waits on its own
     * M, locked to it (as parkPinned does), until some M hands it a P (startlockedm).
     */
    private static void exitsyscallNoPPinned(M mp, G gp) {
        boolean wasLocked = gp.lockedm() != null;
        gp.setLockedm(mp);
        mp.lockedg = gp;
        TraceThread w = Tracer.acquire(mp);
        G.casgstatus(gp, G._Grunning, G._Grunnable);
        if (w != null) {
            TraceEv.goSysExit(w, gp, true);
            Tracer.release(w);
        }
        Park.dropg(mp, gp);
        Sched.lock.lock();
        P pp = Sched.pidleget();
        if (pp == null) {
            Sched.globrunqput(gp);
        } else if (Sched.sysmonwait) {
            Sysmon.wakeLocked(); // as exitsyscallNoP: a P becomes busy, sysmon must watch it
        }
        Sched.lock.unlock();
        if (pp != null) {
            Proc.acquirep(mp, pp);
        } else {
            ClassInits.State init = ClassInits.pinnedWait(gp); // an initializer waiting for a P
            Proc.stoplockedm(mp); // returns with a P; gp was handed to us runnable
            ClassInits.pinnedWaitDone(gp, init);
        }
        Park.resumePinned(mp, gp);
        if (gp.run != null && gp.run.dead()) {
            Park.freezePinned(mp, gp); // never returns
        }
        mp.p.schedtick++;
        mp.p.nswitch++;
        if (!wasLocked) {
            gp.setLockedm(null);
            mp.lockedg = null;
        }
    }

    /**
     * Leaves the syscall the goroutine is in, if any: an implicit one (sysmon took the
     * goroutine for blocked while it was in JDK code), at its next runtime entry, or an
     * explicit one at its end. Waits while sysmon still holds the scan bit. The caller has
     * announced itself in gort ({@code m.inRuntime}), so no new claim can start.
     */
    static void exitImplicit(G gp) {
        for (int i = 0; ; i++) {
            int s = G.readgstatus(gp);
            if (s == G._Grunning) {
                return; // sysmon backed off
            }
            if (s == G._Gsyscall) {
                exitsyscall(gp);
                return;
            }
            if ((s & ~G._Gscan) != G._Grunning && (s & ~G._Gscan) != G._Gsyscall) {
                throw Throw.fatalThrow("exitImplicit: goroutine " + gp.goid + " in status " + s);
            }
            Backoff.pause(i);
        }
    }

    /**
     * A goroutine's preemption check found it in an implicit syscall (sysmon moved it there
     * while its thread was blocked in the JDK, and the JDK has let it go): leave the syscall
     * without leaving the M. Its continuation is pinned meanwhile, so exitsyscall takes the
     * pinned path if no P is free: the goroutine waits on this M until one is handed to it.
     */
    static void exitWoken(G gp) {
        M mp = gp.m;
        M.IN_RUNTIME.setVolatile(mp, 1); // Entry's handshake: no new claim from here on
        GoStack.pinCurrent();
        try {
            exitImplicit(gp);
        } finally {
            GoStack.unpinCurrent();
            M.IN_RUNTIME.setRelease(mp, 0);
        }
    }

    /** Go's syscallingThread: a goroutine held in _Gsyscall by its scan bit, with its M and P. */
    static final class Claim {
        final G gp;
        final M mp;
        final P pp;

        Claim(G gp, M mp, P pp) {
            this.gp = gp;
            this.mp = mp;
            this.pp = pp;
        }

        /** Go's releaseP: unwire the P from the syscalling thread, into state (idle or gcstop). */
        void releaseP(int state) {
            TraceThread w = Tracer.acquire();
            pp.m = null;
            mp.p = null;
            pp.status = state;
            if (w != null) {
                M me = w.m;
                boolean inSyscall = me != null && me.curg != null && me.curg.trace() != null
                        && TraceSched.status(me.curg.trace().last) == TraceEvents.GoSyscall;
                TraceEv.procSteal(w, pp, inSyscall);
                Tracer.release(w);
            }
            pp.syscalltick++;
        }

        /** Go's resume: let the thread leave the syscall again. */
        void resume() {
            G.casfromGscanstatus(gp, G._Gsyscall);
        }
    }

    /**
     * Go's setBlockOnExitSyscall: if pp's goroutine is in a syscall, claim it with the scan
     * bit (it cannot leave the syscall until {@link Claim#resume}) and return the claim;
     * null if pp is not in a syscall or changed underfoot. Racy reads, validated after the
     * claim.
     */
    static Claim setBlockOnExitSyscall(P pp) {
        if (pp.status != P._Prunning) {
            return null;
        }
        M mp = pp.m;
        if (mp == null) {
            return null;
        }
        G gp = mp.curg;
        if (gp == null) {
            return null;
        }
        if ((G.readgstatus(gp) & ~G._Gscan) != G._Gsyscall) {
            return null;
        }
        if (!G.castogscanstatus(gp, G._Gsyscall)) {
            return null;
        }
        if (gp.m != mp || mp.p != pp) {
            G.casfromGscanstatus(gp, G._Gsyscall);
            return null;
        }
        return new Claim(gp, mp, pp);
    }

    /**
     * Sysmon's side of the implicit syscall: pp's goroutine runs user code and its M's thread
     * is blocked in the JDK. Claim the goroutine (scan bit), confirm it is not in gort code
     * (the {@link Entry} handshake) and still blocked, and move it to _Gsyscall as if it
     * had called entersyscall. Returns whether it did.
     */
    static boolean claimBlocked(P pp) {
        M mp = pp.m;
        if (mp == null || pp.status != P._Prunning) {
            return false;
        }
        G gp = mp.curg;
        if (gp == null || (int) M.IN_RUNTIME.getVolatile(mp) != 0 || !isBlocked(mp)) {
            return false;
        }
        // The syscall's event goes into the M's own trace buffer (its thread is blocked, so
        // not writing): its write flag is taken before the scan bit, the order every writer
        // follows; if the M holds it, the claim waits for another round.
        TraceThread w = Tracer.enabled ? Tracer.tryAcquire(mp.trace) : null;
        if (Tracer.enabled && w == null) {
            return false;
        }
        if (!G.castogscanstatus(gp, G._Grunning)) {
            releaseTrace(w);
            return false;
        }
        // After the claim: if the goroutine announced itself in gort, or woke up, back off.
        if (gp.m != mp || mp.p != pp || (int) M.IN_RUNTIME.getVolatile(mp) != 0 || !isBlocked(mp)) {
            G.casfromGscanstatus(gp, G._Grunning);
            releaseTrace(w);
            return false;
        }
        mp.syscalltick = pp.syscalltick;
        mp.oldp = pp;
        if (Jfr.syscall) {
            mp.jfrSyscall = JfrEvents.syscallBegin(true);
        }
        implicits.claimed(gp, 0);
        if (w != null) {
            TraceEv.goSysCall(w, gp, null);
        }
        G.casfromGscanstatus(gp, G._Grunning, G._Gsyscall);
        releaseTrace(w);
        return true;
    }

    /**
     * Sysmon's other claim: pp's goroutine runs user code, its thread is RUNNABLE, and its
     * CPU clock says it has not run for a window ({@link #cpuProgress}): blocked in the VM
     * (waiting for a class initialization) or in native code. Claimed as
     * {@link #claimBlocked} does, into an implicit syscall of kind {@link #IMPLICIT_STUCK}.
     * Called only while a slow initialization may need the Ps ({@link ClassInits}). If the
     * goroutine was in fact running (its thread was off the CPU), nothing breaks: it runs
     * without a P until its next check, as a woken implicit syscall does.
     */
    static boolean claimStuck(P pp, long now) {
        M mp = pp.m;
        if (mp == null || pp.status != P._Prunning) {
            return false;
        }
        G gp = mp.curg;
        if (gp == null || G.readgstatus(gp) != G._Grunning || (int) M.IN_RUNTIME.getVolatile(mp) != 0
                || mp.getState() != Thread.State.RUNNABLE) {
            mp.cpuGoid = 0; // judged afresh from the next look
            return false;
        }
        if (cpuProgress(mp, gp, now) >= 0) {
            return false; // it ran, or the window is not over
        }
        // The syscall's event goes into the M's own trace buffer (its thread is blocked, so
        // not writing): its write flag is taken before the scan bit, the order every writer
        // follows; if the M holds it, the claim waits for another round.
        TraceThread w = Tracer.enabled ? Tracer.tryAcquire(mp.trace) : null;
        if (Tracer.enabled && w == null) {
            return false;
        }
        if (!G.castogscanstatus(gp, G._Grunning)) {
            releaseTrace(w);
            return false;
        }
        // After the claim: if the goroutine announced itself in gort, back off (Entry's handshake).
        if (gp.m != mp || mp.p != pp || (int) M.IN_RUNTIME.getVolatile(mp) != 0) {
            G.casfromGscanstatus(gp, G._Grunning);
            releaseTrace(w);
            return false;
        }
        mp.syscalltick = pp.syscalltick;
        mp.oldp = pp;
        if (Jfr.syscall) {
            mp.jfrSyscall = JfrEvents.syscallBegin(true);
        }
        implicits.claimed(gp, IMPLICIT_STUCK);
        if (w != null) {
            TraceEv.goSysCall(w, gp, null);
        }
        G.casfromGscanstatus(gp, G._Grunning, G._Gsyscall);
        releaseTrace(w);
        stuckCheckdead();
        return true;
    }

    /**
     * Sysmon's reading of mp's CPU clock while it runs gp: 1 if the thread used
     * {@link #RAN_CPU_NS} of CPU since the last reading that decided, -1 if it used less
     * over a whole {@link #STUCK_WINDOW_NS}, 0 if it is too early to say (or the clock is
     * unavailable). A new goroutine on the M starts a new reading.
     */
    static int cpuProgress(M mp, G gp, long now) {
        long cpu = ThreadCpu.time(mp);
        if (cpu < 0) {
            return 0;
        }
        if (mp.cpuGoid != gp.goid) {
            mp.cpuGoid = gp.goid;
            mp.cpuBase = cpu;
            mp.cpuBaseAt = now;
            return 0;
        }
        if (cpu - mp.cpuBase >= RAN_CPU_NS) {
            mp.cpuBase = cpu;
            mp.cpuBaseAt = now;
            return 1;
        }
        if (now - mp.cpuBaseAt >= STUCK_WINDOW_NS) {
            mp.cpuBase = cpu;
            mp.cpuBaseAt = now;
            return -1;
        }
        return 0;
    }

    /**
     * Sysmon's watch over the goroutines it moved into implicit syscalls (Differences from
     * Go, in the class comment): for one whose thread runs again the preemption flag is
     * raised each round until it has left the syscall ({@link #exitWoken}); one that blocked
     * again is only watched. A thread not RUNNABLE is blocked. A RUNNABLE one is judged by
     * its CPU clock if its goroutine is of the stuck kind, or if an initializer is slow
     * (slowInit: a thread waiting for a class initialization may look WAITING for a moment
     * and be claimed by its thread state, then stay RUNNABLE without running for good; it
     * becomes of the stuck kind); otherwise it is running. Returns how many it found newly
     * running.
     */
    static int noticeWoken(long now, boolean slowInit) {
        if (nimplicit.get() == 0) {
            return 0;
        }
        int n = 0;
        for (M mp : Sched.allm) {
            G gp = mp.curg;
            if (gp == null) {
                continue;
            }
            int st = gp.implicitSyscall();
            if (st == 0 || (G.readgstatus(gp) & ~G._Gscan) != G._Gsyscall) {
                continue;
            }
            int kind = st & IMPLICIT_STUCK;
            boolean awake = (st & IMPLICIT_AWAKE) != 0;
            boolean blocked;
            if (mp.getState() != Thread.State.RUNNABLE) {
                blocked = true;
                mp.cpuGoid = 0; // a fresh window once it is RUNNABLE again
            } else if (kind != 0 || slowInit) {
                int progress = cpuProgress(mp, gp, now);
                if (progress == 0) {
                    if (awake) {
                        Preempt.raisePreemptFlag(); // keep it up until the goroutine is back
                    }
                    continue;
                }
                blocked = progress < 0;
                if (blocked) {
                    kind = IMPLICIT_STUCK;
                }
            } else {
                blocked = false;
            }
            if (blocked) {
                if (st != (IMPLICIT_BLOCKED | kind) && implicits.blocked(gp, st, kind) && kind != 0) {
                    stuckCheckdead();
                }
                continue;
            }
            if (!awake) {
                if (!implicits.woke(gp, st)) {
                    continue; // it left the syscall meanwhile
                }
                n++;
            }
            Preempt.raisePreemptFlag();
        }
        return n;
    }

    /**
     * A goroutine was just counted as stuck: its M no longer counts as running, as if it
     * had gone idle, and Go checks for deadlock whenever an M goes idle (mput,
     * incidlelocked). Without this, a goroutine found stuck after every other M had gone
     * idle would never be judged.
     */
    private static void stuckCheckdead() {
        Sched.lock.lock();
        CheckDead.checkdead();
        Sched.lock.unlock();
    }

    private static void releaseTrace(TraceThread w) {
        if (w != null) {
            Tracer.release(w);
        }
    }

    /** Whether mp's thread is blocked in the JDK (a monitor, wait, park or sleep). */
    static boolean isBlocked(M mp) {
        Thread.State s = mp.getState();
        return s == Thread.State.BLOCKED || s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }
}
