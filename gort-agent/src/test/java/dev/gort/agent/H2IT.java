package dev.gort.agent;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private record Result(int exit, String out, String err) {}

    private static Result java(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("h2-it", ".out");
        Path err = Files.createTempFile("h2-it", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            threadDump(p);
            p.destroyForcibly();
            fail("timed out after " + TIMEOUT_S + " s (a deadlock?): " + cmd + "\n" + Files.readString(out) + "\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** SIGQUIT: the JVM prints its threads' stacks to stdout, shown in the failure message. */
    private static void threadDump(Process p) throws Exception {
        new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
        p.waitFor(2, TimeUnit.SECONDS);
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
    private static void cleanStderr(Result r) {
        List<String> other = r.err().lines().filter(l -> !l.isBlank() && !l.contains(CDS_WARNING)).toList();
        assertEquals(List.of(), other, "stderr");
    }

    @Test
    void bothModesGiveTheModelsAnswersWithEveryH2ClassInstrumented() throws Exception {
        Path dump = Files.createTempDirectory("h2-it-dump");
        Result r = java(cmd("main=goroutine,maxprocs=2,dump=" + dump, "mode=both"));
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
        Result r = java(cmd("main=goroutine,maxprocs=1", "mode=go"));
        assertEquals(0, r.exit(), r.out() + r.err());
        cleanStderr(r);
        assertEquals(List.of(CHECKSUM), checksums(r.out(), "go"), r.out());
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
