package dev.gort.examples;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * CPU-bound goroutines beside a latency-sensitive one: what the agent's preemption checks
 * are for. WORKERS goroutines (default: GOMAXPROCS, one per P) compute a SIZE x SIZE
 * Mandelbrot set (default 1200, up to MAX_ITER = 2000 iterations a point) in interleaved
 * rows, in loops that call nothing; meanwhile a ticker goroutine aims to wake every
 * PERIOD_MS (default 1 ms, with {@code Time.sleep}) and records how late each wake-up is
 * against its planned tick. Prints the result and the ticker's lateness:
 *
 * <pre>
 * mandelbrot 1200x1200, max 2000 iterations, workers 1, GOMAXPROCS=1: 347815 points inside, 704755328 iterations, 1802 ms
 * ticker every 1 ms: 160 wake-ups, lateness p50 10.7 ms, p99 21.9 ms, worst 22.0 ms
 * </pre>
 *
 * A goroutine that never calls into gort can only lose its P at a preemption check, and
 * without the agent there is none in these loops: sysmon's request after 10 ms goes
 * unseen, so a ticker whose P is held by a worker waits until that worker ends. With the
 * agent a worker yields at its next loop header once its 10 ms slice is over, so the ticker
 * is late by about one slice; one wake-up in 61 waits two (the preempted worker goes to
 * the global queue, and every 61st schedule takes from there first: Go's fairness rule).
 * GOMAXPROCS comes from the environment, as in Go:
 *
 * <pre>
 * # without the agent: the ticker waits for the whole computation (worst ~ the run time)
 * GOMAXPROCS=1 java -jar gort-examples/target/gort-examples.jar lateness
 * # with the agent: lateness ~10 ms (one time slice), worst ~20 ms (two)
 * GOMAXPROCS=1 java -javaagent:gort-agent/target/gort-agent-0.1.0-SNAPSHOT.jar \
 *     -jar gort-examples/target/gort-examples.jar lateness
 * </pre>
 *
 * Measured on a 2-core machine (JDK 25, three runs each; bench/AGENT-RESULTS.md): with
 * GOMAXPROCS=1, without the agent the worst lateness is the whole computation (1.80-1.85
 * s); with it, p50 10.7 ms, p99 and worst 21.8-22.0 ms, and the computation takes 1.80-1.90
 * s instead of 1.79-1.85 s. With GOMAXPROCS=2 and 2 workers: without the agent worst
 * 0.94-0.96 s (both Ps busy until the work ends), with it p50 10.6 ms, worst 13.7-21.9 ms.
 *
 * <p>The ticker has told main it started, and so planned its first tick, before the
 * workers exist (the {@code started} channel), so its lateness covers the whole
 * computation whichever goroutine runs first. The result (points inside the set, total
 * iterations) does not depend on the split into goroutines, nor on the agent.
 *
 * <p>Usage: {@code lateness [SIZE] [MAX_ITER] [PERIOD_MS] [WORKERS]}.
 */
public final class Lateness {
    private Lateness() {}

    /**
     * Rows first, first + step, ... of the Mandelbrot set over [-2, 0.5] x [-1.25, 1.25]:
     * {points inside (never escaped in maxIter iterations), iterations run}. No calls in
     * the loops: only the agent's checks can preempt it.
     */
    static long[] mandelbrot(int size, int maxIter, int first, int step) {
        long inside = 0, iterations = 0;
        for (int y = first; y < size; y += step) {
            double ci = -1.25 + 2.5 * y / size;
            for (int x = 0; x < size; x++) {
                double cr = -2.0 + 2.5 * x / size;
                double zr = 0, zi = 0;
                int i = 0;
                while (i < maxIter) {
                    double zr2 = zr * zr, zi2 = zi * zi;
                    if (zr2 + zi2 > 4.0) {
                        break;
                    }
                    zi = 2 * zr * zi + ci;
                    zr = zr2 - zi2 + cr;
                    i++;
                }
                iterations += i;
                if (i == maxIter) {
                    inside++;
                }
            }
        }
        return new long[] {inside, iterations};
    }

    /**
     * The ticker: aims to wake at start + period, + 2 periods, ... until done is closed, and
     * returns how late each wake-up was (ns). Lateness is measured against the planned tick,
     * not the sleep, so time spent runnable but waiting for a P counts too (the ticker may
     * lose its P at any gort call, right after telling main it started). After a late
     * wake-up the next tick is planned a period from now: missed ticks are dropped, as Go's
     * time.Ticker drops them, and the delay is counted once.
     */
    static long[] tick(Duration period, Chan<Object> started, Chan<Object> done) {
        long p = period.toNanos();
        long next = System.nanoTime() + p;
        long[] late = new long[1024];
        int n = 0;
        started.send(Boolean.TRUE);
        while (done.tryRecv() == null) { // Go's select { case <-done: return; default: }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Time.sleep(Duration.ofNanos(wait));
            }
            long now = System.nanoTime();
            if (n == late.length) {
                late = Arrays.copyOf(late, n * 2);
            }
            late[n++] = now - next;
            next = Math.max(next + p, now + p / 2); // on schedule: next + p; behind: resync
        }
        return Arrays.copyOf(late, n);
    }

    /** The nearest-rank p-th percentile of sorted samples. */
    static long percentile(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static int arg(String[] args, int i, int dflt, String what) {
        if (args.length <= i) {
            return dflt;
        }
        int v;
        try {
            v = Integer.parseInt(args[i].replace("_", ""));
        } catch (NumberFormatException e) {
            v = 0;
        }
        if (v < 1) {
            System.err.println("usage: lateness [SIZE] [MAX_ITER] [PERIOD_MS] [WORKERS], all positive; bad "
                    + what + ": " + args[i]);
            System.exit(2);
        }
        return v;
    }

    public static void main(String[] args) {
        int size = arg(args, 0, 1200, "SIZE");
        int maxIter = arg(args, 1, 2000, "MAX_ITER");
        Duration period = Duration.ofMillis(arg(args, 2, 1, "PERIOD_MS"));
        int procs = Gort.gomaxprocs(0);
        int workers = arg(args, 3, procs, "WORKERS");
        Gort.main(() -> {
            Chan<Object> started = Chan.make();
            Chan<Object> done = Chan.make();
            Chan<long[]> lateness = Chan.make(1);
            Gort.go(() -> lateness.send(tick(period, started, done)));
            started.recv();

            long t0 = System.nanoTime();
            long[][] parts = new long[workers][];
            WaitGroup wg = new WaitGroup();
            for (int w = 0; w < workers; w++) {
                int first = w;
                wg.go(() -> parts[first] = mandelbrot(size, maxIter, first, workers));
            }
            wg.await();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            done.close();
            long[] late = lateness.recv();

            long inside = 0, iterations = 0;
            for (long[] p : parts) {
                inside += p[0];
                iterations += p[1];
            }
            System.out.printf("mandelbrot %dx%d, max %d iterations, workers %d, GOMAXPROCS=%d: "
                            + "%d points inside, %d iterations, %d ms%n",
                    size, size, maxIter, workers, procs, inside, iterations, ms);
            Arrays.sort(late);
            System.out.printf(Locale.ROOT, "ticker every %d ms: %d wake-ups, lateness p50 %.1f ms, p99 %.1f ms, worst %.1f ms%n",
                    period.toMillis(), late.length, percentile(late, 50) / 1e6, percentile(late, 99) / 1e6,
                    late[late.length - 1] / 1e6);
        });
    }
}
