package dev.gort.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.tests.JavaProcess;
import dev.gort.tests.JavaProcess.Result;
import dev.gort.tests.TraceCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
     * pprof=HOST:PORT: the server runs from the runtime's start under the agent (the runtime
     * boot-loaded), says where it listens when the port is 0, serves the goroutine profile
     * (text and proto, read by Go's pprof), a CPU profile and the allocs profile from JFR,
     * and leaves deadlock detection alone (its threads are daemons that never count as
     * plain threads that used gort); a port in use is one line naming the option, and the
     * program goes on.
     */
    @Test
    void pprofServesAndADeadlockIsStillReported() throws Exception {
        TraceCheck.requireGo();
        Path out = dir.resolve("served.out");
        Path err = dir.resolve("served.err");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + AGENT + "=pprof=127.0.0.1:0", "-cp", CP, "dev.gort.agentit.PprofServed")
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("GODEBUG");
        pb.environment().remove("GOMAXPROCS");
        Process p = pb.start();
        try {
            String base = awaitListening(err, out);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> dump = http.send(HttpRequest.newBuilder(URI.create(base + "goroutine?debug=2")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, dump.statusCode(), dump.body());
            assertTrue(dump.body().contains(" [chan receive]:\ndev.gort.agentit.PprofServed.parkedHere("), dump.body());

            String goroutines = pprofRaw(base + "goroutine");
            assertTrue(goroutines.contains("PeriodType: goroutine count"), goroutines);
            assertTrue(goroutines.contains("dev.gort.agentit.PprofServed.parkedHere"), goroutines);
            String cpu = pprofRaw(base + "profile?seconds=1");
            assertTrue(cpu.contains("PeriodType: cpu nanoseconds"), cpu);
            assertTrue(cpu.contains("dev.gort.agentit.PprofServed.spinHere"), cpu);
            String allocs = pprofRaw(base + "allocs");
            assertTrue(allocs.contains("PeriodType: space bytes"), allocs);

            try (var in = p.getOutputStream()) {
                in.write('\n');
            }
            assertTrue(p.waitFor(JavaProcess.TIMEOUT_SECONDS, TimeUnit.SECONDS), "no exit");
            String stderr = Files.readString(err);
            assertEquals(2, p.exitValue(), stderr);
            assertTrue(stderr.contains(DEADLOCK + "\n\ngoroutine 1 [chan receive]:"), stderr);
        } finally {
            p.destroyForcibly();
        }
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String hp = "127.0.0.1:" + taken.getLocalPort();
            Result busy = agent("pprof=" + hp, "dev.gort.agent.AgentSmoke");
            assertEquals(0, busy.exit(), busy.describe());
            assertTrue(busy.err().contains("gort-agent: pprof=" + hp + ": pprof: listen tcp " + hp), busy.describe());
            assertFalse(busy.err().contains("listening on"), busy.describe()); // a port given: nothing said
        }
    }

    /** The server's base URL from the agent's line on stderr, once the program is ready. */
    private static String awaitListening(Path err, Path out) throws Exception {
        Pattern line = Pattern.compile("gort-agent: pprof listening on (http://127\\.0\\.0\\.1:\\d+/debug/pprof/)\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = line.matcher(Files.readString(err));
            if (m.find() && Files.readString(out).contains("ready\n")) {
                return m.group(1);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no 'listening on' line and 'ready' within 60 s\nstderr:\n" + Files.readString(err)
                + "\nstdout:\n" + Files.readString(out));
    }

    /** {@code go tool pprof -raw URL}: Go fetches the profile itself. */
    private static String pprofRaw(String url) throws Exception {
        Process p = new ProcessBuilder("go", "tool", "pprof", "-raw", url).redirectErrorStream(true).start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(JavaProcess.TIMEOUT_SECONDS, TimeUnit.SECONDS), url);
        assertEquals(0, p.exitValue(), () -> "go tool pprof -raw " + url + ":\n" + o);
        return o;
    }
}
