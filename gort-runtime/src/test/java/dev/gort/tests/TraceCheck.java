package dev.gort.tests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks an execution trace with Go's own parser and validator: runs {@code tools/tracecheck}
 * (a small Go program, see its README) on the file and parses its summary, so a test can assert
 * both "Go accepts this trace" and "it holds what the program did" (so many chan receives, such
 * frames, ...). Shared by every module's tests (this module's test jar).
 *
 * <p>The checker is built once per JVM with {@code go build} into this module's
 * {@code target/tracecheck/} (Go's build cache makes that cheap after the first time). Go 1.26
 * or newer must be on the PATH: without it the calling test is skipped, with a message saying
 * why, unless the environment variable {@code CI} is set or the system property
 * {@code gort.requireGo=true}: then the test fails.
 */
public final class TraceCheck {
    /** Generous: CI is a loaded 2-core machine. */
    public static final long TIMEOUT_SECONDS = 120;
    /** The first build compiles golang.org/x/exp/trace (and may download it). */
    private static final long BUILD_TIMEOUT_SECONDS = 300;
    private static final int GO_MINOR = 26;

    private static String goProblem; // null: Go is fine; set once by requireGo
    private static boolean goLooked;
    private static Path tracecheck;

    private TraceCheck() {}

    /**
     * tracecheck's verdict on a trace: exit status (0 accepted, 1 rejected), stderr (the parser's
     * or validator's error) and the summary's counts, {@code key -> name -> count} (name "" for
     * the totals: events, generations, goroutines, procs, threads, tasks, regions, logs, stacks).
     * A count tracecheck did not print is 0. The keys are listed in tools/tracecheck/main.go.
     */
    public record Result(Path file, int exit, String out, String err, Map<String, Map<String, Long>> counts) {
        static Result parse(Path file, int exit, String out, String err) {
            Map<String, Map<String, Long>> counts = new TreeMap<>();
            if (exit == 0) {
                for (String line : out.split("\n")) {
                    if (line.isEmpty()) {
                        continue;
                    }
                    String[] f = line.split("\t", -1);
                    if (f.length < 2 || f.length > 3 || !f[f.length - 1].matches("\\d+")) {
                        throw new AssertionError("tracecheck printed an unexpected line: \"" + line + "\"\n" + out);
                    }
                    counts.computeIfAbsent(f[0], k -> new TreeMap<>())
                            .put(f.length == 3 ? f[1] : "", Long.parseLong(f[f.length - 1]));
                }
            }
            return new Result(file, exit, out, err, Collections.unmodifiableMap(counts));
        }

        /** A count: {@code count("kind", "StateTransition")}, {@code count("range", "GC concurrent mark phase")}. */
        public long count(String key, String name) {
            return counts.getOrDefault(key, Map.of()).getOrDefault(name, 0L);
        }

        /** A total: {@code count("events")}, {@code count("goroutines")}. */
        public long count(String key) {
            return count(key, "");
        }

        /** Every name printed under a key with its count, sorted: {@code names("block")}. */
        public Map<String, Long> names(String key) {
            return counts.getOrDefault(key, Map.of());
        }

        /** The counts under a key whose names start with a prefix, added up: {@code sumPrefix("range", "stop-the-world")}. */
        public long sumPrefix(String key, String prefix) {
            return names(key).entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToLong(Map.Entry::getValue).sum();
        }

        public long events() { return count("events"); }
        public long generations() { return count("generations"); }
        /** Events of a kind: Sync, Metric, Label, StackSample, RangeBegin, StateTransition, Log, ... */
        public long kind(String kind) { return count("kind", kind); }
        /** Goroutine state transitions, e.g. {@code go("Running->Waiting")}. */
        public long go(String fromTo) { return count("go", fromTo); }
        /** Running->Waiting transitions by reason: "chan receive", "chan send", "select", "sync", "sleep", ... */
        public long block(String reason) { return count("block", reason); }
        /** Running->Runnable transitions by reason: "preempted", "runtime.Gosched". */
        public long stop(String reason) { return count("stop", reason); }
        /** Proc state transitions, e.g. {@code proc("Idle->Running")}. */
        public long proc(String fromTo) { return count("proc", fromTo); }
        public long goroutines() { return count("goroutines"); }
        public long procs() { return count("procs"); }
        public long threads() { return count("threads"); }
        public long tasks() { return count("tasks"); }
        public long task(String type) { return count("task", type); }
        public long regions() { return count("regions"); }
        public long region(String type) { return count("region", type); }
        public long logs() { return count("logs"); }
        public long log(String category) { return count("log", category); }
        /** RangeBegin events by name: "GC concurrent mark phase", "stop-the-world (GC sweep termination)", ... */
        public long range(String name) { return count("range", name); }
        public long metric(String name) { return count("metric", name); }
        public long label(String label) { return count("label", label); }
        public long stacks() { return count("stacks"); }

        /** Every function name in the trace's stacks, e.g. "dev.gort.examples.Hello.main", "main.main". */
        public Set<String> frames() { return names("frame").keySet(); }

        public boolean hasFrame(String function) { return count("frame", function) > 0; }

        public String describe() {
            String o = out.length() > 20_000 ? out.substring(0, 20_000) + "\n[...]" : out;
            return "tracecheck " + file + "\nexit: " + exit + "\n--- stderr ---\n" + err + "\n--- stdout ---\n" + o;
        }

        /** Fails unless Go accepted the trace. */
        public Result assertOk() {
            assertTrue(exit == 0, () -> "Go's parser or validator rejects the trace\n" + describe());
            return this;
        }
    }

    /** tracecheck's verdict on a trace file (always with -frames); {@link Result#assertOk()} asserts it is valid. */
    public static Result check(Path traceFile) {
        Path bin = tracecheck();
        Run r = run(List.of(bin.toString(), "-frames", traceFile.toString()), null, TIMEOUT_SECONDS, true);
        if (r.exit != 0 && r.exit != 1) {
            fail("tracecheck exited " + r.exit + " (not 0: valid, or 1: invalid)\n" + r.err);
        }
        return Result.parse(traceFile, r.exit, r.out, r.err);
    }

    /**
     * Asserts that {@code go tool trace -d=parsed FILE}, the {@code go tool trace} parse a human
     * would run, accepts the trace. Slow on big traces (~40 s for 34 MB): for small ones.
     */
    public static void parsedByGoToolTrace(Path traceFile) {
        requireGo();
        Run r = run(List.of("go", "tool", "trace", "-d=parsed", traceFile.toString()), null, TIMEOUT_SECONDS, false);
        assertTrue(r.exit == 0, () -> "go tool trace -d=parsed " + traceFile + " exited " + r.exit
                + "\n--- stderr ---\n" + r.err);
    }

    /**
     * Skips the calling test (or fails it, under CI or -Dgort.requireGo=true) unless Go 1.26 or
     * newer is on the PATH. {@link #check} and {@link #parsedByGoToolTrace} call it; a test that
     * does work before its first check calls it first, e.g. in {@code @BeforeAll}.
     */
    public static void requireGo() {
        String problem = goProblem();
        if (problem == null) {
            return;
        }
        String why = problem + ": gort's execution traces are checked with Go's own trace parser"
                + " (tools/tracecheck, go tool trace), which needs Go 1." + GO_MINOR + " or newer (https://go.dev/dl/).";
        if (goRequired(System.getenv("CI"), System.getProperty("gort.requireGo"))) {
            fail(why + " Required here (CI is set, or -Dgort.requireGo=true).");
        }
        assumeTrue(false, why + " Test skipped (it fails instead when CI is set or with -Dgort.requireGo=true).");
    }

    /** Whether a missing Go fails rather than skips: the CI environment variable set, or gort.requireGo=true. */
    static boolean goRequired(String ciEnv, String requireGoProperty) {
        return ciEnv != null || Boolean.parseBoolean(requireGoProperty);
    }

    /** Why Go is unusable (not on the PATH, too old), or null. */
    private static synchronized String goProblem() {
        if (!goLooked) {
            goLooked = true;
            goProblem = lookForGo();
        }
        return goProblem;
    }

    private static String lookForGo() {
        Run r;
        try {
            r = run(List.of("go", "version"), null, TIMEOUT_SECONDS, true);
        } catch (AssertionError e) {
            if (e.getCause() instanceof IOException) {
                return "Go (go) is not on the PATH";
            }
            throw e;
        }
        Matcher m = Pattern.compile("go1\\.(\\d+)").matcher(r.out);
        if (r.exit != 0 || !m.find()) {
            return "\"go version\" failed (exit " + r.exit + "): " + r.out + r.err;
        }
        if (Integer.parseInt(m.group(1)) < GO_MINOR) {
            return "Go on the PATH is too old (" + r.out.strip() + ")";
        }
        return null;
    }

    /** The tracecheck binary, built on the first call in this JVM. */
    public static synchronized Path tracecheck() {
        if (tracecheck == null) {
            tracecheck = goBuild(".", "tracecheck");
        }
        return tracecheck;
    }

    /** {@code go build} of a main package of the tools/tracecheck module into target/tracecheck/NAME. */
    static Path goBuild(String pkg, String name) {
        requireGo();
        Path module = moduleDir();
        Path out = Path.of(System.getProperty("user.dir"), "target", "tracecheck",
                name + (isWindows() ? ".exe" : "")).toAbsolutePath();
        Run r = run(List.of("go", "build", "-buildvcs=false", "-o", out.toString(), pkg), module,
                BUILD_TIMEOUT_SECONDS, true);
        assertTrue(r.exit == 0, () -> "go build -o " + out + " " + pkg + " in " + module + " exited " + r.exit
                + "\n--- stderr ---\n" + r.err);
        return out;
    }

    /** tools/tracecheck in the repository: the first directory up from the working directory that has it. */
    static Path moduleDir() {
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            Path m = d.resolve("tools").resolve("tracecheck");
            if (Files.isRegularFile(m.resolve("go.mod"))) {
                return m;
            }
        }
        throw new AssertionError("no tools/tracecheck/go.mod in " + System.getProperty("user.dir") + " or above");
    }

    private record Run(int exit, String out, String err) {}

    /** Runs a command (output to files, so a chatty one never blocks on a full pipe), bounded by a timeout. */
    private static Run run(List<String> cmd, Path dir, long timeoutSeconds, boolean keepOut) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("gort-go-", ".out");
            err = Files.createTempFile("gort-go-", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File(isWindows() ? "NUL" : "/dev/null")))
                    .redirectOutput(keepOut ? ProcessBuilder.Redirect.to(out.toFile()) : ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile());
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().put("GOWORK", "off"); // the module alone, whatever go.work is around
            long start = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", cmd) + ": no exit within " + timeoutSeconds + " s; killed\n--- stderr ---\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("[%d ms, exit %d] %s%n", millis, p.exitValue(), String.join(" ", cmd));
            return new Run(p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new AssertionError("could not run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + cmd, e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static boolean isWindows() {
        return System.getProperty("os.name").startsWith("Windows");
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8).replace("\r\n", "\n");
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

    /** For the harness's own tests: runs a program built by {@link #goBuild} with arguments. */
    static void runTool(Path bin, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin.toString());
        cmd.addAll(args);
        Run r = run(cmd, null, TIMEOUT_SECONDS, true);
        assertTrue(r.exit == 0, () -> String.join(" ", cmd) + " exited " + r.exit + "\n" + r.out + r.err);
    }
}
