package dev.gort.agent;

import dev.gort.tests.JavaProcess;
import dev.gort.tests.JavaProcess.Result;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 16, part 1: goroutines around a slow static initializer, under the agent, each run
 * in a fresh JVM (a class initializes once per JVM) with a timeout, after which JavaProcess
 * dumps the child's threads into the failure. Before gort knew about initializers the
 * smallest program hung in every run at GOMAXPROCS=1; a hang here is a failure with the
 * dump, not a hung build.
 */
class ClassInitIT {
    private static final String AGENT = System.getProperty("agent.jar");
    private static final String CP = System.getProperty("runtime.classpath");
    /** A run takes well under a second; a hang is over at this. */
    private static final long TIMEOUT_SECONDS = 30;

    private static Result agent(String options, String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of("-javaagent:" + AGENT + (options.isEmpty() ? "" : "=" + options),
                "-cp", CP, main));
        cmd.addAll(List.of(args));
        Result r = JavaProcess.run(TIMEOUT_SECONDS, cmd.toArray(String[]::new));
        assertFalse(r.err().contains("uninstrumented"), r.err());
        return r;
    }

    /**
     * The target: a class whose initializer sleeps 100 ms, read by 2 goroutines at
     * GOMAXPROCS=1 and by 8 at the default, 20 fresh runs each: every run ends, with every
     * goroutine's read.
     */
    @Test
    void theSmallestProgramNeverHangs() {
        for (String[] c : new String[][] {{"maxprocs=1", "2", "sum 84"}, {"", "8", "sum 336"}}) {
            for (int run = 0; run < 20; run++) {
                Result r = agent(c[0], "dev.gort.agentit.SlowInitializer", c[1]);
                assertEquals(0, r.exit(), () -> "run " + r.describe());
                assertEquals(c[2] + "\n", r.out(), r::describe);
            }
        }
    }

    /** The same under main=goroutine (main itself is a goroutine), and with blocking=off (a real sleep). */
    @Test
    void mainAsGoroutineAndPlainSleeps() {
        for (String options : List.of("main=goroutine,maxprocs=1", "blocking=off,maxprocs=1")) {
            for (int run = 0; run < 3; run++) {
                Result r = agent(options, "dev.gort.agentit.SlowInitializer", "2");
                assertEquals(0, r.exit(), r::describe);
                assertEquals("sum 84\n", r.out(), r::describe);
            }
        }
    }

    /**
     * An initializer that waits on a channel whose sender first sleeps on a timer, while the
     * class's readers wait in the VM holding every P: the sender and the timer still run.
     */
    @Test
    void anInitializerWaitingOnAChannelAtSeveralSizes() {
        for (String[] c : new String[][] {{"1", "2"}, {"1", "8"}, {"2", "8"}, {"4", "16"}}) {
            for (int run = 0; run < 3; run++) {
                Result r = agent("maxprocs=" + c[0], "dev.gort.agentit.ChannelInitializer", c[1]);
                assertEquals(0, r.exit(), r::describe);
                assertEquals("sum " + 3 * Integer.parseInt(c[1]) + "\n", r.out(), r::describe);
            }
        }
    }

    /** Nested initializers, initializers holding locks or reading a resource, one on a plain thread. */
    @Test
    void otherShapesOfSlowInitializers() {
        for (String options : List.of("maxprocs=1", "")) {
            Result r = agent(options, "dev.gort.agentit.InitializerShapes");
            assertEquals(0, r.exit(), r::describe);
            Set<String> lines = new TreeSet<>(r.out().lines().toList());
            assertEquals(new TreeSet<>(List.of("nested " + 4 * (11 + 10), "locks " + 4 * 7, "resource " + 4 * 3,
                    "plain thread read 1", "plain 4")), lines, r::describe);
        }
    }

    /**
     * True cycles end in Go's deadlock report instead of a silent hang: the goroutines
     * waiting in the VM appear as [class initialization], with the class and its initializer.
     */
    @Test
    void trueCyclesAreReportedAsDeadlocks() {
        for (String procs : List.of("1", "2")) {
            Result ch = agent("maxprocs=" + procs, "dev.gort.agentit.InitializerCycles", "channel");
            assertEquals(2, ch.exit(), ch::describe);
            String err = ch.err();
            assertTrue(err.contains("fatal error: all goroutines are asleep - deadlock!\n"), err);
            // Either goroutine may be the initializer (with two Ps they start at once); its
            // stack starts at the initializer, the runtime's frames hidden.
            assertTrue(err.contains(" [chan receive]:\ndev.gort.agentit.InitializerCycles$K.<clinit>(...)\n"), err);
            assertTrue(Pattern.compile("goroutine \\d+ \\[class initialization]:\ndev\\.gort\\.agentit\\.InitializerCycles\\.lambda"
                    + "[^\n]*\n[^\n]*\n(created by [^\n]*\n[^\n]*\n)?"
                    + "waiting for the initialization of dev\\.gort\\.agentit\\.InitializerCycles\\$K by goroutine \\d+\n")
                    .matcher(err).find(), err);

            Result cl = agent("maxprocs=" + procs, "dev.gort.agentit.InitializerCycles", "classes");
            assertEquals(2, cl.exit(), cl::describe);
            err = cl.err();
            assertTrue(err.contains("fatal error: all goroutines are asleep - deadlock!\n"), err);
            assertTrue(err.contains("goroutine 1 [sync.WaitGroup.Wait]:\n"), err);
            assertTrue(err.contains("waiting for the initialization of dev.gort.agentit.InitializerCycles$B by goroutine "), err);
            assertTrue(err.contains("waiting for the initialization of dev.gort.agentit.InitializerCycles$A by goroutine "), err);
            assertEquals(2, err.split("\\[class initialization]:", -1).length - 1, err);
        }
    }
}
