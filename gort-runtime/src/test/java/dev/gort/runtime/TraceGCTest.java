package dev.gort.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.sync.WaitGroup;
import dev.gort.tests.JavaProcess;
import dev.gort.tests.TraceCheck;
import dev.gort.trace.FlightRecorder;
import dev.gort.trace.Trace;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JVM's collections in the trace ({@link TraceGC}): a program that makes garbage and
 * calls System.gc() is traced, and Go's parser and validator must accept the trace and find
 * GC ranges, GC stop-the-world ranges and heap metrics in it; with this JVM's collector (G1,
 * generations advanced every few milliseconds) and in child JVMs with Serial and ZGC.
 */
class TraceGCTest {
    @TempDir
    Path dir;

    static volatile Object sink;

    @BeforeAll
    static void go() {
        TraceCheck.requireGo();
    }

    /** Goroutines making garbage and passing it on; System.gc() a few times. */
    static void program(int rounds) {
        Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            Chan<Object> c = Chan.make(16);
            for (int p = 0; p < 2; p++) {
                wg.go(() -> {
                    for (int i = 0; i < rounds; i++) {
                        Object[] a = new Object[256];
                        for (int k = 0; k < a.length; k++) {
                            a[k] = new byte[512 + k];
                        }
                        c.send(a);
                    }
                });
            }
            wg.go(() -> {
                for (int i = 0; i < 2 * rounds; i++) {
                    sink = c.recv();
                    if (i % (rounds / 2) == 0) {
                        System.gc();
                        // A quiet gap (the producers soon block on the full channel): the JDK
                        // reports collections in whole milliseconds and collections that
                        // touch merge into one GC range, so back-to-back ones would be one.
                        dev.gort.time.Time.sleep(java.time.Duration.ofMillis(5));
                    }
                }
            });
            wg.await();
        });
    }

    /** A trace of {@link #program} into file; advanceEveryMillis > 0: generations that often. */
    static void trace(Path file, int rounds, long advanceEveryMillis) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        Thread advancer = null;
        try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file.toFile()))) {
            Trace.start(out);
            if (advanceEveryMillis > 0) {
                advancer = Thread.ofPlatform().daemon().start(() -> {
                    while (!done.get()) {
                        Tracer.advance(false);
                        try {
                            Thread.sleep(advanceEveryMillis);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            }
            program(rounds);
            System.gc();
            done.set(true);
            if (advancer != null) {
                advancer.join();
            }
            Trace.stop();
        }
    }

    static TraceCheck.Result checkHasGCs(Path file) {
        TraceCheck.Result r = TraceCheck.check(file).assertOk();
        String d = r.describe();
        assertTrue(r.range("GC concurrent mark phase") >= 3, d); // the System.gc()s at least
        assertTrue(r.sumPrefix("range", "stop-the-world (GC pause: ") >= 1, d);
        assertTrue(r.metric("/memory/classes/heap/objects:bytes") >= 3, d);
        assertTrue(r.metric("/gc/heap/goal:bytes") >= 3, d);
        assertTrue(r.block(TraceGC.IDLE) >= 3, d);
        assertTrue(r.hasFrame("jvm.gc"), d);
        return r;
    }

    @Test
    void collectionsAreGCRangesWithPausesAndHeapMetrics() throws Exception {
        Path file = dir.resolve("gc.trace");
        trace(file, 2000, 0);
        assertFalse(TraceGC.listening(), "the listener is removed when the trace stops");
        for (TraceThread w : Tracer.threads) {
            assertFalse(w.thread.getName().equals("Notification Thread"), "the JDK's notification thread never writes");
        }
        checkHasGCs(file);
        TraceCheck.parsedByGoToolTrace(file);
    }

    @Test
    void collectionsAcrossGenerationsAdvancedEveryFewMillis() throws Exception {
        for (int run = 0; run < 2; run++) {
            Path file = dir.resolve("gc-gens" + run + ".trace");
            trace(file, 3000, 3);
            TraceCheck.Result r = checkHasGCs(file);
            assertTrue(r.generations() >= 3, r.describe());
        }
    }

    /**
     * Collections reported out of order and overlapping (ZGC's pauses before their cycle, a
     * major cycle around a minor one), one reported after its generation was written and one
     * still running when its generation ends: merged and ordered, every pause is an STW range
     * and Go's parser accepts the GC ranges (it refuses overlapping ones).
     */
    @Test
    void outOfOrderOverlappingAndLateCollections() throws Exception {
        Path file = dir.resolve("synthetic.trace");
        long ms = 1_000_000 / Tracer.TIME_DIV;
        try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file.toFile()))) {
            Trace.start(out);
            program(50); // goroutines, so the trace is not only the collector's
            long t0 = Tracer.now();
            Thread.sleep(80); // all of the below ended before the generation does
            TraceGC.add(pause(t0 + ms, t0 + 2 * ms, 1));
            TraceGC.add(pause(t0 + 11 * ms, t0 + 12 * ms, 2)); // the minor cycle's
            TraceGC.add(new TraceGC.Collection(t0 + 10 * ms, t0 + 20 * ms, false, "minor", 100, 50, 1000));
            TraceGC.add(pause(t0 + 40 * ms, t0 + 41 * ms, 3));
            TraceGC.add(new TraceGC.Collection(t0, t0 + 50 * ms, false, "major", 200, 40, 1000));
            TraceGC.add(pause(t0 + 60 * ms, t0 + 61 * ms, 4)); // a collection of its own
            Tracer.advance(false);
            TraceGC.add(pause(t0 + 62 * ms, t0 + 65 * ms, 5)); // reported after its generation was written
            long t1 = Tracer.now();
            TraceGC.add(pause(t1, t1 + 20 * ms, 6)); // ends in the next generation
            Tracer.advance(false);
            Thread.sleep(30);
            Trace.stop();
        }
        TraceCheck.Result r = TraceCheck.check(file).assertOk();
        for (int i = 1; i <= 6; i++) {
            assertEquals(1, r.range("stop-the-world (GC pause: synthetic " + i + ")"), r.describe());
        }
        assertTrue(r.range("GC concurrent mark phase") >= 4, r.describe());
        assertTrue(r.generations() >= 3, r.describe());
    }

    /**
     * A flight recorder's window of the newest generation alone: the stand-in goroutine was
     * created in a generation the window dropped, so the window must describe it (and its P)
     * before its collections, as any goroutine.
     */
    @Test
    void aFlightRecorderWindowAfterTheCollectorGoroutinesCreation() throws Exception {
        FlightRecorder fr = new FlightRecorder(Duration.ofMinutes(1), 1);
        fr.start();
        try {
            System.gc();
            Thread.sleep(50); // the JDK reports a collection a few milliseconds after it
            TraceRt.advance();
            TraceRt.advance();
            program(200);
            Thread.sleep(50);
            Path file = dir.resolve("window.trace");
            try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file.toFile()))) {
                fr.writeTo(out); // ends the generation under way: the window is the program's
            }
            TraceCheck.Result r = TraceCheck.check(file).assertOk();
            assertEquals(1, r.generations(), r.describe());
            assertTrue(r.range("GC concurrent mark phase") >= 1, r.describe());
            assertTrue(r.block(TraceGC.IDLE) >= 1, r.describe());
        } finally {
            fr.stop();
        }
    }

    private static TraceGC.Collection pause(long start, long end, int n) {
        return new TraceGC.Collection(start, end, true, "GC pause: synthetic " + n, -1, -1, -1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-XX:+UseSerialGC", "-XX:+UseZGC"})
    void otherCollectorsInAChildJvm(String gc) {
        Path file = dir.resolve("child.trace");
        String[] exports = JavaProcess.ADD_EXPORTS.split(" ");
        JavaProcess.run(JavaProcess.TIMEOUT_SECONDS, exports[0], exports[1], gc, "-Xmx128m",
                "-cp", JavaProcess.testClassPath(), Child.class.getName(), file.toString()).assertOk();
        checkHasGCs(file);
    }

    @Test
    void leftOutWithTheProperty() {
        Path file = dir.resolve("nogc.trace");
        String[] exports = JavaProcess.ADD_EXPORTS.split(" ");
        JavaProcess.run(JavaProcess.TIMEOUT_SECONDS, exports[0], exports[1], "-Dgort.trace.gc=0", "-Xmx128m",
                "-cp", JavaProcess.testClassPath(), Child.class.getName(), file.toString()).assertOk();
        TraceCheck.Result r = TraceCheck.check(file).assertOk();
        assertEquals(0, r.range("GC concurrent mark phase"), r.describe());
        assertEquals(0, r.block(TraceGC.IDLE), r.describe());
        assertTrue(r.block("chan send") + r.block("chan receive") > 0, r.describe());
    }

    /** The child JVM's program: {@link #trace} into the file named by args[0]. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            trace(Path.of(args[0]), 2000, 0);
        }
    }
}
