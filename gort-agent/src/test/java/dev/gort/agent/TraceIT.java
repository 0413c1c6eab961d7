package dev.gort.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.tests.JavaProcess;
import dev.gort.tests.JavaProcess.Result;
import dev.gort.tests.TraceCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traces of programs under the agent, judged by Go's parser and validator. */
class TraceIT {
    private static final String AGENT = System.getProperty("agent.jar");
    private static final String CP = System.getProperty("runtime.classpath");

    @TempDir
    Path dir;

    @Test
    void aStressMixUnderTheAgentGivesAValidTrace() throws Exception {
        Files.writeString(dir.resolve("input.txt"), "some bytes to read");
        for (int run = 0; run < 2; run++) {
            Path trace = dir.resolve("stress" + run + ".trace");
            JavaProcess.Result r = JavaProcess.run(120, "-javaagent:" + AGENT + "=maxprocs=2", "-cp", CP,
                    "dev.gort.agentit.TracedStress", trace.toString(), "3000");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("sleeps 20"), r.out());
            TraceCheck.Result t = TraceCheck.check(trace).assertOk();
            // 8 goroutines plus the run's main one, all created and ended in the trace.
            assertEquals(9, t.go("NotExist->Runnable"), t.describe());
            assertEquals(9, t.go("Running->NotExist"), t.describe());
            assertTrue(t.block("sleep") >= 20, t.describe());
            assertTrue(t.block("chan receive") + t.block("chan send") > 100, t.describe());
            assertTrue(t.stop("preempted") >= 2, t.describe()); // the call-free loops
            assertTrue(t.go("Running->Syscall") >= 20, t.describe()); // wait(1), file reads
            assertTrue(t.metric("/sched/gomaxprocs:threads") >= 4, t.describe());
            TraceCheck.parsedByGoToolTrace(trace);
        }
    }

    private static Result agent(String options, String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of("-javaagent:" + AGENT + "=" + options, "-cp", CP, main));
        cmd.addAll(List.of(args));
        return JavaProcess.run(120, cmd.toArray(String[]::new));
    }

    private static final String DEADLOCK = "fatal error: all goroutines are asleep - deadlock!";

    /** trace=FILE: as gort.trace, the whole program, complete after the deadlock's exit. */
    @Test
    void traceWritesTheWholeProgramsTrace() throws Exception {
        TraceCheck.requireGo();
        Path file = dir.resolve("all.trace");
        Result r = agent("trace=" + file, "dev.gort.agentit.DeadlockAfterWork");
        assertEquals(2, r.exit(), r.describe());
        assertTrue(r.err().contains(DEADLOCK + "\n\ngoroutine 1 [chan receive]:"), r.describe());
        TraceCheck.Result t = TraceCheck.check(file).assertOk();
        assertTrue(t.goroutines() >= 3 && t.block("chan receive") + t.block("chan send") >= 100, t.describe());
        assertTrue(t.hasFrame("dev.gort.agentit.DeadlockAfterWork.lambda$deadlock$0"), t.describe());
    }

    /**
     * flight=FILE: the deadlock's report comes with the flight recorder's window, written
     * before the JVM exits: a valid trace holding the goroutines that led there. Later
     * deaths go to FILE.1, ...
     */
    @Test
    void flightWritesTheWindowWhenARunDies() throws Exception {
        TraceCheck.requireGo();
        Path file = dir.resolve("flight.trace");
        Result r = agent("flight=" + file, "dev.gort.agentit.DeadlockAfterWork");
        assertEquals(2, r.exit(), r.describe());
        assertTrue(r.err().contains(DEADLOCK + "\n\ngoroutine 1 [chan receive]:"), r.describe());
        assertTrue(r.err().contains("is in " + file), r.describe());
        TraceCheck.Result t = TraceCheck.check(file).assertOk();
        assertTrue(t.goroutines() >= 3 && t.block("chan receive") + t.block("chan send") >= 100, t.describe());
        assertTrue(t.hasFrame("dev.gort.agentit.DeadlockAfterWork.lambda$deadlock$0"), t.describe());

        Path again = dir.resolve("again.trace");
        Result twice = agent("flight=" + again, "dev.gort.agentit.DeadlockAfterWork", "twice");
        assertEquals(0, twice.exit(), twice.describe());
        assertEquals("died: all goroutines are asleep - deadlock!\n".repeat(2), twice.out(), twice.describe());
        TraceCheck.check(again).assertOk();
        TraceCheck.check(dir.resolve("again.trace.1")).assertOk();
    }

    @Test
    void traceAndFlightWantAFileInAnExistingDirectory() throws Exception {
        for (String key : new String[] {"trace", "flight"}) {
            Result r = agent(key + "=/nonexistent/dir/x", "dev.gort.agent.AgentSmoke");
            assertEquals(2, r.exit(), r.describe());
            assertTrue(r.err().contains("'/nonexistent/dir/x' for option '" + key + "'"), r.describe());
        }
    }

    /**
     * pprof=HOST:PORT: the server runs from the runtime's start and leaves deadlock detection
     * alone (its threads are daemons that never count as plain threads that used gort); a
     * port in use is one line naming the option, and the program goes on.
     */
    @Test
    @org.junit.jupiter.api.Disabled("known gap: under the agent the boot-loaded runtime cannot see jdk.httpserver (PprofServer's class comment)")
    void pprofServesAndADeadlockIsStillReported() throws Exception {
        Result r = agent("pprof=127.0.0.1:0", "dev.gort.agentit.DeadlockAfterWork");
        assertEquals(2, r.exit(), r.describe());
        assertTrue(r.err().contains(DEADLOCK + "\n\ngoroutine 1 [chan receive]:"), r.describe());
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String hp = "127.0.0.1:" + taken.getLocalPort();
            Result busy = agent("pprof=" + hp, "dev.gort.agent.AgentSmoke");
            assertEquals(0, busy.exit(), busy.describe());
            assertTrue(busy.err().contains("gort-agent: pprof=" + hp + ": pprof: listen tcp " + hp), busy.describe());
        }
    }
}
