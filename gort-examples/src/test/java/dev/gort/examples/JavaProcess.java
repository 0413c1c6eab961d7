package dev.gort.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a JVM (the one running the tests, {@code java.home}) as a real child process and
 * collects its exit status and output. Output goes to files, so a chatty child can never
 * block on a full pipe; the wait is bounded, and a child that outlives it is killed and
 * fails the test with what it printed so far.
 */
final class JavaProcess {
    /** Generous: CI is a loaded 2-core machine. */
    static final long TIMEOUT_SECONDS = 120;

    static final String ADD_EXPORTS = "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED";

    private JavaProcess() {}

    /** A finished child: exit status, stdout and stderr (line ends normalized to \n), wall time. */
    record Result(List<String> command, int exit, String out, String err, long millis) {
        String describe() {
            return "command: " + String.join(" ", command) + "\nexit: " + exit
                    + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }

        /** Fails unless the child exited with status 0. */
        Result assertOk() {
            assertTrue(exit == 0, () -> "expected exit status 0\n" + describe());
            return this;
        }
    }

    /** The examples' shaded jar, built by the package phase (system property examples.jar). */
    static String examplesJar() {
        String jar = System.getProperty("examples.jar");
        if (jar == null || !new File(jar).isFile()) {
            fail("system property examples.jar does not name the built jar (" + jar
                    + "); run the tests with `mvn verify`, which packages it first");
        }
        return jar;
    }

    /** {@code java -jar gort-examples.jar args...}. */
    static Result jar(String... args) {
        List<String> a = new ArrayList<>(List.of("-jar", examplesJar()));
        a.addAll(List.of(args));
        return java(a);
    }

    /** {@code java jvmArgs...}, with the test JVM's own java launcher. */
    static Result java(List<String> jvmArgs) {
        return java(jvmArgs, java.util.Map.of());
    }

    /** {@code java jvmArgs...} with extra environment variables. */
    static Result java(List<String> jvmArgs, java.util.Map<String, String> env) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("gort-it-", ".out");
            err = Files.createTempFile("gort-it-", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File(nullDevice())))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            // Options picked up from the environment would be announced on stderr (and the
            // Go-style debug settings would add traces there): keep the child's stderr ours.
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("JDK_JAVA_OPTIONS");
            pb.environment().remove("_JAVA_OPTIONS");
            pb.environment().remove("GODEBUG");
            pb.environment().remove("GOMAXPROCS");
            pb.environment().putAll(env);
            long start = System.nanoTime();
            Process p = pb.start();
            boolean exited = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (!exited) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                Result r = new Result(cmd, -1, read(out), read(err), millis);
                fail("no exit within " + TIMEOUT_SECONDS + " s; killed\n" + r.describe());
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
