package dev.gort.bench;

import dev.gort.Gort;
import dev.gort.bench.cpu.Expr;
import dev.gort.bench.cpu.Kernels;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What the agent's preemption checks cost CPU-bound code: the workloads of
 * {@link Kernels} and {@link Expr} (package dev.gort.bench.cpu), timed in forks with and
 * without {@code -javaagent:gort-agent.jar=include=dev.gort.bench.cpu.*}, in one JMH run.
 * Needs {@link AgentFork}, which adds the agent to the forks whose {@code agent} parameter
 * is {@code on}:
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar AgentOverheadBench \
 *     -prof dev.gort.bench.AgentFork:jar=gort-agent/target/gort-agent-0.1.0-SNAPSHOT.jar
 * </pre>
 *
 * Parameters: {@code agent} = {@code off} | {@code on} (| {@code nochecks}: the agent with
 * {@code preempt=off}, by {@code -p agent=off,on,nochecks}); {@code where} = {@code thread}
 * (the kernels run on JMH's thread: no goroutine, the runtime not even started, so the
 * checks cost exactly their load and branch) | {@code goroutine} (each invocation runs its
 * repetitions in the main goroutine of one {@code Gort.run}: sysmon is live and preempts a
 * goroutine that ran 10 ms, as it would in a gort program). The overhead of a workload is
 * the ratio on/off at the same {@code where}.
 *
 * <p>A score is the time of one kernel call. An invocation repeats the call REPS times
 * (chosen so an invocation takes ~1-5 ms, so the {@code Gort.run} round trip of the
 * goroutine case, some tens of microseconds, stays small beside it). The sizes: arrays of
 * 16K ints (L2-resident), 200x200 longs for the matrix, Collatz steps of 1..20,000,
 * fib(25), a 12-deep expression tree (8,191 nodes) walked 32 times, 100,000 iterations
 * of the interpreted loop.
 *
 * <p>Four forks of 5 x 1 s rather than the usual two of 5 x 2 s: C2's code for these
 * kernels differs from fork to fork (unrolling, whether a branch's profile makes it a
 * trap), by more than the effect measured, so the spread of forks matters more than
 * long iterations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 4, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX})
public class AgentOverheadBench {
    static final int ARRAY = 1 << 14;
    static final int MATRIX = 200;
    static final int COLLATZ = 20_000;
    static final int FIB = 25;
    static final int TREE_DEPTH = 12;
    static final int TREE_WALKS = 32;
    static final int INTERP = 100_000;

    static final int SUM_REPS = 1000;
    static final int SAXPY_REPS = 2000;
    static final int FIB_REPS = 4;

    @Param({"off", "on"})
    public String agent;

    @Param({"thread", "goroutine"})
    public String where;

    private boolean goroutine;
    private int[] ints;
    private int[] ys;
    private long[][] ma, mb, mc;
    private Expr tree;
    private int[] program;

    @Setup(Level.Trial)
    public void setup() {
        boolean loaded = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:") && a.contains(AgentFork.INCLUDE));
        if (loaded != !agent.equals("off")) {
            throw new IllegalStateException("agent=" + agent + " but this fork " + (loaded ? "has" : "lacks")
                    + " gort's -javaagent: run with -prof " + AgentFork.class.getName() + ":jar=PATH");
        }
        goroutine = switch (where) {
            case "thread" -> false;
            case "goroutine" -> true;
            default -> throw new IllegalArgumentException("where=" + where);
        };
        SplittableRandom rnd = new SplittableRandom(42);
        ints = rnd.ints(ARRAY, -1000, 1000).toArray();
        ys = rnd.ints(ARRAY, -1000, 1000).toArray();
        ma = new long[MATRIX][];
        mb = new long[MATRIX][];
        mc = new long[MATRIX][MATRIX];
        for (int i = 0; i < MATRIX; i++) {
            ma[i] = rnd.longs(MATRIX, -100, 100).toArray();
            mb[i] = rnd.longs(MATRIX, -100, 100).toArray();
        }
        tree = Expr.tree(TREE_DEPTH, 7);
        program = Kernels.program(INTERP);
    }

    /** Runs work reps times, on this thread or in a main goroutine. */
    private void measure(Blackhole bh, int reps, LongSupplier work) {
        if (goroutine) {
            Gort.run(() -> repeat(bh, reps, work));
        } else {
            repeat(bh, reps, work);
        }
    }

    private static void repeat(Blackhole bh, int reps, LongSupplier work) {
        for (int r = 0; r < reps; r++) {
            bh.consume(work.getAsLong());
        }
    }

    @Benchmark
    @OperationsPerInvocation(SUM_REPS)
    public void intSum(Blackhole bh) {
        measure(bh, SUM_REPS, () -> Kernels.intSum(ints));
    }

    @Benchmark
    @OperationsPerInvocation(SAXPY_REPS)
    public void saxpy(Blackhole bh) {
        measure(bh, SAXPY_REPS, () -> Kernels.saxpy(3, ints, ys));
    }

    @Benchmark
    public void matMul(Blackhole bh) {
        measure(bh, 1, () -> Kernels.matMul(ma, mb, mc));
    }

    @Benchmark
    public void collatz(Blackhole bh) {
        measure(bh, 1, () -> Kernels.collatz(COLLATZ));
    }

    @Benchmark
    @OperationsPerInvocation(FIB_REPS)
    public void fib(Blackhole bh) {
        measure(bh, FIB_REPS, () -> Kernels.fib(FIB));
    }

    @Benchmark
    public void visitor(Blackhole bh) {
        measure(bh, 1, () -> Expr.evalAll(tree, TREE_WALKS));
    }

    @Benchmark
    public void interpreter(Blackhole bh) {
        measure(bh, 1, () -> Kernels.interpret(program, new long[6]));
    }
}
