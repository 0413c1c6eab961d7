package dev.gort.bench;

import dev.gort.Gort;
import dev.gort.sync.WaitGroup;
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

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * WaitGroup fan-out/fan-in, per round (not per goroutine): the main goroutine starts
 * {@code FAN} = 100 goroutines that each only signal the group, then waits for all of them;
 * {@code ROUNDS} = 1,000 rounds per invocation (100,000 goroutines), each with a fresh group.
 * Default GOMAXPROCS (the machine's cores).
 *
 * <ul>
 *   <li>{@code gortDone}: {@code wg.add(100)}, then 100 {@code Gort.go(wg::done)},
 *       {@code wg.await()};</li>
 *   <li>{@code gortGo}: 100 {@code wg.go(() -> {})} (Go 1.25's {@code wg.Go}: add(1) per
 *       goroutine, done when it returns), {@code wg.await()};</li>
 *   <li>{@code loom}: a {@code CountDownLatch(100)}, 100 virtual threads that each
 *       {@code countDown()}, {@code await()} in the main virtual thread.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX})
public class WaitGroupBench {
    static final int FAN = 100;
    static final int ROUNDS = 1_000;

    private static final Runnable NOTHING = () -> {};

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void gortDone() {
        Gort.run(() -> {
            for (int r = 0; r < ROUNDS; r++) {
                WaitGroup wg = new WaitGroup();
                Runnable done = wg::done;
                wg.add(FAN);
                for (int i = 0; i < FAN; i++) {
                    Gort.go(done);
                }
                wg.await();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void gortGo() {
        Gort.run(() -> {
            for (int r = 0; r < ROUNDS; r++) {
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < FAN; i++) {
                    wg.go(NOTHING);
                }
                wg.await();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void loom() {
        Loom.run(() -> {
            for (int r = 0; r < ROUNDS; r++) {
                CountDownLatch latch = new CountDownLatch(FAN);
                Runnable done = latch::countDown;
                for (int i = 0; i < FAN; i++) {
                    Thread.ofVirtual().start(done);
                }
                Loom.unchecked(latch::await);
            }
        });
    }
}
