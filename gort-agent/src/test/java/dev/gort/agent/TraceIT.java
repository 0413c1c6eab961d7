package dev.gort.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.tests.JavaProcess;
import dev.gort.tests.TraceCheck;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
