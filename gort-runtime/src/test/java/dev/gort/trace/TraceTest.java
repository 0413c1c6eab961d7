package dev.gort.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.sync.Mutex;
import dev.gort.sync.WaitGroup;
import dev.gort.tests.TraceCheck;
import dev.gort.time.Time;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traces of small programs, read by Go's own parser and validator (tools/tracecheck). */
class TraceTest {
    @TempDir
    Path dir;

    /** A mix of what the tracer records: n goroutines ping-ponging, selecting, locking, sleeping. */
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
            wg.await();
        });
    }

    @Test
    void aTraceOfAMixIsAcceptedByGosParser() throws IOException {
        Path file = dir.resolve("mix.trace");
        try (OutputStream out = new FileOutputStream(file.toFile())) {
            Trace.start(out);
            mix(2000);
            Trace.stop();
        }
        assertTrue(Files.size(file) > 100);
        TraceCheck.Result r = TraceCheck.check(file).assertOk();
        System.out.println(r.describe());
        assertTrue(r.block("chan receive") + r.block("chan send") > 100, r.describe());
        assertTrue(r.go("NotExist->Runnable") >= 9, r.describe());
        assertTrue(r.hasFrame("dev.gort.trace.TraceTest.lambda$mix$0"), r.describe());
    }
}
