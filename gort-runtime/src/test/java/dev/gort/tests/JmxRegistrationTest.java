package dev.gort.tests;

import dev.gort.runtime.JmxProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * When and how the runtime registers dev.gort:type=Runtime, in fresh JVMs: not at the start
 * itself (a short program never pays for a platform MBean server), on a daemon thread, at
 * once if the JVM has a server already; never with {@code gort.jmx=false}; and a failure is
 * one line on stderr, not a failed start.
 */
class JmxRegistrationTest {
    private static JavaProcess.Result run(String mode, String... jvmArgs) {
        String[] exports = JavaProcess.ADD_EXPORTS.split(" ");
        List<String> cmd = new ArrayList<>(List.of(exports[0], exports[1], "-cp", JavaProcess.testClassPath()));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of(JmxProgram.class.getName(), mode));
        return JavaProcess.java(cmd).assertOk();
    }

    @Test
    void registeredOnADaemonThreadWithoutDelayingTheStart() {
        JavaProcess.Result r = run("plain");
        assertEquals("server-at-start=false\nthread=true daemon=true\nregistered=true\nNumGoroutine=0\n", r.out(), r::describe);
        assertEquals("", r.err(), r::describe);
    }

    @Test
    void registeredWhenTheJvmHasAServerAlready() {
        JavaProcess.Result r = run("server");
        assertEquals("server-at-start=true\nthread=true daemon=true\nregistered=true\nNumGoroutine=0\n", r.out(), r::describe);
        assertEquals("", r.err(), r::describe);
    }

    @Test
    void offWithTheProperty() {
        JavaProcess.Result r = run("plain", "-Dgort.jmx=false");
        assertEquals("server-at-start=false\nthread=false\nregistered=false\n", r.out(), r::describe);
        assertEquals("", r.err(), r::describe);
    }

    @Test
    void aMalformedPropertyIsNamedAndTheDefaultUsed() {
        JavaProcess.Result r = run("plain", "-Dgort.jmx=maybe");
        assertEquals("gort: gort.jmx=\"maybe\" is not true or false; using true\n", r.err(), r::describe);
        assertTrue(r.out().contains("registered=true"), r::describe);
    }

    @Test
    void aFailedRegistrationIsOneLineOnStderr() {
        JavaProcess.Result r = run("taken");
        assertEquals("server-at-start=true\nthread=true daemon=true\nregistered=true\n", r.out(), r::describe);
        assertEquals("gort: dev.gort:type=Runtime is registered already (another gort runtime in this JVM?); "
                + "this runtime's bean is not\n", r.err(), r::describe);
    }
}
