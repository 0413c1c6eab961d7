package dev.gort.bench;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
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

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Contended select, per item delivered: two producers each send N/2 items on their own
 * unbuffered channel ({@code a}, {@code b}) and close it; four consumers each loop on
 * {@code select { case v, ok := <-a: ...; case v, ok := <-b: ... }}, setting a channel to
 * nil (a null channel: never ready) once it is closed, and stop when both are nil; each
 * reports its count on a results channel and main checks that the counts add up to N.
 *
 * <p>Loom has no select. The Loom side replaces the two channels with one shared queue fed
 * by both producers (consumers do a plain {@code take()}); the last producer to finish
 * puts one poison pill per consumer, so FIFO order delivers every item before the pills:
 * <ul>
 *   <li>{@code loomLbq}: a {@code LinkedBlockingQueue} (unbounded: producers never block);</li>
 *   <li>{@code loomSq}: a {@code SynchronousQueue} (a rendezvous, like the unbuffered
 *       channels).</li>
 * </ul>
 * Both are easier than the gort/Go work (one queue, no multi-channel wait), so they are
 * a lower bound for what a select would cost in Loom.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX})
public class SelectBench {
    static final int N = 100_000;
    static final int CONSUMERS = 4;

    /** One consumer's state (lambdas cannot assign locals). Cases are built once and reused. */
    static final class Consumer implements Runnable {
        final Chan<Integer> results;
        final Select.Case[] cases = new Select.Case[2];
        int open = 2;
        int n;

        Consumer(Chan<Object> a, Chan<Object> b, Chan<Integer> results) {
            this.results = results;
            cases[0] = Select.recvOk(a, (v, ok) -> {
                if (ok) {
                    n++;
                } else {
                    cases[0] = Select.recvOk((Chan<Object>) null, null); // a = nil
                    open--;
                }
            });
            cases[1] = Select.recvOk(b, (v, ok) -> {
                if (ok) {
                    n++;
                } else {
                    cases[1] = Select.recvOk((Chan<Object>) null, null); // b = nil
                    open--;
                }
            });
        }

        @Override
        public void run() {
            while (open > 0) {
                Select.select(cases);
            }
            results.send(n);
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void gort() {
        Gort.run(() -> {
            Chan<Object> a = Chan.make();
            Chan<Object> b = Chan.make();
            Chan<Integer> results = Chan.make();
            for (Chan<Object> ch : java.util.List.of(a, b)) {
                Gort.go(() -> {
                    for (int i = 0; i < N / 2; i++) {
                        ch.send(Loom.ITEM);
                    }
                    ch.close();
                });
            }
            for (int c = 0; c < CONSUMERS; c++) {
                Gort.go(new Consumer(a, b, results));
            }
            int total = 0;
            for (int c = 0; c < CONSUMERS; c++) {
                total += results.recv();
            }
            if (total != N) {
                throw new AssertionError("select delivered " + total + " items, want " + N);
            }
        });
    }

    private static final Object PILL = new Object();

    private static void loomShared(BlockingQueue<Object> q) {
        Loom.run(() -> {
            AtomicInteger producing = new AtomicInteger(2);
            SynchronousQueue<Integer> results = new SynchronousQueue<>();
            for (int p = 0; p < 2; p++) {
                Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < N / 2; i++) {
                        Loom.put(q, Loom.ITEM);
                    }
                    if (producing.decrementAndGet() == 0) {
                        for (int c = 0; c < CONSUMERS; c++) {
                            Loom.put(q, PILL);
                        }
                    }
                });
            }
            for (int c = 0; c < CONSUMERS; c++) {
                Thread.ofVirtual().start(() -> {
                    int n = 0;
                    while (Loom.take(q) != PILL) {
                        n++;
                    }
                    Loom.put(results, n);
                });
            }
            int total = 0;
            for (int c = 0; c < CONSUMERS; c++) {
                total += Loom.take(results);
            }
            if (total != N) {
                throw new AssertionError("queue delivered " + total + " items, want " + N);
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void loomLbq() {
        loomShared(new LinkedBlockingQueue<>());
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void loomSq() {
        loomShared(new SynchronousQueue<>());
    }
}
