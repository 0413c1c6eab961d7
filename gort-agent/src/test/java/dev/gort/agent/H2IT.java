package dev.gort.agent;

import dev.gort.tests.JavaProcess;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A real application from Maven Central under the agent, everything instrumented: the H2
 * database runs {@code dev.gort.agentit.H2Workload} (tables, batch and single inserts,
 * joins, aggregates, an index lookup loop, an update) as gort's main goroutine, on the
 * calling goroutine and spread over goroutines with their own connections. The workload
 * checks every answer against a model in plain Java; here the checksums are pinned too, so
 * a wrong answer, a VerifyError (the JVM verifies every transformed H2 class it loads), a
 * deadlock or a class the agent gave up on fails the test.
 */
class H2IT {
    private static final String AGENT = System.getProperty("agent.jar");
    private static final String CP = System.getProperty("app.classpath") + File.pathSeparator + System.getProperty("h2.jar");
    /** Small enough for a few seconds on a loaded 2-core machine, big enough for B-tree splits and many pages. */
    private static final String[] SIZE = {"rows=6000", "lookups=2000", "goroutines=4"};
    /** Expected.checksum for SIZE (the workload itself checks each answer against Expected). */
    private static final String CHECKSUM = "ded83b7d2341d573";
    /** The JVM's warning when a jar is appended to the boot class path (the agent does so): expected. */
    private static final String CDS_WARNING = "Sharing is only supported for boot loader classes because bootstrap classpath has been appended";
    private static final long TIMEOUT_S = 90;

    private static JavaProcess.Result java(String... args) throws Exception {
        return JavaProcess.run(TIMEOUT_S, args);
    }

    private static String[] cmd(String agentOptions, String... workload) {
        List<String> c = new ArrayList<>(List.of("-javaagent:" + AGENT + "=" + agentOptions, "-cp", CP,
                "dev.gort.agentit.H2Workload"));
        c.addAll(List.of(workload));
        c.addAll(List.of(SIZE));
        return c.toArray(String[]::new);
    }

    /** The checksums of the result lines, by mode. */
    private static List<String> checksums(String out, String mode) {
        List<String> sums = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^result mode=" + mode + " .* checksum=([0-9a-f]+)$").matcher(out);
        while (m.find()) {
            sums.add(m.group(1));
        }
        return sums;
    }

    /** stderr holds nothing but the CDS warning: no "left ... uninstrumented", no report. */
    private static void cleanStderr(JavaProcess.Result r) {
        List<String> other = r.err().lines().filter(l -> !l.isBlank() && !l.contains(CDS_WARNING)).toList();
        assertEquals(List.of(), other, "stderr");
    }

    @Test
    void bothModesGiveTheModelsAnswersWithEveryH2ClassInstrumented() throws Exception {
        Path dump = Files.createTempDirectory("h2-it-dump");
        JavaProcess.Result r = java(cmd("main=goroutine,maxprocs=2,dump=" + dump, "mode=both"));
        assertEquals(0, r.exit(), r.out() + r.err());
        cleanStderr(r);
        assertEquals(List.of(CHECKSUM), checksums(r.out(), "seq"), r.out());
        assertEquals(List.of(CHECKSUM), checksums(r.out(), "go"), r.out());
        assertTrue(r.out().contains("main_goroutine=true"), r.out());
        assertTrue(r.out().contains("ok checksum=" + CHECKSUM), r.out());
        // H2 brings in ~580 of its classes for this workload; almost all have code to instrument.
        long h2 = countClasses(dump.resolve("org/h2"));
        assertTrue(h2 > 400, "instrumented H2 classes: " + h2);
        delete(dump);
    }

    @Test
    void goroutinesSharingOneProcStillAgree() throws Exception {
        // One P: the four goroutines interleave only where gort switches them (parks, and
        // preemption checks outside H2's pinned monitors and locks).
        JavaProcess.Result r = java(cmd("main=goroutine,maxprocs=1", "mode=go"));
        assertEquals(0, r.exit(), r.out() + r.err());
        cleanStderr(r);
        assertEquals(List.of(CHECKSUM), checksums(r.out(), "go"), r.out());
    }

    /**
     * H2's own monitors, all of them, not just those the workload loads: each method HotSpot's JIT compilers find balanced
     * (MonitorBalance) stays so instrumented, so none of them runs interpreted forever.
     */
    @Test
    void everyH2MethodWithAMonitorStaysCompilable() throws Exception {
        MonitorBalance.JarReport r = MonitorBalance.inJar(Path.of(System.getProperty("h2.jar")), Fixtures.instrumenter(""));
        assertEquals(List.of(), r.problems());
        // H2 2.5.252: 222 methods, 95 of them with synchronized blocks, the rest synchronized.
        assertTrue(r.withMonitors() > 200, "H2's methods with monitors: " + r.withMonitors());
    }

    private static long countClasses(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".class")).count();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
