package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A processor: Go's {@code p} (runtime2.go), the resource an M must hold to run
 * goroutines. It owns a local run queue (a 256-slot lock-free ring plus {@code runnext},
 * see {@link RunQueue}), a free-G cache, a sudog cache and a goid cache, so the common
 * paths of newproc, park and ready touch no global lock.
 *
 * <h2>Status</h2>
 * As Go 1.26's: {@code _Pidle} (on sched.pidle, or just taken), {@code _Prunning} (owned by
 * an M running Go code or the scheduler, also while that M is in a syscall: sysmon takes
 * it from there, Syscall), {@code _Pgcstop} (stopped for stop-the-world), {@code _Pdead}
 * (beyond GOMAXPROCS). Go 1.26 retired {@code _Psyscall}; its value 2 stays unused here
 * too. Changed by its owner, or under sched.lock while it has none; read by other
 * threads racily (volatile) when they choose a victim to steal from.
 *
 * <h2>Field access</h2>
 * {@code runqhead}/{@code runqtail}/{@code runnext} follow Go's protocol: only the owner
 * writes {@code runqtail} (release) and sets {@code runnext} to non-null; consumers
 * (owner and stealers) advance {@code runqhead} by CAS (release) after reading the slots,
 * and take {@code runnext} by CAS. All other fields are the owner's (plain).
 */
final class P {
    static final int _Pidle = 0;
    static final int _Prunning = 1;
    static final int _Pgcstop = 3;
    static final int _Pdead = 4;

    /** Go's len(pp.runq): 256, large enough that the global queue is rarely needed. */
    static final int RUNQ_SIZE = 256;
    /** Go's sudogcache capacity (len(pp.sudogbuf)). */
    static final int SUDOG_CACHE = 128;
    /** Go's _GoidCacheBatch: goids are taken from sched.goidgen in batches of 16. */
    static final int GOID_CACHE_BATCH = 16;

    static final VarHandle RUNQHEAD;
    static final VarHandle RUNQTAIL;
    static final VarHandle RUNNEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUNQHEAD = l.findVarHandle(P.class, "runqhead", int.class);
            RUNQTAIL = l.findVarHandle(P.class, "runqtail", int.class);
            RUNNEXT = l.findVarHandle(P.class, "runnext", G.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int id;
    volatile int status;
    /** Link on sched.pidle. */
    P link;
    /**
     * Incremented on every scheduler call that starts a new time slice. Plain: written by the
     * owner, read racily by sysmon between its sleeps (as Go reads it), where a stale value
     * only delays a preemption by one sysmon tick.
     */
    int schedtick;
    /** Incremented on every system call (and when a P is taken from one). Plain, as schedtick. */
    int syscalltick;
    /** Go's sysmontick: sysmon's last observation of this P. Sysmon's own. */
    int sysmonSchedtick;
    long sysmonSchedwhen;
    int sysmonSyscalltick;
    long sysmonSyscallwhen;
    /** Back-link to the owning M (null when idle). */
    volatile M m;

    // Local run queue (RunQueue). Capacity is a power of two; 256 except in tests.
    final G[] runq;
    final int runqmask;
    @SuppressWarnings("unused") // accessed through RUNQHEAD
    volatile int runqhead;
    @SuppressWarnings("unused") // accessed through RUNQTAIL
    volatile int runqtail;
    /** The G to run next, in the current time slice. Accessed through RUNNEXT. */
    @SuppressWarnings("unused")
    volatile G runnext;
    /** The last goroutine leak detection whose stale ring slots this P's owner cleared (GoroutineLeak). */
    int leakCleared;

    /** Free Gs (status _Gdead), linked through schedlink. Go: pp.gFree. */
    G gFree;
    int gFreeSize;

    final Sudog[] sudogcache = new Sudog[SUDOG_CACHE];
    int nsudog;

    long goidcache;
    long goidcacheend;

    /** Go: pp.timers, this P's timer heap. */
    final Timers timers = new Timers();

    /** Go: pp.preempt; set when this P should enter the scheduler as soon as possible. */
    volatile boolean preempt;

    /** Go: pp.trace; the execution tracer's state of this P. */
    final TraceSched trace = new TraceSched();

    // Scheduler statistics ({@link SchedStats}: the MXBean, JFR's scheduler summary). Each is
    // written only by the P's owner, plain (an increment on a path that already writes this
    // P), and summed by readers without a lock, as Go's metrics read p.goroutinesCreated: a
    // reader may miss the latest increments, never sees one twice. A P is never freed
    // (procresize reuses it), so a destroyed P keeps its counts for the sums. Plain longs:
    // HotSpot on 64-bit platforms reads and writes an aligned long in one access.

    /** Go 1.26: pp.goroutinesCreated, goroutines created on this P (newproc1). */
    long goroutinesCreated;
    /** Goroutines this P switched to: every execute, runnext hand-offs included (see SchedStats). */
    long nswitch;
    /** Goroutines that yielded to a preemption request on this P (gopreempt_m). */
    long npreempt;
    /** Successful runqsteal calls by this P's M (stealWork). */
    long nsteal;

    P(int id) {
        this(id, RUNQ_SIZE);
    }

    /** A P with a run queue of {@code runqSize} slots (a power of two); tests use small ones. */
    P(int id, int runqSize) {
        if (runqSize < 2 || Integer.bitCount(runqSize) != 1) {
            throw new IllegalArgumentException("run queue size must be a power of two >= 2: " + runqSize);
        }
        this.id = id;
        this.runq = new G[runqSize];
        this.runqmask = runqSize - 1;
        this.status = _Pgcstop;
    }

    @Override
    public String toString() {
        return "P" + id;
    }
}
