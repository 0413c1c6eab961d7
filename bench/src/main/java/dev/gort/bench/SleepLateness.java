package dev.gort.bench;

import dev.gort.Gort;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

/**
 * Sleep lateness with many sleepers: N = 100,000 goroutines each sleep ROUNDS = 5 times, for
 * a random 1..MAX_MS ms each (uniform, a table drawn up front with a fixed seed); a sleep's
 * lateness is the time it returned minus the time it was due (time before the call + the
 * duration). Run it in a fresh JVM per implementation:
 *
 * <pre>
 * java --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -cp benchmarks.jar \
 *     dev.gort.bench.SleepLateness gort|loom [N] [ROUNDS] [MAX_MS]
 * </pre>
 *
 * <ul>
 *   <li>{@code gort}: a main goroutine starts N goroutines that each loop
 *       {@code Time.sleep(d)}, then {@code wg.done()}; main {@code wg.await()}s;</li>
 *   <li>{@code loom}: N virtual threads that each loop {@code Thread.sleep(d)}, then
 *       {@code countDown()} a latch the main thread awaits.</li>
 * </ul>
 *
 * Default GOMAXPROCS / Loom parallelism (the machine's cores). bench/run.sh runs it twice:
 * MAX_MS = 1000 (100k goroutines asleep at once, ~200k wake-ups a second: the issue's
 * target load, Go twin BenchmarkSleepLateness) and MAX_MS = 50 (~4 million wake-ups a
 * second, more than 2 cores serve: a load test of timers and scheduler together, Go twin
 * BenchmarkSleepLatenessDense). A warm-up pass of the same kind
 * (N/2 goroutines, 2 rounds; properties {@code sleep.warmupN}, {@code sleep.warmupRounds})
 * runs first and is not counted. Prints one line, {@code SLEEP_LATENESS impl=... n=...
 * p50_us=... p99_us=... max_us=...} (n there counts sleeps: N x ROUNDS). Go twin:
 * bench/go, BenchmarkSleepLateness, which prints the same line with {@code impl=go}.
 */
public final class SleepLateness {
    private SleepLateness() {}

    interface Impl {
        /** Runs goroutines sleeping {@code nanos[g * rounds + r]}, storing each lateness in late[]. */
        void run(int goroutines, int rounds, long[] nanos, long[] late);
    }

    static void sleeper(int g, int rounds, long[] nanos, long[] late, boolean gort) {
        for (int r = 0; r < rounds; r++) {
            int k = g * rounds + r;
            long d = nanos[k];
            Duration dd = Duration.ofNanos(d);
            long start = System.nanoTime();
            if (gort) {
                Time.sleep(dd);
            } else {
                try {
                    Thread.sleep(dd);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            late[k] = System.nanoTime() - (start + d);
        }
    }

    static final Impl GORT = (goroutines, rounds, nanos, late) -> Gort.run(() -> {
        WaitGroup wg = new WaitGroup();
        wg.add(goroutines);
        for (int g = 0; g < goroutines; g++) {
            int id = g;
            Gort.go(() -> {
                sleeper(id, rounds, nanos, late, true);
                wg.done();
            });
        }
        wg.await();
    });

    static final Impl LOOM = (goroutines, rounds, nanos, late) -> Loom.run(() -> {
        CountDownLatch latch = new CountDownLatch(goroutines);
        for (int g = 0; g < goroutines; g++) {
            int id = g;
            Thread.ofVirtual().start(() -> {
                sleeper(id, rounds, nanos, late, false);
                latch.countDown();
            });
        }
        Loom.unchecked(latch::await);
    });

    static long[] durations(int count, long maxMs, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            nanos[i] = rnd.nextLong(1_000_000, maxMs * 1_000_000 + 1);
        }
        return nanos;
    }

    public static void main(String[] args) {
        if (args.length < 1 || !(args[0].equals("gort") || args[0].equals("loom"))) {
            System.err.println("usage: SleepLateness gort|loom [N] [ROUNDS] [MAX_MS]");
            System.exit(2);
        }
        String kind = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 100_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        long maxMs = args.length > 3 ? Long.parseLong(args[3]) : 1000;
        Impl impl = kind.equals("gort") ? GORT : LOOM;

        int warmN = Integer.getInteger("sleep.warmupN", n / 2);
        int warmRounds = Integer.getInteger("sleep.warmupRounds", 2);
        if (warmN > 0 && warmRounds > 0) {
            impl.run(warmN, warmRounds, durations(warmN * warmRounds, maxMs, 2), new long[warmN * warmRounds]);
        }

        long[] nanos = durations(n * rounds, maxMs, 1);
        long[] late = new long[n * rounds];
        long t0 = System.nanoTime();
        impl.run(n, rounds, nanos, late);
        long wallNanos = System.nanoTime() - t0;
        String procs = kind.equals("gort") ? "maxprocs=" + Gort.gomaxprocs(0)
                : "parallelism=" + Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                        Runtime.getRuntime().availableProcessors());
        System.out.println("SLEEP_LATENESS impl=" + kind + " " + Latencies.summary(late)
                + " goroutines=" + n + " rounds=" + rounds + " max_ms=" + maxMs
                + " wall_ms=" + wallNanos / 1_000_000 + " " + procs
                + " java=" + System.getProperty("java.version"));
    }
}
