package dev.gort.agent;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The agent jar, in a real JVM: it opens the continuations, so no --add-exports is needed. */
class AgentIT {
    private static final String AGENT = System.getProperty("agent.jar");
    private static final String CP = System.getProperty("runtime.classpath");

    private record Result(int exit, String out, String err) {}

    private static Result java(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("agent-it", ".out");
        Path err = Files.createTempFile("agent-it", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + cmd + "\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void withTheAgentNoFlagIsNeeded() throws Exception {
        Result r = java("-javaagent:" + AGENT, "-cp", CP + File.pathSeparator + AGENT, "dev.gort.agent.AgentSmoke");
        assertEquals(0, r.exit(), r.err());
        assertEquals("pong from a goroutine\n", r.out());
    }

    @Test
    void withoutItTheFirstUseNamesTheFlag() throws Exception {
        Result r = java("-cp", CP + File.pathSeparator + AGENT, "dev.gort.agent.AgentSmoke");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED"), r.err());
    }

    @Test
    void unknownOptionsStopTheJvmNamingThem() throws Exception {
        Result r = java("-javaagent:" + AGENT + "=bogus=1", "-cp", CP + File.pathSeparator + AGENT, "dev.gort.agent.AgentSmoke");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown option(s): bogus=1"), r.err());
        assertEquals("", r.out());
    }
}
