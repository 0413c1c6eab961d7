package dev.gort.bench;

import dev.gort.Chan;
import dev.gort.Gort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Skynet 1M (https://github.com/atemerev/skynet, the Go version): a tree of goroutines, 10
 * children per level, 1,000,000 leaves (1,111,111 goroutines in all); each leaf sends its
 * number on its parent's unbuffered channel, each inner node sums its children's and sends
 * the sum up. The result must be 499999500000 (checked). One whole run per operation.
 * Loom: virtual threads and a {@code SynchronousQueue<Long>} per node.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 2, jvmArgsAppend = {Loom.ADD_EXPORTS, Loom.XMX, "-Xms4g"})
public class SkynetBench {
    static final int SIZE = 1_000_000;
    static final int DIV = 10;
    static final long EXPECTED = 499_999_500_000L;

    static void skynet(Chan<Long> c, long num, int size, int div) {
        if (size == 1) {
            c.send(num);
            return;
        }
        Chan<Long> rc = Chan.make();
        long sum = 0;
        for (int i = 0; i < div; i++) {
            long subNum = num + (long) i * (size / div);
            Gort.go(() -> skynet(rc, subNum, size / div, div));
        }
        for (int i = 0; i < div; i++) {
            sum += rc.recv();
        }
        c.send(sum);
    }

    @Benchmark
    public long gort() {
        long[] result = new long[1];
        Gort.run(() -> {
            Chan<Long> c = Chan.make();
            Gort.go(() -> skynet(c, 0, SIZE, DIV));
            result[0] = c.recv();
        });
        if (result[0] != EXPECTED) {
            throw new AssertionError("skynet = " + result[0] + ", want " + EXPECTED);
        }
        return result[0];
    }

    static void skynetLoom(SynchronousQueue<Long> c, long num, int size, int div) {
        if (size == 1) {
            Loom.put(c, num);
            return;
        }
        SynchronousQueue<Long> rc = new SynchronousQueue<>();
        long sum = 0;
        for (int i = 0; i < div; i++) {
            long subNum = num + (long) i * (size / div);
            Thread.ofVirtual().start(() -> skynetLoom(rc, subNum, size / div, div));
        }
        for (int i = 0; i < div; i++) {
            sum += Loom.take(rc);
        }
        Loom.put(c, sum);
    }

    @Benchmark
    public long loom() {
        long[] result = new long[1];
        Loom.run(() -> {
            SynchronousQueue<Long> c = new SynchronousQueue<>();
            Thread.ofVirtual().start(() -> skynetLoom(c, 0, SIZE, DIV));
            result[0] = Loom.take(c);
        });
        if (result[0] != EXPECTED) {
            throw new AssertionError("skynet = " + result[0] + ", want " + EXPECTED);
        }
        return result[0];
    }
}
