package dev.gort.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.sync.Mutex;
import dev.gort.sync.WaitGroup;
import dev.gort.tests.TraceCheck;
import dev.gort.time.Time;
import dev.gort.trace.Trace;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracer under stress: generations advanced every few milliseconds while goroutines
 * park, migrate between Ms, make syscalls, change GOMAXPROCS and get preempted; every
 * trace must satisfy Go's parser and validator (which check sequence numbers, statuses at
 * generation starts, syscall steals, ...).
 */
class TracerStressTest {
    @TempDir
    Path dir;

    static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 1;
        while (System.nanoTime() < end) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        if (x == 42) {
            System.out.print("");
        }
    }

    static void program(int rounds) {
        Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            Chan<Integer> a = Chan.make();
            Chan<Integer> b = Chan.make(4);
            Mutex mu = new Mutex();
            for (int p = 0; p < 3; p++) {
                wg.go(() -> {
                    for (int i = 0; i < rounds; i++) {
                        a.send(i);
                    }
                });
                wg.go(() -> {
                    for (int i = 0; i < rounds; i++) {
                        a.recv();
                        if (i % 7 == 0) {
                            b.send(i);
                        }
                    }
                });
            }
            wg.go(() -> {
                int n = 3 * ((rounds + 6) / 7);
                for (int i = 0; i < n; i++) {
                    Select.select(Select.recv(b, v -> {}), Select.recv(Time.after(Duration.ofMillis(50)), v -> {}));
                }
            });
            for (int k = 0; k < 4; k++) {
                int kk = k;
                wg.go(() -> {
                    for (int i = 0; i < rounds / 10; i++) {
                        mu.lock();
                        busy(1_000);
                        mu.unlock();
                        if (i % 50 == 0) {
                            Gort.syscall(() -> busy(200_000));
                        }
                        if (i % 97 == kk) {
                            Time.sleep(Duration.ofMillis(1));
                        }
                    }
                });
            }
            wg.go(() -> { // a hog sysmon preempts (no agent: it calls gort in its loop)
                for (int i = 0; i < 200; i++) {
                    busy(100_000);
                    Gort.gosched();
                }
            });
            wg.go(() -> {
                for (int i = 0; i < 6; i++) {
                    Time.sleep(Duration.ofMillis(5));
                    Gort.gomaxprocs(1 + i % 3);
                }
                Gort.gomaxprocs(2);
            });
            wg.await();
        });
    }

    @Test
    void generationsAdvancedDuringAStressMixStayValid() throws Exception {
        for (int run = 0; run < 3; run++) {
            Path file = dir.resolve("stress" + run + ".trace");
            AtomicBoolean done = new AtomicBoolean();
            Thread advancer = Thread.ofPlatform().daemon().start(() -> {
                while (!done.get()) {
                    Tracer.advance(false);
                    busy(2_000_000);
                }
            });
            try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file.toFile()))) {
                Trace.start(out);
                program(3000);
                done.set(true);
                advancer.join();
                Trace.stop();
            }
            TraceCheck.Result r = TraceCheck.check(file);
            if (r.exit() != 0) {
                java.nio.file.Files.copy(file, Path.of("/tmp/bad.trace"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            r.assertOk();
            assertTrue(r.generations() >= 5, r.describe());
            assertTrue(r.go("Running->Syscall") >= 4, r.describe());
        }
    }

    /** Traces body while another thread ends a generation every few milliseconds. */
    private TraceCheck.Result withGenerations(String name, Runnable body) throws Exception {
        Path file = dir.resolve(name + ".trace");
        AtomicBoolean done = new AtomicBoolean();
        Thread advancer = Thread.ofPlatform().daemon().start(() -> {
            while (!done.get()) {
                Tracer.advance(false);
                busy(3_000_000);
            }
        });
        try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file.toFile()))) {
            Trace.start(out);
            body.run();
            done.set(true);
            advancer.join();
            Trace.stop();
        }
        return TraceCheck.check(file).assertOk();
    }

    /** Status at each generation's start: a goroutine parked throughout is described in each. */
    @Test
    void aGoroutineParkedAcrossGenerationsIsDescribedInEach() throws Exception {
        TraceCheck.Result r = withGenerations("parked", () -> Gort.run(() -> {
            Chan<Integer> c = Chan.make();
            WaitGroup wg = new WaitGroup();
            wg.go(() -> c.recv());
            Time.sleep(Duration.ofMillis(40)); // ~10 generations
            c.send(1); // its unblock needs its status in this generation
            wg.await();
        }));
        assertTrue(r.generations() >= 5, r.describe());
        assertTrue(r.go("Waiting->Runnable") >= 1, r.describe());
    }

    /** Syscall steal across generations: a long syscall's P is taken, in whichever generation. */
    @Test
    void aSyscallAcrossGenerationsIsStolenConsistently() throws Exception {
        TraceCheck.Result r = withGenerations("syscall", () -> Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 3; i++) {
                wg.go(() -> Gort.syscall(() -> busySleep(40)));
            }
            wg.go(() -> {
                for (int i = 0; i < 40; i++) {
                    Time.sleep(Duration.ofMillis(1));
                }
            });
            wg.await();
        }));
        assertTrue(r.go("Running->Syscall") >= 3, r.describe());
        assertTrue(r.go("Syscall->Runnable") + r.go("Syscall->Running") >= 3, r.describe());
    }

    /** A goroutine computing in user code all along (no gort calls, no agent) is described from outside. */
    @Test
    void aGoroutineRunningAcrossGenerationsIsDescribedFromOutside() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        TraceCheck.Result r = withGenerations("running", () -> Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.go(() -> {
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
            Time.sleep(Duration.ofMillis(40));
            stop.set(true);
            wg.await();
        }));
        assertTrue(r.generations() >= 5, r.describe());
        assertTrue(r.goroutines() >= 2, r.describe());
    }

    private static void busySleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
