package dev.gort.explore;

import dev.gort.FatalError;
import dev.gort.runtime.ExploreRt;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * Schedule exploration: run a program many times under schedules that gort controls, find
 * an interleaving that breaks it, and replay that interleaving exactly.
 *
 * <pre>{@code
 * Explore.Result r = Explore.run(Explore.random().iterations(1000).seed(42), () -> {
 *     ... // the main goroutine of a controlled run: Gort.go, channels, sync, time
 * });
 * if (r.failed()) {
 *     System.out.println(r.schedule());            // gort1:random:seed=...:check=...
 *     Explore.replay(r.schedule(), sameProgram);   // throws the same failure, every time
 * }
 * }</pre>
 *
 * <p>In a controlled run the main goroutine and every goroutine it starts run one at a
 * time; at every gort operation (channel, select, sync operations that enter the runtime,
 * go, gosched, sleep and timers; under the agent, also the checks it injects at method
 * prologues and loop back-edges) the strategy picks which runnable goroutine goes on
 * ({@link Config#gomaxprocs gomaxprocs(1)}: whether the running one is preempted, Go's
 * single P deciding who runs instead); it also picks select's case among ready ones and the
 * order of timers due at the same instant. Time is virtual: it jumps to the next timer
 * when no goroutine can run, so an hour of sleeps takes no time. Goroutine ids are the run's own (main is 1). The same schedule token gives
 * the same run, byte for byte, provided the program's only nondeterminism is gort's
 * (no wall clock, no plain threads, no identity hash orders).
 *
 * <p>Failures: a throwable no goroutine caught (the throwable itself); a deadlock (a
 * {@link FatalError}, Go's text {@code all goroutines are asleep - deadlock!}); other fatal
 * errors ({@code sync: unlock of unlocked mutex}); and {@link ScheduleFailure} for a run
 * longer than {@code maxSteps}, for goroutines still blocked once main returned and every
 * other goroutine exited or blocked ({@code goroutine leak: ...}), and for uncontrolled
 * concurrency (a plain thread or another run touching the run's channels or locks).
 */
public final class Explore {
    private Explore() {}

    /** Default iterations of {@link #run}. */
    public static final int DEFAULT_ITERATIONS = 1_000;
    /** Default step budget of one run. */
    public static final int DEFAULT_MAX_STEPS = 100_000;
    /** PCT's estimate of the run length before any run has been seen. */
    static final int PCT_INITIAL_STEPS = 100;

    /** A random walk: at every step, a uniform pick among the runnable goroutines. */
    public static Config random() {
        return new Config("random", 0, DEFAULT_ITERATIONS, null, DEFAULT_MAX_STEPS, 0);
    }

    /**
     * PCT (probabilistic concurrency testing) for bugs of depth {@code depth}: the number of
     * ordering constraints between goroutines that the bug needs (1: one goroutine must run
     * before another; 2: an interleaving such as check, other, act).
     */
    public static Config pct(int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("pct depth must be at least 1 (the number of orderings the bug needs), got "
                    + depth);
        }
        return new Config("pct", depth, DEFAULT_ITERATIONS, null, DEFAULT_MAX_STEPS, 0);
    }

    /**
     * Systematic search, depth first over the choice points, with at most
     * {@code preemptionBound} preemptions per run (a switch away from a goroutine that could
     * have gone on); {@link Result#exhausted()} says whether it covered every schedule within
     * the bound before the iterations ran out. The seed is not used.
     */
    public static Config exhaustive(int preemptionBound) {
        if (preemptionBound < 0) {
            throw new IllegalArgumentException("exhaustive preemption bound must be at least 0, got " + preemptionBound);
        }
        return new Config("exhaustive", preemptionBound, DEFAULT_ITERATIONS, null, DEFAULT_MAX_STEPS, 0);
    }

    /**
     * Runs {@code main} as the main goroutine of a controlled run, again and again, until a
     * run fails or the iterations are spent. Each iteration's seed is derived from the
     * config's seed (random when none is set); the failing one's token is
     * {@link Result#schedule()}.
     *
     * @throws IllegalStateException inside a controlled run (explorations do not nest)
     */
    public static Result run(Config config, Runnable main) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(main, "main");
        if (ExploreRt.inControlledRun()) {
            throw new IllegalStateException("Explore.run inside a controlled run: explorations do not nest");
        }
        if (config.strategy.equals("exhaustive")) {
            return ExploreRt.session(() -> exhaustive(config, main));
        }
        long base = config.seed != null ? config.seed : new SecureRandom().nextLong();
        return ExploreRt.session(() -> {
            int longest = 0;
            for (int i = 0; i < config.iterations; i++) {
                long seed = Schedule.SplitMix.mix(base + (i + 1) * 0x9e3779b97f4a7c15L);
                int steps = longest > 0 ? longest : PCT_INITIAL_STEPS; // PCT's k: the longest run seen so far
                Schedule s = new Schedule(config.strategy, seed, config.maxSteps, config.param, steps)
                        .gomaxprocs(config.gomaxprocs);
                ExploreRt.Outcome o = s.execute(main);
                longest = Math.max(longest, o.steps());
                if (o.kind() != ExploreRt.PASS) {
                    return new Result(failureOf(o), s.token(), i + 1, false);
                }
            }
            return new Result(null, null, config.iterations, false);
        });
    }

    /** The exhaustive search: runs until a failure, the end of the space, or the iterations. */
    private static Result exhaustive(Config config, Runnable main) {
        int[] prefix = new int[0];
        for (int i = 0; i < config.iterations; i++) {
            Schedule s = Schedule.exhaustive(config.param, config.maxSteps, prefix, config.gomaxprocs);
            Schedule.DfsScheduler d = new Schedule.DfsScheduler(config.param, prefix);
            ExploreRt.Outcome o = s.execute(main, d);
            if (o.kind() != ExploreRt.PASS) {
                return new Result(failureOf(o),
                        Schedule.exhaustive(config.param, config.maxSteps, d.taken(), config.gomaxprocs).token(), i + 1, false);
            }
            prefix = d.nextPrefix();
            if (prefix == null) {
                return new Result(null, null, i + 1, true);
            }
        }
        return new Result(null, null, config.iterations, false);
    }

    /**
     * Runs the schedule of {@code schedule} (a token from {@link Result#schedule()}) once
     * more. If the run fails, throws its failure: the same class and message as the
     * exploration's {@link Result#failure()}. Returns normally if the run passes (the
     * token of a passing run, or a program whose behaviour depends on something gort does
     * not control).
     *
     * @throws IllegalArgumentException if the token is malformed, corrupted or of another version
     */
    public static void replay(String schedule, Runnable main) {
        Schedule s = Schedule.parse(schedule);
        Objects.requireNonNull(main, "main");
        if (ExploreRt.inControlledRun()) {
            throw new IllegalStateException("Explore.replay inside a controlled run: explorations do not nest");
        }
        Throwable t = failureOf(trial(s, main));
        if (t != null) {
            throw Explore.<RuntimeException>sneaky(t);
        }
    }

    /** One run of s (tests compare the choice logs of two). */
    static ExploreRt.Outcome trial(Schedule s, Runnable main) {
        return ExploreRt.session(() -> s.execute(main));
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /** The failure a run's outcome stands for, or null if it passed. */
    static Throwable failureOf(ExploreRt.Outcome o) {
        return switch (o.kind()) {
            case ExploreRt.PASS -> null;
            case ExploreRt.PANIC, ExploreRt.FATAL -> o.thrown();
            default -> new ScheduleFailure(o.message());
        };
    }

    /** Strategy and budget. Immutable: each setter returns a new config. */
    public static final class Config {
        final String strategy;
        /** PCT's depth, or exhaustive's preemption bound. */
        final int param;
        final int iterations;
        final Long seed;
        final int maxSteps;
        final int gomaxprocs;

        private Config(String strategy, int param, int iterations, Long seed, int maxSteps, int gomaxprocs) {
            this.strategy = strategy;
            this.param = param;
            this.iterations = iterations;
            this.seed = seed;
            this.maxSteps = maxSteps;
            this.gomaxprocs = gomaxprocs;
        }

        /** Runs to try (default 1,000); at least 1. */
        public Config iterations(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("iterations must be at least 1, got " + n);
            }
            return new Config(strategy, param, n, seed, maxSteps, gomaxprocs);
        }

        /** The seed the iterations' seeds derive from (default: a random one; the token records each run's). */
        public Config seed(long s) {
            return new Config(strategy, param, iterations, s, maxSteps, gomaxprocs);
        }

        /** Steps one run may take before it fails as {@code maxSteps exceeded} (default 100,000); at least 1. */
        public Config maxSteps(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxSteps must be at least 1, got " + n);
            }
            return new Config(strategy, param, iterations, seed, n, gomaxprocs);
        }

        /**
         * GOMAXPROCS of the runs: with 2 or more (the default), any runnable goroutine may run
         * next; with 1, only the orders Go's scheduler can produce with one P. Then who runs
         * next follows that P's queues (runnext, the local and global queues, the fairness
         * check every 61st tick), and the strategy's only choice at a scheduling point is
         * whether the running goroutine is preempted there: random preempts with probability
         * 1/2; pct preempts when the goroutine the queues would run instead has the higher
         * priority (its change points drop the running goroutine's); exhaustive branches on
         * preempt or not, each preemption counting against its bound. Select's picks and the
         * order of timers due together stay choices. Inside such a run GOMAXPROCS reads 1.
         */
        public Config gomaxprocs(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("gomaxprocs must be at least 1, got " + n);
            }
            return new Config(strategy, param, iterations, seed, maxSteps, n);
        }

        @Override
        public String toString() {
            return "Explore." + strategy + (strategy.equals("random") ? "()" : "(" + param + ")")
                    + ".iterations(" + iterations + ")" + (seed != null ? ".seed(" + seed + ")" : "")
                    + ".maxSteps(" + maxSteps + ")" + (gomaxprocs != 0 ? ".gomaxprocs(" + gomaxprocs + ")" : "");
        }
    }

    /** What an exploration found: the first failing run, or none. */
    public static final class Result {
        private final Throwable failure;
        private final String schedule;
        private final int iterations;
        private final boolean exhausted;

        Result(Throwable failure, String schedule, int iterations, boolean exhausted) {
            this.failure = failure;
            this.schedule = schedule;
            this.iterations = iterations;
            this.exhausted = exhausted;
        }

        /** Whether some run failed. */
        public boolean failed() {
            return failure != null;
        }

        /** The failing run's failure, or null. */
        public Throwable failure() {
            return failure;
        }

        /** The failing run's schedule token for {@link Explore#replay}, or null. */
        public String schedule() {
            return schedule;
        }

        /** Runs made, the failing one included. */
        public int iterations() {
            return iterations;
        }

        /** Whether a systematic search covered the whole space (always false for random and PCT). */
        public boolean exhausted() {
            return exhausted;
        }

        @Override
        public String toString() {
            return failed()
                    ? "failed after " + iterations + " runs: " + failure + "\nreplay with schedule " + schedule
                    : "passed " + iterations + " runs" + (exhausted ? " (exhausted)" : "");
        }
    }

    /** A run failed for a reason that is not a throwable of its own: a leak, a livelock, uncontrolled concurrency. */
    public static final class ScheduleFailure extends AssertionError {
        private static final long serialVersionUID = 1L;

        ScheduleFailure(String message) {
            super(message);
        }
    }
}
