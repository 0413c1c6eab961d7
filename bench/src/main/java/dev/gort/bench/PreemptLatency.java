package dev.gort.bench;

import dev.gort.Gort;
import dev.gort.time.Time;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Preemption latency: how late a timer-driven goroutine wakes when the only P
 * (GOMAXPROCS=1) is held by a goroutine spinning in a call-free loop. Only the agent's
 * loop-header check can take the P from the spinner (sysmon raises the request after it
 * ran 10 ms), so run it under the agent:
 *
 * <pre>
 * java -javaagent:gort-agent.jar=maxprocs=1 -cp benchmarks.jar dev.gort.bench.PreemptLatency gort [N] [BUDGET_S]
 * java --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -Dgort.maxprocs=1 \
 *     -cp benchmarks.jar dev.gort.bench.PreemptLatency gort [N] [BUDGET_S]   # no agent: starves
 * java -cp benchmarks.jar dev.gort.bench.PreemptLatency thread [N]          # the OS's baseline
 * </pre>
 *
 * The spinner runs {@code while (!stop) x = x * 31 + 7;} (stop is volatile, so the loop
 * ends when told even without the agent's checks). The sleeper, started right after it,
 * loops {@code Time.sleep(1 ms)} and records each sleep's lateness (return time minus
 * start + 1 ms): 200 warm-up sleeps, then N = 3,000 measured ones. Each wake-up needs the
 * spinner preempted, so expect about 10 ms (sysmon's forcePreemptNS) less the 1 ms slept,
 * per sleep: the run takes ~N x 10 ms.
 *
 * <p>The plain Java main thread waits for the sleeper at most BUDGET_S seconds (default
 * 60), then sets stop. Without the agent nothing preempts the spinner, so the sleeper
 * never runs within the budget; the report says how many sleeps it got through
 * ({@code n=0}) and when it first ran ({@code first_run_us}: the budget, once stop let the
 * spinner end). One line: {@code PREEMPT_LATENCY impl=gort agent=on|off n=...
 * p50_us=... p99_us=... max_us=... first_run_us=...}. Go twin: bench/go,
 * BenchmarkPreemptLatency, which prints the same line with {@code impl=go}.
 *
 * <p>{@code thread}: the same two loops on two platform threads ({@code Thread.sleep}), no
 * gort: the OS has a core for each (on a 2-core machine), so what is left is the lateness
 * of the OS's own timers and scheduling under the machine's load at the time, the floor
 * under the other figures (on a shared machine, their tails are mostly this).
 */
public final class PreemptLatency {
    private PreemptLatency() {}

    static final Duration SLEEP = Duration.ofMillis(1);

    /** Set by the main thread to end both goroutines. Volatile: the spinner must see it without the agent. */
    static volatile boolean stop;
    /** The spinner's result, so its loop is not dead code. */
    static volatile long sink;
    /** When the sleeper first ran (nanoTime); 0 until then. */
    static volatile long firstRun;
    /** Measured sleeps so far (written by the sleeper, read by main after the latch or the budget). */
    static volatile int done;

    static void spin() {
        long x = 1;
        while (!stop) {
            x = x * 31 + 7;
        }
        sink = x;
    }

    static void sleep(long[] late, int warm, CountDownLatch finished) {
        firstRun = System.nanoTime();
        for (int i = -warm; i < late.length && !stop; i++) {
            long start = System.nanoTime();
            Time.sleep(SLEEP);
            long l = System.nanoTime() - (start + SLEEP.toNanos());
            if (i >= 0) {
                late[i] = l;
                done = i + 1;
            }
        }
        finished.countDown();
    }

    /**
     * The summary, plus {@code two_slices}: the sleeps later than 1.5 x the median, those
     * that waited out a second time slice of the spinner. (A preempted goroutine goes to
     * the global queue, and every 61st schedule takes from there first, before the woken
     * sleeper in runnext: Go's fairness rule, schedtick%61, so about 1 sleep in 61.)
     */
    static String twoSlices(long[] late) {
        String summary = Latencies.summary(late); // sorts late
        long limit = Latencies.rank(late, 50) * 3 / 2;
        int k = 0;
        for (long l : late) {
            if (l > limit) {
                k++;
            }
        }
        return summary + " two_slices=" + k;
    }

    /** Whether gort's agent is in this JVM (the report says which case it measured). */
    static boolean agent() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:") && a.contains("gort-agent"));
    }

    /** The OS baseline: spinner and sleeper on two platform threads. */
    static void threads(long[] late, int warm) throws InterruptedException {
        Thread spinner = new Thread(PreemptLatency::spin, "spinner");
        spinner.start();
        long t0 = System.nanoTime();
        for (int i = -warm; i < late.length; i++) {
            long start = System.nanoTime();
            Thread.sleep(SLEEP);
            if (i >= 0) {
                late[i] = System.nanoTime() - (start + SLEEP.toNanos());
            }
        }
        stop = true;
        spinner.join();
        System.out.println("PREEMPT_LATENCY impl=thread " + Latencies.summary(late)
                + " wall_ms=" + (System.nanoTime() - t0) / 1_000_000
                + " cpus=" + Runtime.getRuntime().availableProcessors() + " java=" + System.getProperty("java.version"));
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || !(args[0].equals("gort") || args[0].equals("thread"))) {
            System.err.println("usage: PreemptLatency gort|thread [N] [BUDGET_S]");
            System.exit(2);
        }
        int n = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 3_000;
        long budgetS = args.length > 2 ? Long.parseLong(args[2]) : 60;
        int warm = Integer.getInteger("preempt.warmup", 200);
        if (args[0].equals("thread")) {
            threads(new long[n], warm);
            return;
        }
        Gort.gomaxprocs(1); // as maxprocs=1 / -Dgort.maxprocs=1 (run.sh passes those too)
        long[] late = new long[n];
        CountDownLatch finished = new CountDownLatch(1);
        long t0 = System.nanoTime();
        Gort.go(PreemptLatency::spin);
        Gort.go(() -> sleep(late, warm, finished));
        // A JDK wait on this plain thread, not a gort timer: gort's timers need the P.
        boolean completed = finished.await(budgetS, TimeUnit.SECONDS);
        stop = true;
        finished.await(); // the spinner ends, the sleeper runs (if it never did) and sees stop
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        int got = done;
        String lat = got > 0 ? twoSlices(Arrays.copyOf(late, got))
                : "n=0 min_us=NaN p50_us=NaN p90_us=NaN p99_us=NaN max_us=NaN mean_us=NaN two_slices=0";
        System.out.println("PREEMPT_LATENCY impl=gort agent=" + (agent() ? "on" : "off") + " " + lat
                + " first_run_us=" + (firstRun - t0) / 1000 + " completed=" + completed
                + " wall_ms=" + wallMs + " maxprocs=" + Gort.gomaxprocs(0)
                + " java=" + System.getProperty("java.version"));
    }
}
