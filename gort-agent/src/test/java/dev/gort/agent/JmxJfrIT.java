package dev.gort.agent;

import dev.gort.tests.JavaProcess;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Java's tools under the agent, where gort's runtime is on the boot class path: the MXBean
 * registers and answers, and the JFR events (boot-loaded event classes) are recorded by a
 * recording started on the command line, with settings given there, as the README shows.
 */
class JmxJfrIT {
    private static final String AGENT = System.getProperty("agent.jar");
    private static final String CP = System.getProperty("runtime.classpath");

    @TempDir
    Path dir;

    @Test
    void theMxBeanAndTheJfrEventsWorkUnderTheAgent() throws Exception {
        Path jfr = dir.resolve("agent.jfr");
        JavaProcess.Result r = JavaProcess.run(120, "-javaagent:" + AGENT, "-cp", CP,
                "-XX:StartFlightRecording:filename=" + jfr
                        + ",+dev.gort.SyscallBlocked#threshold=0ms,+dev.gort.GoroutineBlocked#threshold=0ms",
                "dev.gort.agentit.JmxJfrUnderAgent");
        assertEquals(2, r.exit(), r::describe);
        assertTrue(r.err().contains("fatal error: all goroutines are asleep - deadlock!"), r::describe);
        assertFalse(r.err().contains("gort: "), r::describe); // no registration or JFR failure
        assertTrue(r.out().contains("the runtime's classes are the boot loader's: true"), r::describe);
        assertTrue(r.out().contains("Gomaxprocs=") && r.out().contains("NumGoroutine=1 dump: true"), r::describe);
        assertFalse(r.out().contains("JMX failed"), r::describe);

        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        List<RecordedEvent> sys = named(events, "dev.gort.SyscallBlocked");
        assertTrue(sys.stream().anyMatch(e -> hasFrame(e, "sleepInAWrappedCall") && e.getDuration().toMillis() >= 50),
                () -> "the wrapped Object.wait as a syscall: " + sys);
        List<RecordedEvent> blocked = named(events, "dev.gort.GoroutineBlocked");
        assertTrue(blocked.stream().anyMatch(e -> e.getString("waitReason").equals("chan receive") && hasFrame(e, "waitOnAChannel")),
                () -> "the channel wait: " + blocked);
        List<RecordedEvent> fatal = named(events, "dev.gort.Fatal");
        assertEquals(1, fatal.size(), events::toString);
        assertEquals("all goroutines are asleep - deadlock!", fatal.get(0).getString("message"));
        assertFalse(named(events, "dev.gort.SchedulerSummary").isEmpty(), "the periodic summary (every 1 s by default)");
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }

    private static boolean hasFrame(RecordedEvent e, String method) {
        return e.getStackTrace() != null && e.getStackTrace().getFrames().stream()
                .anyMatch(f -> f.getMethod().getType().getName().equals("dev.gort.agentit.JmxJfrUnderAgent")
                        && f.getMethod().getName().equals(method));
    }
}
