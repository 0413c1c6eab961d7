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

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import java.util.concurrent.TimeUnit;

/**
 * Spawn + exit, per goroutine: the main goroutine starts N goroutines; each only counts
 * itself in a shared atomic counter, and the last one sends on a buffered channel of
 * capacity 1, which main receives. Loom: the same in a main virtual thread, with
 * {@code Thread.ofVirtual().start} and an {@code ArrayBlockingQueue(1)}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX})
public class SpawnBench {
    static final int N = 100_000;

    @Benchmark
    @OperationsPerInvocation(N)
    public void gort() {
        Gort.run(() -> {
            AtomicInteger count = new AtomicInteger();
            Chan<Object> done = Chan.make(1);
            Runnable child = () -> {
                if (count.incrementAndGet() == N) {
                    done.send(Loom.ITEM);
                }
            };
            for (int i = 0; i < N; i++) {
                Gort.go(child);
            }
            done.recv();
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void loom() {
        Loom.run(() -> {
            AtomicInteger count = new AtomicInteger();
            ArrayBlockingQueue<Object> done = new ArrayBlockingQueue<>(1);
            Runnable child = () -> {
                if (count.incrementAndGet() == N) {
                    Loom.put(done, Loom.ITEM);
                }
            };
            for (int i = 0; i < N; i++) {
                Thread.ofVirtual().start(child);
            }
            Loom.take(done);
        });
    }
}
