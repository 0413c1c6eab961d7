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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Producer/consumer over one channel of capacity {@code cap}, per item: a producer goroutine
 * sends N items, the main goroutine receives them. Loom: {@code ArrayBlockingQueue(cap)},
 * or {@code SynchronousQueue} for cap 0.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX})
public class ProdConsBench {
    static final int N = 100_000;

    @Param({"0", "10", "100"})
    public int cap;

    @Benchmark
    @OperationsPerInvocation(N)
    public void gort() {
        int size = cap;
        Gort.run(() -> {
            Chan<Object> ch = Chan.make(size);
            Gort.go(() -> {
                for (int i = 0; i < N; i++) {
                    ch.send(Loom.ITEM);
                }
            });
            for (int i = 0; i < N; i++) {
                ch.recv();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void loom() {
        int size = cap;
        Loom.run(() -> {
            BlockingQueue<Object> q = size == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(size);
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < N; i++) {
                    Loom.put(q, Loom.ITEM);
                }
            });
            for (int i = 0; i < N; i++) {
                Loom.take(q);
            }
        });
    }
}
