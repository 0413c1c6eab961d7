package dev.gort.bench;

import dev.gort.Gort;
import dev.gort.sync.Mutex;
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

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code sync.Mutex}, per lock/unlock pair. Every pair guards one increment of a shared
 * counter ({@code mu.lock(); counter++; mu.unlock()}), and the counter is checked at the end
 * (it must be the number of pairs), so no side can skip the work.
 *
 * <ul>
 *   <li>{@code gortUncontended}: one goroutine (the main goroutine of a {@code Gort.run})
 *       does N pairs on a {@code dev.gort.sync.Mutex}: the CAS fast paths of lock and
 *       unlock;</li>
 *   <li>{@code gortUncontendedThread}: the same loop on the benchmark's plain Java thread
 *       (no {@code Gort.run}; the fast paths do not look at the caller, so it should be the
 *       same figure without the run's start-up);</li>
 *   <li>{@code loomUncontended}: a {@code ReentrantLock} in one virtual thread;</li>
 *   <li>{@code gortContended}: four goroutines each do N/4 pairs on one Mutex (lock slow
 *       path: spinning, parking on the semaphore, wake-ups, starvation mode);</li>
 *   <li>{@code loomContended}: four virtual threads each do N/4 pairs on one
 *       {@code ReentrantLock} (non-fair, as Go's Mutex is in normal mode).</li>
 * </ul>
 *
 * The fork runs gort with GOMAXPROCS=2 ({@code -Dgort.maxprocs=2}) and Loom's scheduler
 * with parallelism 2 (the Go twin calls {@code runtime.GOMAXPROCS(2)}), so the contended
 * case is 4 goroutines on 2 Ps whatever the machine. N is large enough (1M uncontended)
 * that a run's start-up (a few microseconds) is below 0.5% of an invocation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX, "-Dgort.maxprocs=2",
        "-Djdk.virtualThreadScheduler.parallelism=2"})
public class MutexBench {
    static final int N_UNCONTENDED = 1_000_000;
    static final int N_CONTENDED = 100_000;
    static final int WORKERS = 4;

    /** A counter and the gort Mutex that guards it. */
    static final class Guarded {
        final Mutex mu = new Mutex();
        long counter;

        void incrementN(int n) {
            for (int i = 0; i < n; i++) {
                mu.lock();
                counter++;
                mu.unlock();
            }
        }
    }

    /** A counter and the ReentrantLock that guards it. */
    static final class LoomGuarded {
        final ReentrantLock mu = new ReentrantLock();
        long counter;

        void incrementN(int n) {
            for (int i = 0; i < n; i++) {
                mu.lock();
                counter++;
                mu.unlock();
            }
        }
    }

    static long check(long counter, int want) {
        if (counter != want) {
            throw new AssertionError("counter = " + counter + ", want " + want);
        }
        return counter;
    }

    @Benchmark
    @OperationsPerInvocation(N_UNCONTENDED)
    public long gortUncontended() {
        Guarded g = new Guarded();
        Gort.run(() -> g.incrementN(N_UNCONTENDED));
        return check(g.counter, N_UNCONTENDED);
    }

    @Benchmark
    @OperationsPerInvocation(N_UNCONTENDED)
    public long gortUncontendedThread() {
        Guarded g = new Guarded();
        g.incrementN(N_UNCONTENDED);
        return check(g.counter, N_UNCONTENDED);
    }

    @Benchmark
    @OperationsPerInvocation(N_UNCONTENDED)
    public long loomUncontended() {
        LoomGuarded g = new LoomGuarded();
        Loom.run(() -> g.incrementN(N_UNCONTENDED));
        return check(g.counter, N_UNCONTENDED);
    }

    @Benchmark
    @OperationsPerInvocation(N_CONTENDED)
    public long gortContended() {
        Guarded g = new Guarded();
        Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            for (int w = 0; w < WORKERS; w++) {
                wg.go(() -> g.incrementN(N_CONTENDED / WORKERS));
            }
            wg.await();
        });
        return check(g.counter, N_CONTENDED);
    }

    @Benchmark
    @OperationsPerInvocation(N_CONTENDED)
    public long loomContended() {
        LoomGuarded g = new LoomGuarded();
        Loom.run(() -> {
            Thread[] workers = new Thread[WORKERS];
            for (int w = 0; w < WORKERS; w++) {
                workers[w] = Thread.ofVirtual().start(() -> g.incrementN(N_CONTENDED / WORKERS));
            }
            for (Thread t : workers) {
                Loom.unchecked(t::join);
            }
        });
        return check(g.counter, N_CONTENDED);
    }
}
