package dev.gort.bench;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.explore.Explore;
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
 * Schedule exploration's cost (issue 14's targets).
 *
 * <ul>
 *   <li>Per controlled step against the same operation in a normal run at GOMAXPROCS=1:
 *       {@code goschedNormal}/{@code goschedControlled} (two goroutines calling Gosched in
 *       turn; per call) and {@code pingPongNormal}/{@code pingPongControlled} (an unbuffered
 *       ping-pong; per channel operation, four per round trip). The controlled variants run
 *       the same program as one controlled run of a random strategy, where every operation
 *       is a step with two goroutines to pick from.</li>
 *   <li>{@code iterations}: whole controlled runs per second of a 10-goroutine program of
 *       about 200 steps (each of 9 workers sends 10 values on a channel of capacity 4, main
 *       receives the 90 and waits for them: 9 spawns, 90 sends, 90 receives, 9 exits);
 *       per run.</li>
 * </ul>
 *
 * GOMAXPROCS=1 for the normal runs (a controlled run has one M whatever it is set to).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX, "-Dgort.maxprocs=1"})
public class ExploreStepBench {
    static final int N = 100_000;
    static final int RUNS = 200;

    private static final Explore.Config ONE_RUN = Explore.random().iterations(1).seed(1).maxSteps(Integer.MAX_VALUE);

    static void gosched2() {
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
    }

    static void pingPong() {
        Chan<Object> ping = Chan.make();
        Chan<Object> pong = Chan.make();
        Gort.go(() -> {
            for (int i = 0; i < N / 4; i++) {
                pong.send(ping.recv());
            }
        });
        for (int i = 0; i < N / 4; i++) {
            ping.send(Loom.ITEM);
            pong.recv();
        }
    }

    static void tenGoroutines() {
        Chan<Integer> c = Chan.make(4);
        for (int w = 0; w < 9; w++) {
            int id = w;
            Gort.go(() -> {
                for (int i = 0; i < 10; i++) {
                    c.send(id);
                }
            });
        }
        int sum = 0;
        for (int i = 0; i < 90; i++) {
            sum += c.recv();
        }
        if (sum != 10 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8)) {
            throw new AssertionError("sum " + sum);
        }
    }

    private static void controlled(Runnable main) {
        Explore.Result r = Explore.run(ONE_RUN, main);
        if (r.failed()) {
            throw new AssertionError(r.toString());
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void goschedNormal() {
        Gort.run(ExploreStepBench::gosched2);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void goschedControlled() {
        controlled(ExploreStepBench::gosched2);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void pingPongNormal() {
        Gort.run(ExploreStepBench::pingPong);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void pingPongControlled() {
        controlled(ExploreStepBench::pingPong);
    }

    @Benchmark
    @OperationsPerInvocation(RUNS)
    public void iterations() {
        Explore.Result r = Explore.run(Explore.random().iterations(RUNS).seed(7), ExploreStepBench::tenGoroutines);
        if (r.failed() || r.iterations() != RUNS) {
            throw new AssertionError(r.toString());
        }
    }
}
