package dev.gort.bench;

import dev.gort.Gort;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * 100k timers armed and fired, per invocation (ms): N = 100,000 timers with durations drawn
 * uniformly from 1..10 ms (a fixed table, the same every invocation; the Go twin draws its
 * own from the same distribution), each counting down a group of N when it fires; the
 * invocation ends when all have fired. So the figure is at least 10 ms (the longest
 * timer); what is above it is the cost of arming N timers, firing them and running their
 * functions, and how late the last ones fire. Default GOMAXPROCS (the machine's cores).
 *
 * <ul>
 *   <li>{@code gortAfterFunc}: the main goroutine arms N {@code Time.afterFunc(d, wg::done)}
 *       (each fires in its own goroutine, as Go's AfterFunc does), then {@code wg.await()};</li>
 *   <li>{@code gortSleep}: N goroutines each {@code Time.sleep(d)} then {@code wg.done()};</li>
 *   <li>{@code loomScheduled}: one {@code ScheduledExecutorService} (a
 *       {@code ScheduledThreadPoolExecutor} with one virtual worker thread, made once per
 *       trial) gets N {@code schedule(task, d)}; each task starts a virtual thread that
 *       counts down a {@code CountDownLatch(N)} (the function in its own thread, as
 *       afterFunc), and the main virtual thread awaits the latch;</li>
 *   <li>{@code loomSleep}: N virtual threads each {@code Thread.sleep(d)} then
 *       {@code countDown()}.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX})
public class TimerBench {
    static final int N = 100_000;
    static final long MIN_NANOS = 1_000_000;
    static final long MAX_NANOS = 10_000_000;

    /** The timers' durations, uniform in [1 ms, 10 ms], fixed seed. */
    static final Duration[] DURATIONS = new Duration[N];
    static final long[] NANOS = new long[N];

    static {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < N; i++) {
            NANOS[i] = rnd.nextLong(MIN_NANOS, MAX_NANOS + 1);
            DURATIONS[i] = Duration.ofNanos(NANOS[i]);
        }
    }

    ScheduledExecutorService scheduler;

    @Setup(Level.Trial)
    public void setUp() {
        scheduler = Executors.newScheduledThreadPool(1, Thread.ofVirtual().factory());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        scheduler.shutdown();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public void gortAfterFunc() {
        Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(N);
            Runnable done = wg::done;
            for (int i = 0; i < N; i++) {
                Time.afterFunc(DURATIONS[i], done);
            }
            wg.await();
        });
    }

    @Benchmark
    public void gortSleep() {
        Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(N);
            for (int i = 0; i < N; i++) {
                Duration d = DURATIONS[i];
                Gort.go(() -> {
                    Time.sleep(d);
                    wg.done();
                });
            }
            wg.await();
        });
    }

    @Benchmark
    public void loomScheduled() {
        ScheduledExecutorService ses = scheduler;
        Loom.run(() -> {
            CountDownLatch latch = new CountDownLatch(N);
            Runnable done = latch::countDown;
            Runnable fire = () -> Thread.ofVirtual().start(done);
            for (int i = 0; i < N; i++) {
                ses.schedule(fire, NANOS[i], TimeUnit.NANOSECONDS);
            }
            Loom.unchecked(latch::await);
        });
    }

    @Benchmark
    public void loomSleep() {
        Loom.run(() -> {
            CountDownLatch latch = new CountDownLatch(N);
            for (int i = 0; i < N; i++) {
                Duration d = DURATIONS[i];
                Thread.ofVirtual().start(() -> {
                    Loom.unchecked(() -> Thread.sleep(d));
                    latch.countDown();
                });
            }
            Loom.unchecked(latch::await);
        });
    }
}
