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

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Unbuffered ping-pong, per round trip: main sends on {@code ping}, an echo goroutine
 * receives it and sends it back on {@code pong}, main receives; N round trips. Default
 * GOMAXPROCS (the machine's cores). Loom: two {@code SynchronousQueue}s, two virtual threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX})
public class PingPongBench {
    static final int N = 100_000;

    @Benchmark
    @OperationsPerInvocation(N)
    public void gort() {
        Gort.run(() -> {
            Chan<Object> ping = Chan.make();
            Chan<Object> pong = Chan.make();
            Gort.go(() -> {
                for (int i = 0; i < N; i++) {
                    pong.send(ping.recv());
                }
            });
            for (int i = 0; i < N; i++) {
                ping.send(Loom.ITEM);
                pong.recv();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void loom() {
        Loom.run(() -> {
            SynchronousQueue<Object> ping = new SynchronousQueue<>();
            SynchronousQueue<Object> pong = new SynchronousQueue<>();
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < N; i++) {
                    Loom.put(pong, Loom.take(ping));
                }
            });
            for (int i = 0; i < N; i++) {
                Loom.put(ping, Loom.ITEM);
                Loom.take(pong);
            }
        });
    }
}
