package dev.gort.bench;

import dev.gort.Chan;
import dev.gort.Gort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Gosched switch: the cost of one yield-and-resume, per call.
 *
 * <ul>
 *   <li>{@code gort1}: the main goroutine calls {@code Gort.gosched()} N times (it goes to the
 *       global run queue and the M picks it again);</li>
 *   <li>{@code gort2}: two goroutines call it N/2 times each, so every gosched switches to the
 *       other goroutine;</li>
 *   <li>{@code bare1}/{@code bare2}: the bare {@code jdk.internal.vm.Continuation} cycle
 *       ({@code Continuation.yield(scope)} in the body, {@code c.run()} in a driver loop), one
 *       continuation, or two run alternately;</li>
 *   <li>{@code loom1}/{@code loom2}: {@code Thread.yield()} in one or two virtual threads.</li>
 * </ul>
 *
 * The fork runs gort with GOMAXPROCS=1 ({@code -Dgort.maxprocs=1}) and Loom's scheduler with
 * parallelism 1, since the bare cycle is single-threaded (the Go twin calls
 * {@code runtime.GOMAXPROCS(1)}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX, "-Dgort.maxprocs=1",
        "-Djdk.virtualThreadScheduler.parallelism=1"})
public class GoschedBench {
    static final int N = 100_000;

    @Benchmark
    @OperationsPerInvocation(N)
    public void gort1() {
        Gort.run(() -> {
            for (int i = 0; i < N; i++) {
                Gort.gosched();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void gort2() {
        Gort.run(() -> {
            Chan<Object> done = Chan.make();
            Gort.go(() -> {
                for (int i = 0; i < N / 2; i++) {
                    Gort.gosched();
                }
                done.send(Loom.ITEM);
            });
            for (int i = 0; i < N / 2; i++) {
                Gort.gosched();
            }
            done.recv();
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void bare1() {
        BareContinuation.cycle1(N);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void bare2() {
        BareContinuation.cycle2(N);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void loom1() {
        Loom.run(() -> {
            for (int i = 0; i < N; i++) {
                Thread.yield();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void loom2() {
        Loom.run(() -> {
            Thread other = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < N / 2; i++) {
                    Thread.yield();
                }
            });
            for (int i = 0; i < N / 2; i++) {
                Thread.yield();
            }
            Loom.unchecked(other::join);
        });
    }
}
