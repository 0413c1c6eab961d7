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
 *
 * <h2>Layout</h2>
 * The fields live in a chain of superclasses ({@link PFields}), grouped by who touches
 * them on the hot paths, with a cache line of padding between the groups: what stealers
 * read on every pass (status, m, the ring's indexes), {@code runnext}, and what the owner
 * writes on every switch (schedtick, the sudog cache, the statistics). Without it, a
 * spinning M polling an idle-looking P made every one of the owner's per-switch writes a
 * cache miss (measured: unbuffered ping-pong at GOMAXPROCS=2, bench/RESULTS.md).
 * Differences from Go: Go's struct order happens to keep these apart (runqhead/runqtail
 * beside goidcache, then the 2 KB ring before runnext); Java orders fields itself, so only
 * class boundaries (HotSpot lays a superclass's fields first) keep groups apart.
 */
final class P extends POwnerFields {
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

    /** Link on sched.pidle. */
    P link;
    /** Go: pp.timers, this P's timer heap. */
    final Timers timers = new Timers();
    /** Go: pp.trace; the execution tracer's state of this P. */
    final TraceSched trace = new TraceSched();

    P(int id) {
        this(id, RUNQ_SIZE);
    }

    /** A P with a run queue of {@code runqSize} slots (a power of two); tests use small ones. */
    P(int id, int runqSize) {
        super(id, runqSize);
    }

    @Override
    public String toString() {
        return "P" + id;
    }
}
