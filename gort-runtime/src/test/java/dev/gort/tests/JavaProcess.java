package dev.gort.tests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a JVM (the one running the tests, {@code java.home}) as a real child process and
 * collects its exit status and output, for the tests that need a fresh JVM (a runtime not
 * started yet, an agent, an executable jar). Shared by every module's tests (this module's
 * test jar).
 *
 * <p>Output goes to files, so a chatty child never blocks on a full pipe. The wait is
 * bounded: a child that outlives it gets a SIGQUIT first (the JVM prints every thread's
 * stack to its stdout, which the failure then shows), and is killed. Options the
 * environment would add ({@code JAVA_TOOL_OPTIONS} and friends, GODEBUG, GOMAXPROCS) are
 * removed, so the child's stderr and scheduler are the test's to decide.
 */
public final class JavaProcess {
    /** Generous: CI is a loaded 2-core machine. */
    public static final long TIMEOUT_SECONDS = 120;

    /** What gort needs on a plain command line (the agent and an executable jar's manifest do it otherwise). */
    public static final String ADD_EXPORTS = "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED";

    private JavaProcess() {}

    /** A finished child: exit status, stdout and stderr (line ends normalized to \n), wall time. */
    public record Result(List<String> command, int exit, String out, String err, long millis) {
        public String describe() {
            return "command: " + String.join(" ", command) + "\nexit: " + exit
                    + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }

        /** Fails unless the child exited with status 0. */
        public Result assertOk() {
            assertTrue(exit == 0, () -> "expected exit status 0\n" + describe());
            return this;
        }
    }

    /** {@code java args...}, waiting at most timeoutSeconds. */
    public static Result run(long timeoutSeconds, String... args) {
        return java(List.of(args), Map.of(), timeoutSeconds);
    }

    /** {@code java jvmArgs...}. */
    public static Result java(List<String> jvmArgs) {
        return java(jvmArgs, Map.of());
    }

    /** {@code java jvmArgs...} with extra environment variables. */
    public static Result java(List<String> jvmArgs, Map<String, String> env) {
        return java(jvmArgs, env, TIMEOUT_SECONDS);
    }

    /** This module's compiled classes and tests, as a class path for a child JVM. */
    public static String testClassPath() {
        return System.getProperty("java.class.path");
    }

    private static Result java(List<String> jvmArgs, Map<String, String> env, long timeoutSeconds) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("gort-child-", ".out");
            err = Files.createTempFile("gort-child-", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File(nullDevice())))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("JDK_JAVA_OPTIONS");
            pb.environment().remove("_JAVA_OPTIONS");
            pb.environment().remove("GODEBUG");
            pb.environment().remove("GOMAXPROCS");
            pb.environment().putAll(env);
            long start = System.nanoTime();
            Process p = pb.start();
            boolean exited = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (!exited) {
                new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
                p.waitFor(2, TimeUnit.SECONDS);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                Result r = new Result(cmd, -1, read(out), read(err), millis);
                fail("no exit within " + timeoutSeconds + " s (a deadlock?); killed, threads dumped to stdout\n" + r.describe());
            }
            Result r = new Result(cmd, p.exitValue(), read(out), read(err), millis);
            System.out.printf("[%d ms, exit %d] %s%n", millis, r.exit(), String.join(" ", jvmArgs));
            return r;
        } catch (IOException e) {
            throw new AssertionError("could not run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + cmd, e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static String nullDevice() {
        return System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null";
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, Charset.defaultCharset()).replace("\r\n", "\n");
    }

    private static void delete(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
