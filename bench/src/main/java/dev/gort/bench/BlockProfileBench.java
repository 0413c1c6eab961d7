package dev.gort.bench;

import dev.gort.Gort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The block profile's cost (issue 12: "block profile at rate 1, ping-pong: slowdown <=
 * Go's own"): {@link PingPongBench}'s unbuffered ping-pong per round trip with
 * {@code Gort.setBlockProfileRate(rate)}, at GOMAXPROCS {@code procs}. Each round trip
 * blocks twice (each side's receive), so at rate 1 it records two block events. The Go
 * twin is bench/go/blockprof_test.go ({@code -cpu 1,2}); bench/blockprof.sh runs both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX})
public class BlockProfileBench {
    @Param({"0", "1"})
    public int rate;

    @Param({"1", "2"})
    public int procs;

    private int oldProcs;

    @Setup(Level.Trial)
    public void setUp() {
        oldProcs = Gort.gomaxprocs(procs);
        Gort.setBlockProfileRate(rate);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Gort.setBlockProfileRate(0);
        Gort.gomaxprocs(oldProcs);
    }

    @Benchmark
    @OperationsPerInvocation(PingPongBench.N)
    public void pingpong() {
        new PingPongBench().gort();
    }
}
