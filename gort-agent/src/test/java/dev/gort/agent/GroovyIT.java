package dev.gort.agent;

import dev.gort.tests.JavaProcess;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A second real application under the agent: Groovy 5 (thousands of classes, invokedynamic
 * call sites, classes it compiles and defines at run time, locks written on AQS) runs
 * {@code groovy/workload.groovy} as gort's main goroutine with everything instrumented. The
 * script checks its own answers and spreads work over goroutines that share a monitor.
 * Groovy found two faults of the agent: goroutines woken in the JDK that ran without a P,
 * more at once than GOMAXPROCS, and Groovy's own lock (its owner in a field), unpinned, so
 * that a goroutine moved while holding it and failed to release it.
 */
class GroovyIT {
    private static final String AGENT = System.getProperty("agent.jar");
    private static final String GROOVY = System.getProperty("groovy.jar");
    private static final String SCRIPT = Path.of(System.getProperty("app.classpath"), "groovy", "workload.groovy").toString();
    private static final String OK = "ok tree=5000 words=97 primes=9592 goroutines=8 shared=4000\n";
    private static final String CDS_WARNING = "Sharing is only supported for boot loader classes because bootstrap classpath has been appended";

    private static JavaProcess.Result groovy(String agentOptions) throws Exception {
        return JavaProcess.run(120, "-javaagent:" + AGENT + "=" + agentOptions, "-cp", GROOVY,
                "groovy.ui.GroovyMain", SCRIPT);
    }

    private static void ok(JavaProcess.Result r) {
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(OK, r.out(), r.err());
        List<String> other = r.err().lines().filter(l -> !l.isBlank() && !l.contains(CDS_WARNING)).toList();
        assertEquals(List.of(), other, "stderr");
    }

    @Test
    void aScriptRunsAsTheMainGoroutineWithEveryGroovyClassInstrumented() throws Exception {
        ok(groovy("main=goroutine,maxprocs=2"));
    }

    /**
     * Groovy's monitors, all of them, not just those the script loads: each method HotSpot's
     * JIT compilers find balanced (MonitorBalance) stays so instrumented.
     */
    @Test
    void everyGroovyMethodWithAMonitorStaysCompilable() throws Exception {
        MonitorBalance.JarReport r = MonitorBalance.inJar(Path.of(GROOVY), Fixtures.instrumenter(""));
        assertEquals(List.of(), r.problems());
        // Groovy 5.0.8: 93 methods, 49 of them with synchronized blocks, the rest synchronized.
        assertTrue(r.withMonitors() > 80, "Groovy's methods with monitors: " + r.withMonitors());
    }

    @Test
    void andOnOneP() throws Exception {
        ok(groovy("main=goroutine,maxprocs=1"));
    }
}
