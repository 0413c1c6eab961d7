package dev.gort.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.tests.JavaProcess;
import dev.gort.tests.TraceCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example, traced from its first goroutine ({@code -Dgort.trace=FILE}), gives a
 * trace Go's parser and validator accept, with counts that match what the example did.
 */
class TracedExamplesIT {
    @TempDir
    Path dir;

    private TraceCheck.Result traced(String name, int wantExit, String... args) {
        Path file = dir.resolve(name + ".trace");
        List<String> a = new ArrayList<>(List.of("-Dgort.trace=" + file, "-jar", Examples.jar(), name));
        a.addAll(List.of(args));
        JavaProcess.Result r = JavaProcess.java(a);
        assertEquals(wantExit, r.exit(), r.err());
        return TraceCheck.check(file).assertOk();
    }

    @Test
    void hello() {
        TraceCheck.Result t = traced("hello", 0);
        assertTrue(t.goroutines() >= 2, t.describe());
        assertTrue(t.hasFrame("dev.gort.examples.Hello.lambda$main$0") || t.hasFrame("dev.gort.examples.Hello.main"), t.describe());
    }

    @Test
    void primeSieve() {
        // The sieve of 10 primes: a generator plus one filter goroutine per prime but the last.
        TraceCheck.Result t = traced("sieve", 0, "10");
        assertTrue(t.go("NotExist->Runnable") >= 10, t.describe());
        assertTrue(t.block("chan receive") + t.block("chan send") > 20, t.describe());
    }

    @Test
    void pingPong() {
        TraceCheck.Result t = traced("pingpong", 0, "2000");
        assertTrue(t.block("chan receive") + t.block("chan send") >= 2000, t.describe());
    }

    @Test
    void workerPool() {
        TraceCheck.Result t = traced("workers", 0, "4", "200");
        assertTrue(t.go("NotExist->Runnable") >= 5, t.describe());
    }

    @Test
    void skynetSmall() {
        // skynet 1000 with 10 children per node: 1 + 10 + 100 + 1000 goroutines, plus main.
        TraceCheck.Result t = traced("skynet", 0, "1000");
        assertTrue(t.go("NotExist->Runnable") >= 1111, t.describe());
    }

    @Test
    void lateness() {
        TraceCheck.Result t = traced("lateness", 0, "200", "20");
        assertTrue(t.goroutines() >= 3, t.describe()); // main, workers and the ticker
        // Whichever of main and the ticker reaches the unbuffered `started` channel first
        // blocks there (at GOMAXPROCS=2 another M may run the ticker first: then the send).
        assertTrue(t.block("chan receive") + t.block("chan send") >= 1, t.describe());
    }

    @Test
    void deadlock() {
        // The program dies of Go's deadlock; the trace is completed before the exit.
        TraceCheck.Result t = traced("deadlock", 2);
        assertTrue(t.goroutines() >= 1, t.describe());
        TraceCheck.parsedByGoToolTrace(dir.resolve("deadlock.trace"));
    }
}
