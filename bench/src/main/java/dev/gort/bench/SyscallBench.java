package dev.gort.bench;

import dev.gort.BlockingCall;
import dev.gort.Gort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The {@code Gort.syscall} fast path (entersyscall, the call, exitsyscall finding its P
 * still attached), per call: a goroutine calls {@code Gort.syscall(() -> fortyTwo())} N
 * times, each result going to a {@code Blackhole}; {@code fortyTwo()} returns 42 and is
 * never inlined ({@code @CompilerControl(DONT_INLINE)}; Go: {@code //go:noinline}), so every
 * side makes one real call per iteration and the JIT cannot fold the loop. The call never
 * blocks, so no P is ever retaken.
 *
 * <ul>
 *   <li>{@code gort}: in the main goroutine of a {@code Gort.run};</li>
 *   <li>{@code direct}: the baseline, the same loop calling the lambda directly (no
 *       syscall); {@code gort - direct} is the enter/exit cost;</li>
 *   <li>{@code thread}: {@code Gort.syscall} on the benchmark's plain Java thread, where it
 *       just runs the call (the cost of finding out that the caller is no goroutine).</li>
 * </ul>
 *
 * Go twins: {@code runtime.entersyscall(); v := fortyTwo(); runtime.exitsyscall()} through
 * {@code go:linkname} (both are linkname-exported for gVisor), the same loop without them,
 * and, to show what a real system call costs, {@code syscall.Syscall(SYS_GETPID)} (with
 * entersyscall/exitsyscall) beside {@code syscall.RawSyscall(SYS_GETPID)} (without).
 * Loom has no counterpart: a virtual thread blocking in a system call simply pins its
 * carrier. Default GOMAXPROCS.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX})
public class SyscallBench {
    static final int N = 1_000_000;

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    static int fortyTwo() {
        return 42;
    }

    static final BlockingCall<Integer, RuntimeException> CALL = () -> fortyTwo();

    @Benchmark
    @OperationsPerInvocation(N)
    public void gort(Blackhole bh) {
        Gort.run(() -> {
            for (int i = 0; i < N; i++) {
                bh.consume(Gort.syscall(CALL).intValue());
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void direct(Blackhole bh) {
        Gort.run(() -> {
            for (int i = 0; i < N; i++) {
                bh.consume(CALL.call().intValue());
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void thread(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(Gort.syscall(CALL).intValue());
        }
    }
}
