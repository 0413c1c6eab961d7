package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A goroutine: Go's {@code g} (runtime2.go), reduced to what gort's scheduler uses.
 *
 * <h2>Status</h2>
 * {@code atomicstatus} changes only through {@link #casgstatus}, by CAS. Legal
 * transitions, as Go's:
 * <pre>
 *   _Gidle     -> _Gdead                       (a new G, before allgadd)
 *   _Gdead     -> _Grunnable                   (newproc1; the G is then put on a run queue)
 *   _Grunnable -> _Grunning                    (execute)
 *   _Grunning  -> _Gwaiting                    (park_m, on g0 after the goroutine yielded)
 *   _Grunning  -> _Grunnable                   (goschedImpl: Gosched, preemption)
 *   _Grunning  -> _Gsyscall -> _Grunning       (entersyscall / exitsyscall; sysmon, for a
 *                                               goroutine blocked in JDK code, under _Gscan)
 *   _Gwaiting  -> _Grunnable                   (ready / goready)
 *   _Grunning  -> _Gdead                       (gdestroy, the goroutine returned)
 * </pre>
 * {@code _Gscan} is or-ed into a non-running status while someone reads the stack of a
 * parked goroutine (a traceback); {@link #casgstatus} waits for it to clear, so a
 * goroutine cannot be resumed while its frozen frames are being walked.
 *
 * <h2>Field access</h2>
 * Plain fields are written by whoever owns the G: the goroutine itself while running,
 * the M that runs it, or the waker that dequeued its sudog under the channel's lock.
 * Ownership passes with a happens-before edge (the status CAS, a run queue's
 * release/acquire, or a channel lock), so plain access is enough. {@code selectDone}
 * is raced for by wakers of a select and is CASed.
 *
 * <h2>Size: the side object</h2>
 * A parked goroutine pays for every field, a million times in a program that parks a
 * million goroutines (bench's ParkedHeap). So G keeps only what every goroutine sets or
 * what the switch path reads (80 bytes: status, ids, stack, function, M, links, wait
 * state, run, creation site, profile epoch, flags), and the rarely set fields (controlled
 * run, synctest bubble, agent pins and owned locks, class initializers, tracer and profile
 * state, LockOSThread, sleep timer, interrupt status, implicit syscall, waitsince) live in
 * {@link GExtra}, made by the first non-zero write ({@link #ext()}, by CAS) and kept for the
 * G's life. Their accessors here return the zero value while there is none, and a clear
 * never makes one; so a goroutine that only computes and uses channels pays one null
 * reference for all of them, and a hot-path test of one (casgstatus's bubble, ready's ctl,
 * execute's interrupt status) is one load and a null check, as before. GSizeTest keeps G
 * at its budget.
 *
 * <p>Measured (ParkedHeap gort 1000000, JDK 25, G1): G 136 -> 80 bytes; a parked
 * goroutine's whole cost is then its G, its sudog (64), its continuation (48) and the
 * frozen stack chunk (~296, of which the frames between the goroutine's function and the
 * yield are ~100 beyond a bare continuation's).
 */
class G implements Runnable {
    // Go's G statuses (runtime2.go), same values.
    static final int _Gidle = 0;
    static final int _Grunnable = 1;
    static final int _Grunning = 2;
    static final int _Gsyscall = 3;
    static final int _Gwaiting = 4;
    static final int _Gdead = 6;
    static final int _Gscan = 0x1000;

    private static final VarHandle STATUS;
    private static final VarHandle SELECT_DONE;
    private static final VarHandle EXTRA;
    static final VarHandle PROFILED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATUS = l.findVarHandle(G.class, "atomicstatus", int.class);
            SELECT_DONE = l.findVarHandle(G.class, "selectDone", byte.class);
            EXTRA = l.findVarHandle(G.class, "extra", GExtra.class);
            PROFILED = l.findVarHandle(G.class, "goroutineProfiled", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Accessed with CAS and volatile reads only, via {@link #casgstatus} and {@link #readgstatus}. */
    private volatile int atomicstatus;
    /** 0 once {@code atomicstatus} is set up; ids start at 1 (main of the first run), as Go's. */
    long goid;
    /** Go: g.parentGoid, the goroutine that created this one; 0 if a plain thread did. */
    long parentGoid;
    /**
     * Go: g.goroutineProfiled; which goroutine profile capture has recorded this goroutine
     * ({@link GoroutineProfile}: the capture's epoch when recorded, or when the goroutine was
     * created during it). Read plainly by execute's barrier only after it saw a capture
     * active; set by CAS. On G, not in {@link GExtra}: once any capture has run, newproc1
     * sets it for every goroutine.
     */
    volatile int goroutineProfiled;
    /** Go's g.sched/g.stack; null while the G is dead (continuations are one-shot). */
    GoStack stack;
    /** The goroutine's function; null while dead. */
    Runnable fn;
    /** The M running this G, null when not running. Go: g.m. */
    M m;
    /** Link in a gQueue/gList (run queues, free lists). Go: g.schedlink. */
    G schedlink;
    /** Sudogs this G is blocked on, in lock order (select). Go: g.waiting. */
    Sudog waiting;
    /** Wake-up parameter: the sudog that completed, set by the waker. Go: g.param. */
    Object param;
    /** Go: g.waitreason, valid in _Gwaiting. */
    WaitReason waitreason = WaitReason.ZERO;
    /** The run this goroutine belongs to, or null (started by a plain thread outside any run). */
    Run run;
    /**
     * Go: g.gopc, the creation site (the caller of Gort.go); null for a run's main goroutine.
     * On G, not in {@link GExtra}: newproc sets it for (almost) every goroutine.
     */
    ProfRt.Frame createdBy;
    /**
     * The rarely set fields ({@link GExtra}), null until one of them is first set to a
     * non-zero value ({@link #ext()}); then kept for the G's life, reuse included. Read
     * plainly (a reader that must see a field set by another thread has a happens-before
     * edge to that write, which also publishes this reference); made by CAS.
     */
    private GExtra extra;
    /** Go: g.selectDone; 1 once some waker has won this G's select. A byte: CASed through {@code SELECT_DONE}. */
    private volatile byte selectDone;
    /** Go: g.preempt, a preemption request, honoured at the next runtime call. */
    volatile boolean preempt;

    /** The side object, made (by CAS: others may race to make it) if there is none yet. */
    GExtra ext() {
        GExtra x = extra;
        return x != null ? x : makeExtra();
    }

    private GExtra makeExtra() {
        GExtra x = new GExtra();
        GExtra was = (GExtra) EXTRA.compareAndExchange(this, (GExtra) null, x);
        return was != null ? was : x;
    }

    /** The side object, or null if no rare field was ever set (callers that reset fields). */
    GExtra extraOrNull() {
        return extra;
    }

    /**
     * The controller of the controlled run ({@link Controlled}) this goroutine belongs to, or
     * null (every goroutine of a normal run). Set by newproc1 from {@code run.ctl}, cleared by
     * goexit0; the owner's (plain). ready and newproc test it to hand the G to its controller
     * instead of a run queue.
     */
    Controlled ctl() {
        GExtra x = extra;
        return x == null ? null : x.ctl;
    }

    void setCtl(Controlled v) {
        if (v != null) {
            ext().ctl = v;
        } else if (extra != null) {
            extra.ctl = null;
        }
    }

    /**
     * Go: g.bubble, the synctest bubble this goroutine belongs to, or null. Set by newproc1
     * from the creator's (before the status CAS that makes the G runnable), by synctestRun
     * on its caller for the call's duration, cleared by goexit0 after the status CAS to
     * _Gdead; the owner's (plain). {@link #casgstatus} tests it to keep the bubble's
     * counters ({@link SynctestBubble#changegstatus}).
     */
    SynctestBubble bubble() {
        GExtra x = extra;
        return x == null ? null : x.bubble;
    }

    void setBubble(SynctestBubble v) {
        if (v != null) {
            ext().bubble = v;
        } else if (extra != null) {
            extra.bubble = null;
        }
    }

    /**
     * Locks and monitors the agent saw this goroutine take and not yet release
     * ({@link HookRt#pin()}); while positive its continuation is pinned. Only the goroutine
     * itself touches it (plain).
     */
    int lockPins() {
        GExtra x = extra;
        return x == null ? 0 : x.lockPins;
    }

    void setLockPins(int v) {
        if (v != 0) {
            ext().lockPins = v;
        } else if (extra != null) {
            extra.lockPins = 0;
        }
    }

    /**
     * Not in Go: the static initializers this goroutine is running ({@link ClassInits}), or
     * null outside any; while non-null its continuation is pinned by the VM. Written only by
     * the goroutine itself (plain); sysmon and the deadlock detector read it racily, as a
     * hint (its {@code since} is final, so a racy reader never sees it half built).
     */
    ClassInits.State inits() {
        GExtra x = extra;
        return x == null ? null : x.inits;
    }

    void setInits(ClassInits.State v) {
        if (v != null) {
            ext().inits = v;
        } else if (extra != null) {
            extra.inits = null;
        }
    }

    /**
     * The owner-based synchronizers ({@code AbstractOwnableSynchronizer}) that named this
     * goroutine's thread their owner and pinned it ({@link HookRt#ownerSet}): null, or an
     * array with null holes. Only the goroutine itself touches it (plain).
     */
    Object[] ownedSyncs() {
        GExtra x = extra;
        return x == null ? null : x.ownedSyncs;
    }

    void setOwnedSyncs(Object[] v) {
        if (v != null) {
            ext().ownedSyncs = v;
        } else if (extra != null) {
            extra.ownedSyncs = null;
        }
    }

    /**
     * Not in Go: the interrupt status the goroutine left on its M's thread when it last left
     * it ({@code Thread.currentThread().interrupt()} inside a goroutine interrupts the M);
     * set again on the M that next runs it (Proc.execute). The M's own owner (plain).
     */
    boolean interrupted() {
        GExtra x = extra;
        return x != null && x.interrupted;
    }

    void setInterrupted(boolean v) {
        if (v) {
            ext().interrupted = true;
        } else if (extra != null) {
            extra.interrupted = false;
        }
    }

    /**
     * Go: g.trace; the execution tracer's state of this goroutine, made by the first event
     * about it (a G of a program never traced pays nothing for it). Set once, by CAS
     * ({@link #casTrace}).
     */
    TraceSched trace() {
        GExtra x = extra;
        return x == null ? null : x.trace;
    }

    /** Sets trace from null to t; false if someone else set it first. */
    boolean casTrace(TraceSched t) {
        return GExtra.TRACE.compareAndSet(ext(), (TraceSched) null, t);
    }

    /** Sets trace where nobody else can see the G yet (newproc1), or clears it (goexit0). */
    void setTrace(TraceSched v) {
        if (v != null) {
            ext().trace = v;
        } else if (extra != null) {
            extra.trace = null;
        }
    }

    /**
     * Go: g.waitsince, the approximate time the goroutine blocked (nanoTime), 0 when unknown:
     * stamped by the first traceback or profile that sees it blocked (Go: the first GC's
     * markroot), cleared by execute. Plain: read and written only while the goroutine cannot
     * run (its status held under _Gscan, or after execute's status CAS, which orders it).
     */
    long waitsince() {
        GExtra x = extra;
        return x == null ? 0 : x.waitsince;
    }

    void setWaitsince(long v) {
        if (v != 0) {
            ext().waitsince = v;
        } else if (extra != null) {
            extra.waitsince = 0;
        }
    }

    /**
     * The stack a goroutine profile last walked from this goroutine's parked continuation,
     * valid until it runs again (execute clears it after its status CAS, so it cannot be set
     * by a capture that held _Gscan across that CAS). Repeated captures of idle goroutines
     * then cost a field read each (GoroutineProfile, "Cache").
     */
    ProfRt.Stack profStack() {
        GExtra x = extra;
        return x == null ? null : x.profStack;
    }

    void setProfStack(ProfRt.Stack v) {
        if (v != null) {
            ext().profStack = v;
        } else if (extra != null) {
            extra.profStack = null;
        }
    }

    /**
     * Set while a goroutine leak detection holds this goroutine weakly (its allgs slot is
     * this Candidate): execute's barrier disarms it. Written under _Gscan and allglock.
     */
    GoroutineLeak.Candidate leakCandidate() {
        GExtra x = extra;
        return x == null ? null : x.leakCandidate;
    }

    void setLeakCandidate(GoroutineLeak.Candidate v) {
        if (v != null) {
            ext().leakCandidate = v;
        } else if (extra != null) {
            extra.leakCandidate = null;
        }
    }

    /**
     * The block and mutex profiles' stacks of this goroutine's recent blocking sites
     * ({@link BlockStacks}); null until it records its first event (a program that never
     * profiles pays nothing for it). Only the goroutine itself touches it (plain).
     */
    BlockStacks blockStacks() {
        GExtra x = extra;
        return x == null ? null : x.blockStacks;
    }

    void setBlockStacks(BlockStacks v) {
        if (v != null) {
            ext().blockStacks = v;
        } else if (extra != null) {
            extra.blockStacks = null;
        }
    }

    /** Go: g.lockedm; the M this G must run on (LockOSThread, or parked while pinned). */
    M lockedm() {
        GExtra x = extra;
        return x == null ? null : x.lockedm;
    }

    void setLockedm(M v) {
        if (v != null) {
            ext().lockedm = v;
        } else if (extra != null) {
            extra.lockedm = null;
        }
    }

    /** Go: g.timer, the goroutine's sleep timer, made on its first sleep. */
    RuntimeTimer timer() {
        GExtra x = extra;
        return x == null ? null : x.timer;
    }

    void setTimer(RuntimeTimer v) {
        if (v != null) {
            ext().timer = v;
        } else if (extra != null) {
            extra.timer = null;
        }
    }

    static int readgstatus(G gp) {
        return gp.atomicstatus;
    }

    /**
     * Go's casgstatus: the only way a status changes. Waits while a traceback holds the
     * {@code _Gscan} bit; any other mismatch is a broken invariant. A goroutine of a
     * synctest bubble tells its bubble of the change after the CAS, as Go's does.
     */
    static void casgstatus(G gp, int oldval, int newval) {
        if ((oldval & _Gscan) != 0 || (newval & _Gscan) != 0 || oldval == newval) {
            throw Throw.fatalThrow("casgstatus: bad incoming values " + oldval + " -> " + newval);
        }
        for (int i = 0; !STATUS.compareAndSet(gp, oldval, newval); i++) {
            int s = gp.atomicstatus;
            // The scan bit may have been released since the CAS failed: then retry.
            if (s != oldval && s != (oldval | _Gscan)) {
                throw Throw.fatalThrow("casgstatus: goroutine " + gp.goid + " is in status " + s
                        + ", not " + oldval + " (wanted " + newval + ")");
            }
            Backoff.pause(i);
        }
        // Go: casgstatus's gp.bubble test. One plain field of the G whose status just
        // changed (its side object, null for most): all a goroutine outside any bubble pays.
        SynctestBubble b = gp.bubble();
        if (b != null) {
            b.changegstatus(gp, oldval, newval);
        }
    }

    /** Go's castogscanstatus: stop the G's status from changing while its stack is read. */
    static boolean castogscanstatus(G gp, int oldval) {
        return STATUS.compareAndSet(gp, oldval, oldval | _Gscan);
    }

    /** Go's casfrom_Gscanstatus. */
    static void casfromGscanstatus(G gp, int oldval) {
        casfromGscanstatus(gp, oldval, oldval);
    }

    /**
     * Go's casfrom_Gscanstatus to another status: release the scan bit and change the state
     * in one step (sysmon moving a blocked goroutine from _Grunning to _Gsyscall). A
     * synctest bubble is not told: it does not distinguish _Grunning from _Gsyscall (both
     * are running), as Go's casGToPreemptScan does not tell it of _Gpreempted.
     */
    static void casfromGscanstatus(G gp, int oldval, int newval) {
        if (!STATUS.compareAndSet(gp, oldval | _Gscan, newval)) {
            throw Throw.fatalThrow("casfrom_Gscanstatus: bad status " + gp.atomicstatus);
        }
    }

    /** Initial transition of a G that was never used (Go: casgstatus(newg, _Gidle, _Gdead) in newproc1). */
    void initDead() {
        casgstatus(this, _Gidle, _Gdead);
    }

    /** Records sync as owned; false if it already was (a reentrant or repeated set). */
    boolean addOwnedSync(Object sync) {
        Object[] a = ownedSyncs();
        int free = -1;
        if (a != null) {
            for (int i = 0; i < a.length; i++) {
                if (a[i] == sync) {
                    return false;
                }
                if (a[i] == null && free < 0) {
                    free = i;
                }
            }
        }
        if (free < 0) {
            int n = a == null ? 0 : a.length;
            a = a == null ? new Object[2] : java.util.Arrays.copyOf(a, n * 2);
            setOwnedSyncs(a);
            free = n;
        }
        a[free] = sync;
        return true;
    }

    /** Forgets sync; false if it was not recorded. */
    boolean removeOwnedSync(Object sync) {
        Object[] a = ownedSyncs();
        if (a != null) {
            for (int i = 0; i < a.length; i++) {
                if (a[i] == sync) {
                    a[i] = null;
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Not in Go: whether the goroutine's syscall is an implicit one, and what sysmon last
     * saw of it ({@link Syscall#IMPLICIT_BLOCKED}, {@link Syscall#IMPLICIT_AWAKE}, either
     * with {@link Syscall#IMPLICIT_STUCK}); 0 otherwise. Set by sysmon, cleared by the
     * goroutine when it leaves the syscall (volatile).
     */
    int implicitSyscall() {
        GExtra x = extra;
        return x == null ? 0 : x.implicitSyscall;
    }

    void setImplicitSyscall(int v) {
        if (v != 0) {
            ext().implicitSyscall = v;
        } else if (extra != null) {
            extra.implicitSyscall = 0;
        }
    }

    boolean casImplicitSyscall(int expect, int v) {
        return GExtra.IMPLICIT_SYSCALL.compareAndSet(ext(), expect, v);
    }

    /** Clears the implicit-syscall state; returns what it was. */
    int takeImplicitSyscall() {
        GExtra x = extra;
        return x == null || x.implicitSyscall == 0 ? 0 : (int) GExtra.IMPLICIT_SYSCALL.getAndSet(x, 0);
    }

    boolean casSelectDone() {
        return SELECT_DONE.compareAndSet(this, (byte) 0, (byte) 1);
    }

    void clearSelectDone() {
        selectDone = 0;
    }

    /**
     * The goroutine's entry, run by its continuation (Go: the frame goexit sets up below
     * the goroutine's function). Returning ends the continuation; the M then runs goexit0.
     */
    @Override
    public void run() {
        M.IN_RUNTIME.setRelease(m, 0); // the goroutine starts in user code
        Throwable failure = null;
        try {
            fn.run();
        } catch (Goexit e) {
            // Go's Goexit: the deferred calls (finally blocks) have run while unwinding.
            Run r = run;
            if (r != null && r.isMain(this)) {
                r.mainGoexited = true;
            }
        } catch (Throwable t) {
            failure = t;
        }
        // Back in the runtime (Go: goexit1 and fatalpanic are runtime calls). If sysmon
        // moved this goroutine into an implicit syscall while it was blocked in user code,
        // this leaves the syscall (and gets a P) before goexit0 or the panic report.
        if (ctl() != null) {
            preempt = false; // a controlled goroutine's end is no scheduling point: nothing follows it
        }
        Entry.enter();
        if (failure != null) {
            Panics.fatalpanic(this, failure);
        }
    }

    @Override
    public String toString() {
        return "goroutine " + goid;
    }
}
