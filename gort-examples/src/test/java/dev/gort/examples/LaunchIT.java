package dev.gort.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.tests.JavaProcess;
import dev.gort.tests.JavaProcess.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a gort program dies and how it must be launched: Go's deadlock report, the add-exports flag. */
class LaunchIT {

    @Test
    void deadlockExits2WithGoReport() {
        Result r = Examples.run("deadlock");
        assertEquals(2, r.exit(), r::describe);
        assertTrue(r.err().startsWith("""
                fatal error: all goroutines are asleep - deadlock!

                goroutine 1 [chan receive]:
                """), r::describe);
        // the main goroutine's stack names the line that blocks
        assertTrue(r.err().contains("dev.gort.examples.Deadlock."), r::describe);
        assertTrue(r.err().contains("\tDeadlock.java:"), r::describe);
        assertEquals("waiting for a value that never comes\n", r.out(), r::describe);
    }

    @Test
    void classPathWithoutAddExportsFailsNamingTheFlag() {
        Result r = JavaProcess.java(List.of("-cp", Examples.jar(), Hello.class.getName()));
        assertNotEquals(0, r.exit(), r::describe);
        assertTrue(r.err().contains(JavaProcess.ADD_EXPORTS), r::describe);
        assertFalse(r.out().contains("Hello"), r::describe);
    }

    @Test
    void classPathWithAddExportsWorks() {
        List<String> args = new ArrayList<>(List.of(JavaProcess.ADD_EXPORTS.split(" ")));
        args.addAll(List.of("-cp", Examples.jar(), Hello.class.getName()));
        Result r = JavaProcess.java(args).assertOk();
        assertEquals("Hello from a goroutine!\n", r.out(), r::describe);
    }

    @Test
    void malformedGomaxprocsIsReportedAndTheProgramRuns() {
        JavaProcess.Result r = JavaProcess.java(List.of("-jar", Examples.jar(), "hello"),
                java.util.Map.of("GOMAXPROCS", "abc"));
        assertEquals(0, r.exit(), r.describe());
        assertTrue(r.err().startsWith("gort: GOMAXPROCS=\"abc\" is not a positive integer; using "), r.describe());
        assertTrue(r.out().contains("Hello"), r.describe());
    }

    /** GODEBUG=schedtrace=MS prints Go's SCHED line every MS ms; with scheddetail=1 the P, M and G lines. */
    @Test
    void schedtracePrintsGosSchedLines() {
        Result r = JavaProcess.java(List.of("-jar", Examples.jar(), "skynet"),
                java.util.Map.of("GODEBUG", "schedtrace=20", "GOMAXPROCS", "2")).assertOk();
        java.util.regex.Pattern sched = java.util.regex.Pattern.compile(
                "(?m)^SCHED \\d+ms: gomaxprocs=2 idleprocs=\\d+ threads=\\d+ spinningthreads=\\d+ needspinning=\\d+ "
                        + "idlethreads=\\d+ runqueue=\\d+ \\[ \\d+ \\d+ \\] schedticks=\\[ \\d+ \\d+ \\]$");
        assertTrue(sched.matcher(r.err()).results().count() >= 2, r::describe);

        Result d = JavaProcess.java(List.of("-jar", Examples.jar(), "skynet"),
                java.util.Map.of("GODEBUG", "schedtrace=20,scheddetail=1", "GOMAXPROCS", "2")).assertOk();
        assertTrue(d.err().contains(" gcwaiting="), d::describe);
        assertTrue(java.util.regex.Pattern.compile("(?m)^  P0: status=\\d+ schedtick=\\d+ ").matcher(d.err()).find(), d::describe);
        assertTrue(java.util.regex.Pattern.compile("(?m)^  M\\d+: p=").matcher(d.err()).find(), d::describe);
        assertTrue(java.util.regex.Pattern.compile("(?m)^  G1: status=").matcher(d.err()).find(), d::describe);
    }

    /** A malformed GODEBUG value is named on stderr and the program runs with the default. */
    @Test
    void malformedSchedtraceIsReportedAndTheProgramRuns() {
        Result r = JavaProcess.java(List.of("-jar", Examples.jar(), "hello"),
                java.util.Map.of("GODEBUG", "schedtrace=x")).assertOk();
        assertTrue(r.err().contains("GODEBUG setting schedtrace=\"x\" is malformed"), r::describe);
        assertFalse(r.err().contains("SCHED "), r::describe);
        assertTrue(r.out().contains("Hello"), r::describe);
    }
}
