package dev.gort.bench;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.pprof.Pprof;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The goroutine profile's cost with N goroutines parked (Go twin: bench/go/pprof_test.go,
 * BenchmarkGoroutineProfile; shared/NOTES.md has Go's 104-155 ms for debug=0 and 716-735 ms
 * for debug=2 at 100k). One fresh JVM:
 *
 * <pre>
 * java --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -cp benchmarks.jar \
 *     dev.gort.bench.GoroutineProfileBench [N] [ROUNDS] [fresh|cached]
 * </pre>
 *
 * N goroutines (default 100,000) block receiving on one shared channel, as Go's twin's; one
 * more loops on {@code Gort.gosched()} and records the longest gap between two of its
 * iterations. Then, per round, a capture written to a null stream at debug=0 and at debug=2,
 * each timed, and the looping goroutine's longest gap during it; a window of the same length
 * without a capture gives the baseline gap (GC pauses show in both). With {@code cached}
 * the same goroutines stay parked across rounds, so after the first round their stacks are
 * found cached (they have not run since); with {@code fresh} (the default, the comparison
 * with Go, which walks every stack every time) each round parks N new goroutines (the
 * previous ones released), so every capture walks every stack, with the JIT warm after
 * round 0. Prints lines starting {@code GOROUTINE_PROFILE}.
 */
public final class GoroutineProfileBench {
    private GoroutineProfileBench() {}

    private static final OutputStream NULL = OutputStream.nullOutputStream();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean fresh = args.length <= 2 || args[2].equals("fresh");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong maxGap = new AtomicLong();
        Gort.go(() -> {
            long last = System.nanoTime();
            while (!stop.get()) {
                Gort.gosched();
                long now = System.nanoTime();
                long gap = now - last;
                last = now;
                if (gap > maxGap.get()) {
                    maxGap.set(gap);
                }
            }
        });
        Chan<Integer> ch = park(n);
        for (int r = 0; r < rounds; r++) {
            for (int debug : new int[] {0, 2}) {
                if (fresh && !(r == 0 && debug == 0)) {
                    ch.close();
                    ch = park(n);
                }
                maxGap.set(0);
                long t0 = System.nanoTime();
                write(debug);
                long took = System.nanoTime() - t0;
                long gapDuring = maxGap.get();
                maxGap.set(0);
                Thread.sleep(Math.max(1, took / 1_000_000));
                long gapWithout = maxGap.get();
                System.out.printf(Locale.ROOT, "GOROUTINE_PROFILE n=%d %s round=%d debug=%d ms=%.1f maxGapMs=%.3f baselineGapMs=%.3f%n",
                        n, fresh ? "fresh" : "cached", r, debug, took / 1e6, gapDuring / 1e6, gapWithout / 1e6);
            }
        }
        stop.set(true);
        ch.close();
    }

    /** n goroutines blocked receiving on a new channel (returned once all have parked). */
    static Chan<Integer> park(int n) throws InterruptedException {
        AtomicInteger parked = new AtomicInteger();
        Chan<Integer> ch = Chan.make();
        for (int i = 0; i < n; i++) {
            Gort.go(() -> {
                parked.incrementAndGet();
                ch.recv();
            });
        }
        while (parked.get() < n) {
            Thread.sleep(5);
        }
        Thread.sleep(200);
        return ch;
    }

    static void write(int debug) {
        try {
            Pprof.lookup("goroutine").writeTo(NULL, debug);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
