package dev.gort.runtime;

/**
 * The scheduler's statistics, for Java's tools (the MXBean {@code dev.gort:type=Runtime},
 * JFR's {@code dev.gort.SchedulerSummary}): Go's {@code runtime/metrics} entry point
 * ({@code runtime_readMetrics}, reached by linkname) and the fields of Go's schedtrace
 * line. A facade: public only because the MXBean lives in {@code dev.gort.pprof}.
 *
 * <p>Every read is lock-free and racy, as Go's schedtrace reads without stopping the
 * world: each value is a recent one, and values read one after another need not agree
 * with each other. None of these enters the runtime or starts it (before the start they
 * read zeros), so a JMX or JFR thread that reads them never counts as a thread that used
 * gort.
 *
 * <p>The counters are kept where Go keeps its own: per P, written only by the P's owner on
 * a path that already writes that P ({@code P.goroutinesCreated}, {@code nswitch},
 * {@code npreempt}, {@code nsteal}), summed here over every P ever made; and sysmon's own
 * for hand-offs. Their meaning, against Go's:
 * <ul>
 *   <li>goroutines created: Go 1.26's {@code /sched/goroutines-created:goroutines}
 *       ({@code p.goroutinesCreated} plus {@code sched.goroutinesCreated});</li>
 *   <li>context switches: goroutines an M switched to (every {@code execute}, and the
 *       resumption of a pinned goroutine on its own M). Go's {@code p.schedtick} counts
 *       only new time slices: a goroutine woken into runnext inherits the slice, so a
 *       channel ping-pong moves schedtick once per 10 ms, not once per switch;</li>
 *   <li>preemptions: goroutines that yielded to a preemption request (Go's
 *       {@code gopreempt_m}): sysmon's {@code preemptone} after a 10 ms time slice, a
 *       stop-the-world's {@code preemptall}, acted on at a runtime call or, under the agent,
 *       at an injected check (which stands in for Go's asynchronous preemption). A request
 *       a pinned goroutine defers counts once it yields;</li>
 *   <li>steals: successful {@code runqsteal}s in {@code stealWork} (half a victim's queue, or
 *       its runnext, taken at once);</li>
 *   <li>hand-offs: Ps sysmon's {@code retake} took from a goroutine in a syscall (explicit,
 *       or a block in the JDK it found) and passed to {@code handoffp}. A syscall known to
 *       block ({@code entersyscallblock}) hands its P off itself and is not counted.</li>
 * </ul>
 */
public final class MetricsRt {
    private MetricsRt() {}

    /** Go's runtime.NumGoroutine (gcount): goroutines that exist now. */
    public static int numGoroutine() {
        return NewProc.gcount();
    }

    /** Go's gomaxprocs. */
    public static int gomaxprocs() {
        return Sched.gomaxprocs;
    }

    /** Go's sched.npidle: Ps with nothing to run. */
    public static int idleProcs() {
        return Sched.npidle;
    }

    /** Go's sched.nmspinning: Ms out of work and looking for it. */
    public static int spinningThreads() {
        return Sched.nmspinning;
    }

    /** Go's mcount(): gort's Ms (worker threads) that exist, sysmon aside (it is no M here). */
    public static long threads() {
        return Sched.mcount();
    }

    /** Go's sched.runq.size: goroutines on the global run queue. */
    public static int globalRunQueueLength() {
        return Sched.runqsize;
    }

    /** Each P's local run queue length (runnext aside), in P order: schedtrace's bracketed list. */
    public static int[] runQueueLengths() {
        P[] allp = Sched.allp;
        int[] n = new int[allp.length];
        for (int i = 0; i < allp.length; i++) {
            n[i] = RunQueue.runqlen(allp[i]);
        }
        return n;
    }

    /** Go 1.26's /sched/goroutines-created:goroutines: goroutines created since the start. */
    public static long goroutinesCreated() {
        return Sched.goroutinesCreated.get() + sumOverPs(pp -> pp.goroutinesCreated);
    }

    /** Goroutines switched to since the start (see the class comment). */
    public static long contextSwitches() {
        return sumOverPs(pp -> pp.nswitch);
    }

    /** Goroutines that yielded to a preemption request since the start. */
    public static long preemptions() {
        return sumOverPs(pp -> pp.npreempt);
    }

    /** Successful steals from other Ps' run queues since the start. */
    public static long steals() {
        return sumOverPs(pp -> pp.nsteal);
    }

    /** Ps sysmon's retake took from syscalls and handed off since the start. */
    public static long handoffs() {
        return Sysmon.handoffs;
    }

    /** A per-P counter summed over every P there ever was (read racily, as schedtrace reads). */
    private static long sumOverPs(java.util.function.ToLongFunction<P> counter) {
        long n = 0;
        for (P pp : Stw.allpEver) {
            n += counter.applyAsLong(pp);
        }
        return n;
    }
}
