package dev.gort.bench;

import dev.gort.Gort;

import java.util.concurrent.CountDownLatch;

/**
 * P hand-off latency: how long a runnable goroutine waits when the goroutine holding the
 * only P (GOMAXPROCS=1) blocks its M. Run it in a fresh JVM per kind:
 *
 * <pre>
 * java --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -Dgort.maxprocs=1 -cp benchmarks.jar \
 *     dev.gort.bench.HandoffLatency syscall|implicit [N]
 * </pre>
 *
 * One round: the main goroutine A starts goroutine B (which sits in A's P's run queue, in
 * runnext, since A keeps running), records t0 and blocks its M on a {@code CountDownLatch};
 * B can only run once the P has been taken from A's M and handed to another M (sysmon's
 * retake, handoffp, startm). B records t1 when it starts and opens the latch; A wakes and
 * goes on to the next round. The sample is t1 - t0. N = 2,000 measured rounds after 1,000
 * warm-up rounds (property {@code handoff.warmup}); rounds follow each other at once.
 *
 * <ul>
 *   <li>{@code syscall}: A calls {@code Gort.syscall(latch::await)} (entersyscall:
 *       the P stays attached but sysmon may take it; gort kicks sysmon out of its back-off
 *       when the P has work);</li>
 *   <li>{@code implicit}: A calls {@code latch.await()} directly, a blocking JDK call gort
 *       does not see (without the agent): sysmon finds the M WAITING by its thread state and
 *       treats it as in a syscall.</li>
 * </ul>
 *
 * Prints one line, {@code HANDOFF_LATENCY impl=gort kind=... n=... p50_us=... p99_us=...
 * max_us=...}. The Go twin (bench/go, BenchmarkHandoffLatency) blocks A in a real
 * {@code read(2)} on a pipe that B writes to, and prints the same line with {@code impl=go}.
 */
public final class HandoffLatency {
    private HandoffLatency() {}

    /** Goroutine B: records when it starts, then lets A go. */
    static final class Probe implements Runnable {
        final CountDownLatch latch = new CountDownLatch(1);
        volatile long t0;
        volatile long t1;

        @Override
        public void run() {
            t1 = System.nanoTime();
            latch.countDown();
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) {
        if (args.length < 1 || !(args[0].equals("syscall") || args[0].equals("implicit"))) {
            System.err.println("usage: HandoffLatency syscall|implicit [N]");
            System.exit(2);
        }
        String kind = args[0];
        boolean syscall = kind.equals("syscall");
        int n = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 2_000;
        int warm = Integer.getInteger("handoff.warmup", 1_000);
        Gort.gomaxprocs(1); // as -Dgort.maxprocs=1 (run.sh passes both)
        long[] samples = new long[n];
        Gort.run(() -> {
            for (int i = -warm; i < n; i++) {
                Probe b = new Probe();
                Gort.go(b);
                b.t0 = System.nanoTime();
                if (syscall) {
                    Gort.syscall(() -> await(b.latch));
                } else {
                    await(b.latch);
                }
                if (i >= 0) {
                    samples[i] = b.t1 - b.t0;
                }
            }
            // Workaround, not part of the measurement: a goroutine that returns right after
            // an implicit syscall (no gort call in between) dies in goexit0 with "casgstatus:
            // goroutine N is in status 3, not 2 (wanted 6)", as sysmon left it in _Gsyscall.
            // A runtime entry (here gosched) first leaves the implicit syscall.
            Gort.gosched();
        });
        System.out.println("HANDOFF_LATENCY impl=gort kind=" + kind + " " + Latencies.summary(samples)
                + " maxprocs=" + Gort.gomaxprocs(0) + " java=" + System.getProperty("java.version"));
    }
}
