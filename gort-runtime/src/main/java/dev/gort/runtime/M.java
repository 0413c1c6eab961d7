package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker thread: Go's {@code m} (runtime2.go). Its own stack is g0: it runs
 * {@link Proc#mstart} (the scheduler loop), and mounts one goroutine's continuation at a
 * time. {@code Thread.currentThread()} inside a goroutine is the M running it.
 *
 * <p>Field access: {@code p}, {@code curg}, {@code spinning}, {@code mcallfn} and the wait
 * fields are the M's own, written only by its thread (or under {@code sched.lock} while
 * the M is idle, e.g. {@code nextp} by startm before {@link #notewakeup}, which publishes
 * them). Other threads read {@code p} and {@code curg} racily and only as hints (stealing
 * runnext), as Go does.
 */
final class M extends Thread {
    // mcall functions: what g0 runs after the goroutine yielded (Go passes a func to mcall).
    static final int MCALL_NONE = 0;
    static final int PARK_M = 1;
    static final int GOSCHED_M = 2;
    static final int GOPREEMPT_M = 3;
    static final int EXITSYSCALL_NOP = 4;
    static final int GOYIELD_M = 5;

    static final VarHandle IN_RUNTIME;

    static {
        try {
            IN_RUNTIME = MethodHandles.lookup().findVarHandle(M.class, "inRuntime", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long mid;
    /** The attached P, or null (idle, spinning without P, in a syscall). Go: m.p. */
    P p;
    /** The P handed to this M by startm while it slept. Go: m.nextp. */
    P nextp;
    /** The goroutine this M runs. Go: m.curg. */
    G curg;
    /** Go: m.lockedg. */
    G lockedg;
    /** Go: m.lockedExt: LockOSThread nesting. */
    int lockedExt;
    /** Set when a locked goroutine exited: the thread ends after returning its P (Go's mexit). */
    boolean exiting;
    /** Go: m.spinning: out of work and looking for it. */
    boolean spinning;
    /** Go: m.schedlink, for sched.midle. */
    M schedlink;

    /**
     * 1 while the goroutine on this M runs gort code, 0 while it runs user code (see the
     * handshake in {@link Entry}). Volatile/release through IN_RUNTIME; read by sysmon.
     */
    @SuppressWarnings("unused")
    volatile int inRuntime;
    /** Go: m.oldp, the P held when the syscall began. */
    P oldp;
    /** Go: m.syscalltick, p.syscalltick at entersyscall. */
    int syscalltick;
    /**
     * Not in Go: JFR's dev.gort.SyscallBlocked event of the syscall under way on this M, or
     * null (always, while no running recording enables the event: {@link Jfr#syscall}). Set by entersyscall, or by sysmon
     * when it claims the M's goroutine as blocked (before the status CAS that publishes the
     * claim); taken by exitsyscall (after its own status CAS). A syscall never leaves its M.
     */
    Object jfrSyscall;

    /**
     * Sysmon's last look at this thread's CPU clock ({@link Syscall#cpuProgress}): the
     * goroutine it judged (its goid: a G kept here would outlive its goroutine, and hide the
     * next one using the same G from leak detection), the CPU time then and when. Sysmon's
     * thread only (plain).
     */
    long cpuGoid;
    long cpuBase;
    long cpuBaseAt;

    /**
     * Set only on the M that drives controlled runs ({@link Controlled}): its thread runs the
     * controller's loop instead of {@link Proc#mstart}. Final in spirit: set before start.
     */
    Controlled ctl;

    /** Go's mcall argument: set by the goroutine just before it yields. */
    int mcallfn;
    /** Go: m.waitunlockf/m.waitlock, for park_m. */
    Unlockf waitunlockf;
    Object waitlock;
    /** Results of Timers.check and stealWork (Go returns them as extra values). */
    long timerNow;
    boolean timerRan;
    long stealPollUntil;
    boolean stealNewWork;
    /** Scratch queue for batches taken from the global run queue (empty between uses). */
    final GQueue batch = new GQueue();
    /** Second result of schedule(): run the chosen G in the current time slice. */
    boolean inheritTime;

    /** Go: m.park (a note): set by notewakeup, consumed by notesleep. */
    /**
     * The stack of the goroutine that called mcall, captured on its own stack while tracing
     * (the events park_m and goschedImpl write on g0 carry it). Go reads it from g.sched.
     */
    TraceStack.Stack traceStack;
    /** Go: m.createstack; the stack that created this M, for the threadcreate profile (set before start). */
    ProfRt.Stack createstack;
    /** Go: mp.trace; this M's execution trace writer (registered with the tracer). */
    final TraceThread trace;

    private volatile boolean parkNote;
    /** Go: m.cheaprand (wyrand state). */
    private long cheaprand;

    M(long id) {
        super(null, null, "gort-m" + id, 0, false);
        this.mid = id;
        this.trace = new TraceThread(this);
        Tracer.threads.add(trace);
        this.cheaprand = System.nanoTime() ^ (id * 0x9E3779B97F4A7C15L);
        setDaemon(true);
    }

    @Override
    public void run() {
        Controlled c = ctl;
        if (c != null) {
            c.loop(this);
        } else {
            Proc.mstart(this);
        }
    }

    /** Restarts this M's generator from seed (a controlled run: select's order is then the schedule's). */
    void seedCheaprand(long seed) {
        cheaprand = seed;
    }

    /**
     * Go's notesleep(&m.park): block until notewakeup (which may already have happened).
     * The thread's interrupt status is set aside meanwhile (a pinned goroutine sleeps here
     * mounted, and its interrupt would make park return at once: a spinning M) and restored
     * after; an idle M's stale status is dropped when it next mounts a goroutine.
     */
    void notesleep() {
        boolean interrupted = Thread.interrupted();
        while (!parkNote) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        parkNote = false;
        if (interrupted) {
            interrupt();
        }
    }

    /** Go's notewakeup(&m.park). */
    void notewakeup() {
        parkNote = true;
        LockSupport.unpark(this);
    }

    /** Go's cheaprand (wyrand), per M. */
    int cheaprand() {
        long s = cheaprand += 0xa0761d6478bd642fL;
        long x = s ^ 0xe7037ed1a0b428dbL;
        return (int) (Math.unsignedMultiplyHigh(s, x) ^ (s * x));
    }

    @Override
    public String toString() {
        return "M" + mid;
    }
}
