package dev.gort.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.tests.JavaProcess;
import dev.gort.tests.TraceCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code -Dgort.trace=FILE} in a fresh JVM ({@link TracedProgram}): the whole program is
 * traced from its first goroutine, and the file is a complete trace however the program
 * ends: a normal exit, a panic and a deadlock (Gort.main's exit with status 2, after the
 * death hook and with the shutdown hook), and a halt right after a death (the death hook
 * alone).
 */
class TraceSwitchTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void go() {
        TraceCheck.requireGo();
    }

    private static JavaProcess.Result run(String... args) {
        String[] exports = JavaProcess.ADD_EXPORTS.split(" ");
        List<String> cmd = new java.util.ArrayList<>(List.of(exports[0], exports[1], "-cp", JavaProcess.testClassPath()));
        cmd.addAll(List.of(args));
        return JavaProcess.java(cmd);
    }

    @ParameterizedTest
    @CsvSource({"exit, 0, ''", "panic, 2, panic: java.lang.IllegalStateException: boom",
            "deadlock, 2, fatal error: all goroutines are asleep - deadlock!",
            "halt, 3, fatal error: all goroutines are asleep - deadlock!"})
    void theTraceIsCompleteHoweverTheProgramEnds(String mode, int exit, String report) throws Exception {
        Path file = dir.resolve(mode + ".trace");
        JavaProcess.Result r = run("-Dgort.trace=" + file, TracedProgram.class.getName(), mode);
        assertEquals(exit, r.exit(), r::describe);
        assertTrue(r.err().startsWith(report), r::describe);
        assertTrue(Files.size(file) > 100, r::describe);
        TraceCheck.Result t = TraceCheck.check(file).assertOk();
        assertTrue(t.goroutines() >= 3, t::describe);
        assertTrue(t.block("chan receive") + t.block("chan send") >= 100, t::describe);
        assertTrue(t.hasFrame("dev.gort.trace.TracedProgram.lambda$pingPong$0"), t::describe);
        if (!mode.equals("exit")) {
            // The program's last moments are in the trace: main blocked in its receive, or,
            // if the panic came first, frozen where it was (Go's freezetheworld: "forever").
            assertTrue(t.go("Running->Waiting") > 0 && t.block("chan receive") + t.block("forever") > 0, t::describe);
        }
    }

    @Test
    void aFileThatCannotBeCreatedIsOneLineAndTheProgramRuns() {
        String bad = "/nonexistent/dir/x.trace";
        JavaProcess.Result r = run("-Dgort.trace=" + bad, TracedProgram.class.getName(), "exit");
        r.assertOk();
        assertEquals("done\n", r.out(), r::describe);
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r::describe);
        assertTrue(lines.getFirst().startsWith("gort: gort.trace=" + bad + ": cannot create the trace file"), r::describe);
    }
}
