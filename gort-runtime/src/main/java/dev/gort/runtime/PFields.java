package dev.gort.runtime;

/**
 * {@link P}'s fields, in layers that HotSpot lays out in order (a superclass's fields
 * first), with a cache line of padding between the groups so that a spinning M, which
 * reads the first two groups of every P on every steal pass, does not take the owner's
 * per-switch writes (the last group) for sharing (see P, "Layout"). The padding fields are
 * never read; their names say so. Check a change with JOL's ClassLayout: HotSpot fills a
 * superclass's gaps with a subclass's fields.
 */
abstract class PFields {
    final int id;
    /** Go: pp.status, see P. Changed by its owner, or under sched.lock while it has none. */
    volatile int status;
    /** Back-link to the owning M (null when idle). */
    volatile M m;

    // Local run queue (RunQueue). Capacity is a power of two; 256 except in tests.
    final G[] runq;
    final int runqmask;
    @SuppressWarnings("unused") // accessed through P.RUNQHEAD
    volatile int runqhead;
    @SuppressWarnings("unused") // accessed through P.RUNQTAIL
    volatile int runqtail;

    PFields(int id, int runqSize) {
        if (runqSize < 2 || Integer.bitCount(runqSize) != 1) {
            throw new IllegalArgumentException("run queue size must be a power of two >= 2: " + runqSize);
        }
        this.id = id;
        this.runq = new G[runqSize];
        this.runqmask = runqSize - 1;
        this.status = P._Pgcstop;
    }
}

/** Padding: keeps {@code runnext} off the stealers' line. */
abstract class PPad1 extends PFields {
    long pad1a, pad1b, pad1c, pad1d, pad1e, pad1f, pad1g, pad1h;

    PPad1(int id, int runqSize) {
        super(id, runqSize);
    }
}

/** {@code runnext}: written by the owner twice per hand-off, taken by stealers as a last resort. */
abstract class PRunnext extends PPad1 {
    /** The G to run next, in the current time slice. Accessed through P.RUNNEXT. */
    @SuppressWarnings("unused")
    volatile G runnext;
    /** Fills the 4 bytes beside runnext, which HotSpot would otherwise give a subclass's field. */
    int padRunnext;

    PRunnext(int id, int runqSize) {
        super(id, runqSize);
    }
}

/** Padding: keeps the owner's per-switch writes off {@code runnext}'s line. */
abstract class PPad2 extends PRunnext {
    long pad2a, pad2b, pad2c, pad2d, pad2e, pad2f, pad2g, pad2h;

    PPad2(int id, int runqSize) {
        super(id, runqSize);
    }
}

/** What the owner writes on its hot paths (and sysmon's bookkeeping, read between its sleeps). */
abstract class POwnerFields extends PPad2 {
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

    /** Go: pp.preempt; set when this P should enter the scheduler as soon as possible. */
    volatile boolean preempt;

    /** The last goroutine leak detection whose stale ring slots this P's owner cleared (GoroutineLeak). */
    int leakCleared;

    /** Free Gs (status _Gdead), linked through schedlink. Go: pp.gFree. */
    G gFree;
    int gFreeSize;

    final Sudog[] sudogcache = new Sudog[P.SUDOG_CACHE];
    int nsudog;

    long goidcache;
    long goidcacheend;

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

    POwnerFields(int id, int runqSize) {
        super(id, runqSize);
    }
}
