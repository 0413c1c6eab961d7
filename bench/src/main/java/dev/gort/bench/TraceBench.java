package dev.gort.bench;

import dev.gort.trace.Trace;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
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

/**
 * The execution tracer's cost (issue: "tracing on"): the ping-pong and skynet of
 * {@link PingPongBench} and {@link SkynetBench}, untraced and traced (into a stream that
 * counts and drops the bytes), with stacks at the default depth and without
 * ({@code -Dgort.trace.stackdepth=0}). {@link #BYTES} reports the trace's size per
 * ping-pong round trip. Tracing off but compiled in is measured against the commit before
 * the tracer with {@code bench/compare.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX})
public class TraceBench {
    /** Counts and drops a trace's bytes. */
    static final class Counting extends OutputStream {
        long n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            n += len;
        }
    }

    @Param({"off", "on"})
    public String trace;

    private Counting out;
    private long roundTrips;

    @Setup(Level.Iteration)
    public void start() {
        roundTrips = 0;
        if (trace.equals("on")) {
            out = new Counting();
            Trace.start(out);
        }
    }

    @TearDown(Level.Iteration)
    public void stop() {
        if (out != null) {
            Trace.stop();
            if (roundTrips > 0) {
                System.out.printf("%n[trace] %.1f bytes per round trip%n", (double) out.n / roundTrips);
            }
            out = null;
        }
    }

    @Benchmark
    @OperationsPerInvocation(PingPongBench.N)
    public void pingpong() {
        new PingPongBench().gort();
        roundTrips += PingPongBench.N;
    }

    @Benchmark
    @OperationsPerInvocation(PingPongBench.N)
    @Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX, "-Dgort.trace.stackdepth=0"})
    public void pingpongNoStacks() {
        new PingPongBench().gort();
        roundTrips += PingPongBench.N;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    @Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX, "-Xms4g"})
    public long skynet() {
        return new SkynetBench().gort();
    }

    /** Unused by JMH: the bytes figure is printed by the teardown. */
    static final String BYTES = "bytes per round trip";
}
