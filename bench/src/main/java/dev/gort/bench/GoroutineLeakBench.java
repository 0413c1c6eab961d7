package dev.gort.bench;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.pprof.Pprof;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The goroutineleak profile's cost: N goroutines parked on a channel the program still
 * holds (candidates that are not leaked) and L goroutines each parked on a channel only it
 * holds (leaked). One fresh JVM:
 *
 * <pre>
 * java --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -Xmx2g -Xlog:gc -cp benchmarks.jar \
 *     dev.gort.bench.GoroutineLeakBench [N] [L] [ROUNDS]
 * </pre>
 *
 * Per round it parks L new leaked goroutines, writes the profile at debug=0 to a null
 * stream, and prints the time, the leaks found and numGoroutine before and after (lines
 * starting {@code GOROUTINE_LEAK}). The time includes the collection that finds them
 * ({@code System.gc()}, a full G1 collection by default: see -Xlog:gc).
 */
public final class GoroutineLeakBench {
    private GoroutineLeakBench() {}

    private static final OutputStream NULL = OutputStream.nullOutputStream();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int leaks = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        AtomicInteger parked = new AtomicInteger();
        Chan<Integer> held = Chan.make();
        for (int i = 0; i < n; i++) {
            Gort.go(() -> {
                parked.incrementAndGet();
                held.recv();
            });
        }
        for (int r = 0; r < rounds; r++) {
            int want = n + leaks * (r + 1);
            for (int i = 0; i < leaks; i++) {
                Gort.go(() -> {
                    Chan<Integer> mine = Chan.make();
                    parked.incrementAndGet();
                    mine.recv();
                });
            }
            while (parked.get() < want) {
                Thread.sleep(5);
            }
            Thread.sleep(200);
            int before = Gort.numGoroutine();
            int countBefore = Pprof.lookup("goroutineleak").count();
            long t0 = System.nanoTime();
            write();
            long took = System.nanoTime() - t0;
            System.out.printf(Locale.ROOT, "GOROUTINE_LEAK n=%d leaks=%d round=%d ms=%.1f found=%d numGoroutine=%d->%d%n",
                    n, leaks, r, took / 1e6, Pprof.lookup("goroutineleak").count() - countBefore, before, Gort.numGoroutine());
        }
        held.close();
    }

    static void write() {
        try {
            Pprof.lookup("goroutineleak").writeTo(NULL, 0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
