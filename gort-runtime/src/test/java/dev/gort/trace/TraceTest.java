package dev.gort.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.runtime.Testing;
import dev.gort.sync.Mutex;
import dev.gort.sync.WaitGroup;
import dev.gort.tests.StderrCapture;
import dev.gort.tests.TraceCheck;
import dev.gort.time.Time;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traces of small programs, read by Go's own parser and validator (tools/tracecheck). */
class TraceTest {
    @TempDir
    Path dir;

    @AfterEach
    void stopLeftovers() {
        Trace.stop();
    }

    /**
     * Traces body into a file and returns Go's verdict (asserting the trace is valid). The
     * trace stops once every goroutine has ended (a run returns when its main goroutine's
     * function does, a moment before that goroutine's exit).
     */
    private TraceCheck.Result traced(String name, Runnable body) throws IOException {
        Path file = dir.resolve(name + ".trace");
        try (OutputStream out = new FileOutputStream(file.toFile())) {
            int before = Gort.numGoroutine(); // goroutines other tests left in this JVM
            Trace.start(out);
            body.run();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Gort.numGoroutine() > before && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            Trace.stop();
        }
        return TraceCheck.check(file).assertOk();
    }

    /** A mix of what the tracer records: goroutines ping-ponging, selecting, locking, sleeping. */
    static void mix(int rounds) {
        Gort.run(() -> {
            Chan<Integer> a = Chan.make();
            Chan<Integer> b = Chan.make();
            WaitGroup wg = new WaitGroup();
            Mutex mu = new Mutex();
            int[] shared = {0};
            wg.go(() -> {
                for (int i = 0; i < rounds; i++) {
                    a.send(i);
                    b.recv();
                }
            });
            wg.go(() -> {
                for (int i = 0; i < rounds; i++) {
                    a.recv();
                    b.send(i);
                }
            });
            for (int k = 0; k < 4; k++) {
                wg.go(() -> {
                    for (int i = 0; i < rounds / 4; i++) {
                        mu.lock();
                        shared[0]++;
                        mu.unlock();
                        if (i % 16 == 0) {
                            Gort.gosched();
                        }
                    }
                });
            }
            Chan<Integer> c = Chan.make(1);
            wg.go(() -> {
                for (int i = 0; i < 20; i++) {
                    Time.sleep(Duration.ofMillis(1));
                    Select.select(Select.send(c, i, () -> {}), Select.otherwise(() -> {}));
                }
            });
            wg.go(() -> {
                for (int i = 0; i < 5; i++) {
                    Select.select(Select.recv(c, v -> {}), Select.recv(Time.after(Duration.ofMillis(3)), v -> {}));
                }
            });
            // A send that blocks (the ping-pong above may never block a sender: each send can
            // find its receiver waiting): the buffer is full until main takes from it, which
            // it does a while after the sender has started.
            Chan<Integer> full = Chan.make(1);
            full.send(0);
            Chan<Boolean> started = Chan.make();
            wg.go(() -> {
                started.send(true);
                full.send(1);
            });
            started.recv();
            Time.sleep(Duration.ofMillis(5));
            full.recv();
            full.recv();
            wg.await();
        });
    }

    @Test
    void aTraceOfAMixIsAcceptedByGosParser() throws IOException {
        TraceCheck.Result r = traced("mix", () -> mix(2000));
        assertTrue(r.block("chan receive") + r.block("chan send") > 100, r.describe());
        assertTrue(r.block("sleep") >= 20, r.describe());
        assertTrue(r.stop("runtime.Gosched") >= 4, r.describe());
        assertTrue(r.go("NotExist->Runnable") >= 9, r.describe());
        assertTrue(r.hasFrame("dev.gort.trace.TraceTest.lambda$mix$0"), r.describe());
        assertTrue(r.hasFrame("dev.gort.Chan.send"), r.describe());
    }

    /** No event is lost at stop: every goroutine the program made is created and destroyed in the trace. */
    @Test
    void everyGoroutineIsCreatedAndDestroyedInTheTrace() throws IOException {
        int n = 500;
        TraceCheck.Result r = traced("count", () -> Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            Chan<Integer> c = Chan.make();
            for (int i = 0; i < n; i++) {
                int v = i;
                wg.go(() -> c.send(v));
            }
            for (int i = 0; i < n; i++) {
                c.recv();
            }
            wg.await();
        }));
        // n goroutines plus the run's main goroutine (created by this plain thread).
        assertEquals(n + 1, r.go("NotExist->Runnable"), r.describe());
        assertEquals(n + 1, r.go("Running->NotExist"), r.describe());
        assertEquals(n + 1, r.goroutines(), r.describe());
    }

    /** A goroutine in a long syscall loses its P to sysmon: ProcSteal, then the syscall ends blocked. */
    @Test
    void aLongSyscallsPIsStolenAndTheTraceSaysSo() throws IOException {
        TraceCheck.Result r = traced("syscall", () -> Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.go(() -> Gort.syscall(() -> {
                try {
                    Thread.sleep(60);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            wg.go(() -> {
                for (int i = 0; i < 30; i++) {
                    Time.sleep(Duration.ofMillis(2));
                }
            });
            wg.await();
        }));
        assertTrue(r.go("Running->Syscall") >= 1, r.describe());
        assertTrue(r.go("Syscall->Runnable") + r.go("Syscall->Running") >= 1, r.describe());
    }

    /** Start never waits for a goroutine that computes without calling gort (no agent: no safe point). */
    @Test
    void startAndStopDoNotWaitForAGoroutineComputingInUserCode() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(1);
        Thread runner = Thread.ofPlatform().daemon().start(() -> Gort.run(() -> {
            Gort.go(() -> {
                spinning.countDown();
                long x = 1;
                while (!stop.get()) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                }
                if (x == 42) {
                    System.out.print("");
                }
            });
            while (!stop.get()) {
                Time.sleep(Duration.ofMillis(1));
            }
        }));
        assertTrue(spinning.await(10, TimeUnit.SECONDS));
        Path file = dir.resolve("hog.trace");
        try (OutputStream out = new FileOutputStream(file.toFile())) {
            Trace.start(out);
            Time.sleep(Duration.ofMillis(30));
            Trace.stop();
        } finally {
            stop.set(true);
        }
        runner.join(10_000);
        TraceCheck.Result r = TraceCheck.check(file).assertOk();
        assertTrue(r.goroutines() >= 2, r.describe()); // the hog is in the trace, described from outside
    }

    /** A plain Java thread that readies a goroutine appears in a way Go's parser accepts. */
    @Test
    void aPlainThreadWakingAGoroutineIsAccepted() throws Exception {
        TraceCheck.Result r = traced("plain", () -> {
            Chan<Integer> c = Chan.make();
            CountDownLatch done = new CountDownLatch(1);
            Thread t = Thread.ofPlatform().start(() -> Gort.run(() -> {
                for (int i = 0; i < 50; i++) {
                    c.recv();
                }
                done.countDown();
            }));
            for (int i = 0; i < 50; i++) {
                if (i == 0) {
                    // The first send waits for the goroutine to block in recv, so that at least
                    // one wake-up comes from this thread (otherwise the sender may get there
                    // first every time, and the goroutine never waits).
                    Testing.waitRecvWaiters(c, 1);
                }
                c.send(i); // from this plain thread
            }
            try {
                assertTrue(done.await(10, TimeUnit.SECONDS));
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(r.go("Waiting->Runnable") >= 1, r.describe());
    }

    @Test
    void tasksRegionsAndLogsAppear() throws IOException {
        TraceCheck.Result r = traced("annotations", () -> Gort.run(() -> {
            Trace.Task parent = Trace.newTask(null, "order");
            Trace.Task child = Trace.newTask(parent, "payment");
            try (Trace.Region reg = Trace.startRegion(child, "charge")) {
                Trace.log(child, "amount", "42");
                Trace.withRegion(child, "inner", () -> Trace.log(null, "", "plain"));
            }
            Trace.withRegion("no task", () -> { });
            child.end();
            parent.end();
        }));
        assertEquals(2, r.tasks(), r.describe());
        assertEquals(1, r.task("payment"), r.describe());
        assertEquals(3, r.regions(), r.describe());
        assertEquals(1, r.region("charge"), r.describe());
        assertEquals(2, r.logs(), r.describe());
        assertEquals(1, r.log("amount"), r.describe());
    }

    /** As in Go, every end is recorded: twice, or on another goroutine (the parser accepts both). */
    @Test
    void aRegionEndedTwiceOrElsewhereIsRecordedAsGosIs() throws IOException {
        TraceCheck.Result r = traced("region-ends", () -> Gort.run(() -> {
            Trace.Region twice = Trace.startRegion("twice");
            twice.end();
            twice.end();
            Trace.Region elsewhere = Trace.startRegion("elsewhere");
            WaitGroup wg = new WaitGroup();
            wg.go(elsewhere::end);
            wg.await();
            elsewhere.end();
        }));
        assertEquals(2, r.regions(), r.describe());
    }

    @Test
    void gomaxprocsChangesAreTraced() throws IOException {
        TraceCheck.Result r = traced("procs", () -> Gort.run(() -> {
            int old = Gort.gomaxprocs(1);
            Gort.gosched();
            Gort.gomaxprocs(3);
            Gort.gosched();
            Gort.gomaxprocs(old);
        }));
        assertTrue(r.metric("/sched/gomaxprocs:threads") >= 3, r.describe());
        assertEquals(3, r.range("stop-the-world (GOMAXPROCS)"), r.describe());
    }

    // ---- bad input ----

    @Test
    void startingTwiceIsGosError() throws IOException {
        Trace.start(OutputStream.nullOutputStream());
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Trace.start(new ByteArrayOutputStream()));
            assertEquals("execution tracer already enabled", e.getMessage());
            assertTrue(Trace.isEnabled());
        } finally {
            Trace.stop();
        }
        assertFalse(Trace.isEnabled());
        Trace.stop(); // stopping again does nothing
    }

    @Test
    void startWithoutAStreamNamesIt() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Trace.start(null));
        assertTrue(e.getMessage().contains("out"), e.getMessage());
        assertFalse(Trace.isEnabled());
    }

    /** A writer that throws mid-trace: tracing stops, the error is reported once, the program goes on. */
    @Test
    void aFailingWriterStopsTracingOnceAndTheProgramGoesOn() throws Exception {
        AtomicLong writes = new AtomicLong();
        OutputStream failing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (writes.incrementAndGet() > 3) {
                    throw new IOException("disk full");
                }
            }
        };
        String err;
        try (StderrCapture cap = new StderrCapture()) {
            Trace.start(failing);
            mix(20_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Trace.isEnabled() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertFalse(Trace.isEnabled(), "tracing stopped after the write failed");
            mix(100); // the program goes on
            err = cap.text();
        }
        assertEquals(1, err.split("writing the trace failed", -1).length - 1, err);
        assertTrue(err.contains("disk full"), err);
        // and a new trace can start
        TraceCheck.Result r = traced("after-failure", () -> mix(10));
        assertTrue(r.events() > 0);
    }
}
