package dev.gort.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The trace checker (TraceCheck, tools/tracecheck) on traces Go itself writes: a real trace of
 * a small Go program (tools/tracecheck/cmd/gentrace) is accepted and summarized with the counts
 * of what the program did; cut or garbage traces are rejected with the parser's message.
 */
class TraceCheckTest {
    @TempDir
    static Path dir;
    private static Path goTrace;

    /** The trace of gentrace, written on first use (the tests that need no Go run without it). */
    static synchronized Path goTrace() {
        if (goTrace == null) {
            Path gentrace = TraceCheck.goBuild("./cmd/gentrace", "gentrace");
            Path t = dir.resolve("go.trace");
            TraceCheck.runTool(gentrace, List.of(t.toString()));
            goTrace = t;
        }
        return goTrace;
    }

    static byte[] bytes() throws IOException {
        return Files.readAllBytes(goTrace());
    }

    @Test
    void goTraceIsAcceptedAndHoldsWhatTheProgramDid() {
        TraceCheck.Result r = TraceCheck.check(goTrace()).assertOk();
        String d = r.describe();
        assertTrue(r.events() > 0 && r.kind("StateTransition") > 0, d);
        assertEquals(r.generations() + 1, r.kind("Sync"), d);
        assertTrue(r.generations() >= 1, d);

        // Exact: the program's own annotations.
        assertEquals(2, r.tasks(), d);
        assertEquals(1, r.task("gentrace"), d);
        assertEquals(1, r.task("child"), d);
        assertEquals(5, r.regions(), d);
        for (String region : List.of("chan", "select", "mutex", "syscall", "sleep")) {
            assertEquals(1, r.region(region), region + "\n" + d);
        }
        assertEquals(3, r.logs(), d);
        assertEquals(3, r.log("gentrace"), d);

        // Lower bounds: the runtime has goroutines, blocks and syscalls of its own.
        assertTrue(r.go("NotExist->Runnable") >= 6, d);
        assertTrue(r.go("Running->NotExist") >= 6, d);
        assertTrue(r.go("Runnable->Running") > 0 && r.go("Running->Waiting") > 0 && r.go("Waiting->Runnable") > 0, d);
        assertTrue(r.block("chan receive") >= 1, d);
        assertTrue(r.block("select") >= 1, d);
        assertTrue(r.block("sync") >= 1, d);
        assertTrue(r.block("sleep") >= 1, d);
        assertTrue(r.go("Running->Syscall") >= 1, d);
        assertTrue(r.go("Syscall->Running") + r.go("Syscall->Runnable") >= 1, d);
        assertTrue(r.goroutines() >= 7, d); // main and its 6
        assertTrue(r.procs() >= 1 && r.threads() >= 1, d);
        assertTrue(r.proc("Idle->Running") >= 1, d);

        // runtime.GC(): a GC and its stops of the world; the trace's start stops the world too.
        assertTrue(r.sumPrefix("range", "GC ") >= 1, d);
        assertTrue(r.sumPrefix("range", "stop-the-world (GC") >= 1, d);
        assertEquals(1, r.range("stop-the-world (start trace)"), d);
        assertTrue(r.metric("/sched/gomaxprocs:threads") >= 1, d);
        assertTrue(r.metric("/memory/classes/heap/objects:bytes") >= 1, d);

        assertTrue(r.stacks() > 0, d);
        assertTrue(r.hasFrame("main.main"), d);
        assertTrue(r.hasFrame("syscall.Read"), d);
        assertFalse(r.hasFrame("no.such.Function"), d);
    }

    @Test
    void goToolTraceParsesIt() {
        TraceCheck.parsedByGoToolTrace(goTrace());
    }

    @Test
    void truncatedTracesAreRejected() throws IOException {
        byte[] bytes = bytes();
        rejected(Arrays.copyOf(bytes, bytes.length - 1), "truncated");
        rejected(Arrays.copyOf(bytes, bytes.length / 2), "");
        rejected(Arrays.copyOf(bytes, 16), "empty trace"); // the header alone
        rejected(new byte[0], "not a Go execution trace");
        Path cut = write("cut.trace", Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(AssertionError.class, () -> TraceCheck.parsedByGoToolTrace(cut));
    }

    @Test
    void garbageIsRejected() throws IOException {
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        rejected(garbage, "not a Go execution trace");
        System.arraycopy(bytes(), 0, garbage, 0, 16); // a good header, then garbage
        rejected(garbage, "");
    }

    @Test
    void resultParsing() {
        TraceCheck.Result r = TraceCheck.Result.parse(Path.of("x"), 0,
                "block\tchan receive\t3\nevents\t10\ngo\tRunning->Waiting\t2\nlog\t\"\"\t1\n", "");
        assertEquals(3, r.block("chan receive"));
        assertEquals(10, r.events());
        assertEquals(2, r.go("Running->Waiting"));
        assertEquals(0, r.go("Running->Syscall"));
        assertEquals(1, r.log("\"\""));
        assertThrows(AssertionError.class, () -> TraceCheck.Result.parse(Path.of("x"), 0, "events ten\n", ""));
    }

    @Test
    void missingGoFailsUnderCiOrWhenRequired() {
        assertFalse(TraceCheck.goRequired(null, null));
        assertFalse(TraceCheck.goRequired(null, "false"));
        assertTrue(TraceCheck.goRequired("true", null));
        assertTrue(TraceCheck.goRequired("", null));
        assertTrue(TraceCheck.goRequired(null, "true"));
    }

    private static void rejected(byte[] trace, String message) throws IOException {
        Path f = write("bad.trace", trace);
        TraceCheck.Result r = TraceCheck.check(f);
        assertEquals(1, r.exit(), r.describe());
        assertTrue(r.err().startsWith("tracecheck: " + f + ": ") && r.err().contains(message), r.describe());
        assertTrue(r.counts().isEmpty(), r.describe());
    }

    private static Path write(String name, byte[] trace) throws IOException {
        return Files.write(dir.resolve(name), trace);
    }
}
