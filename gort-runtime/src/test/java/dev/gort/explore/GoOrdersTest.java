package dev.gort.explore;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.sync.Mutex;
import dev.gort.sync.WaitGroup;
import dev.gort.tests.TraceCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * gomaxprocs(1) against Go itself: each scenario of {@code src/test/go/goorders} (run with
 * GOMAXPROCS=1 GOGC=off) prints the order Go's scheduler ran its goroutines in; the Java
 * twin below, run under {@code exhaustive(0).gomaxprocs(1)} (the one schedule without
 * preemption: the order the P's queues give by themselves), must print the same. The
 * scenarios exercise runnext, the local and global queues, the every-61st-tick fairness
 * check (with the tick a run starts at, {@code SingleP.MAIN_SCHEDTICK}), runqputslow, and
 * the wake-up order of close, WaitGroup and Mutex.
 *
 * <p>Go's sysmon preempts a goroutine that has run 10 ms; on a loaded machine an OS stall can
 * make that happen in these microsecond programs, which gives another (valid) single-P order.
 * So Go runs up to three times, and one run must print gort's order.
 */
class GoOrdersTest {
    private static Path bin;

    @BeforeAll
    static void build() throws Exception {
        TraceCheck.requireGo(); // skips (or fails, under CI) without Go 1.26
        Path src = Path.of(System.getProperty("user.dir"), "src", "test", "go", "goorders").toAbsolutePath();
        assertTrue(Files.isRegularFile(src.resolve("main.go")), "the Go program: " + src);
        bin = Path.of(System.getProperty("user.dir"), "target", "goorders", "goorders").toAbsolutePath();
        String[] r = run(List.of("go", "build", "-buildvcs=false", "-o", bin.toString(), "."), src, Map.of());
        assertEquals("0", r[0], () -> "go build: " + r[2]);
    }

    record Scenario(String name, Function<List<String>, Runnable> program) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Scenario> scenarios() {
        return Stream.of(
                new Scenario("gosched", out -> () -> {
                    Gort.go(() -> out.add("a"));
                    Gort.go(() -> out.add("b"));
                    Gort.gosched();
                    out.add("main");
                }),
                new Scenario("fairness", out -> () -> {
                    for (int i = 0; i < 100; i++) {
                        String s = Integer.toString(i);
                        Gort.go(() -> out.add(s));
                    }
                    Gort.gosched();
                    out.add("main");
                }),
                new Scenario("close", out -> () -> {
                    Chan<Integer> c = Chan.make();
                    WaitGroup wg = new WaitGroup();
                    for (int i = 1; i <= 3; i++) {
                        String s = "r" + i;
                        wg.add(1);
                        Gort.go(() -> {
                            try {
                                c.recv();
                                out.add(s);
                            } finally {
                                wg.done();
                            }
                        });
                    }
                    Gort.gosched();
                    c.close();
                    out.add("closed");
                    wg.await();
                }),
                new Scenario("overflow", out -> () -> {
                    WaitGroup wg = new WaitGroup();
                    for (int i = 0; i < 300; i++) {
                        String s = Integer.toString(i);
                        wg.add(1);
                        Gort.go(() -> {
                            out.add(s);
                            wg.done();
                        });
                    }
                    wg.await();
                    out.add("main");
                }),
                new Scenario("pingpong", out -> () -> {
                    Chan<Integer> ping = Chan.make();
                    Chan<Integer> pong = Chan.make();
                    Chan<Boolean> done = Chan.make();
                    Gort.go(() -> {
                        for (int i = 0; i < 3; i++) {
                            ping.send(i);
                            out.add("p" + pong.recv());
                        }
                        done.send(true);
                    });
                    Gort.go(() -> {
                        for (int i = 0; i < 3; i++) {
                            out.add("q" + ping.recv());
                            pong.send(i);
                        }
                    });
                    Gort.go(() -> out.add("r"));
                    done.recv();
                    out.add("main");
                }),
                new Scenario("waiters", out -> () -> {
                    WaitGroup wg = new WaitGroup();
                    WaitGroup all = new WaitGroup();
                    wg.add(1);
                    for (int i = 1; i <= 3; i++) {
                        String s = "w" + i;
                        all.add(1);
                        Gort.go(() -> {
                            try {
                                wg.await();
                                out.add(s);
                            } finally {
                                all.done();
                            }
                        });
                    }
                    Gort.gosched();
                    wg.done();
                    out.add("done");
                    all.await();
                }),
                new Scenario("mutex", out -> () -> {
                    Mutex mu = new Mutex();
                    WaitGroup all = new WaitGroup();
                    mu.lock();
                    for (int i = 1; i <= 3; i++) {
                        String s = "m" + i;
                        all.add(1);
                        Gort.go(() -> {
                            try {
                                mu.lock();
                                out.add(s);
                                mu.unlock();
                            } finally {
                                all.done();
                            }
                        });
                    }
                    Gort.gosched();
                    mu.unlock();
                    out.add("unlocked");
                    all.await();
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void goRunsItAsTheModelSays(Scenario s) throws Exception {
        List<String> out = new ArrayList<>();
        String[] atMainsEnd = new String[1];
        Explore.Result r = Explore.run(Explore.exhaustive(0).gomaxprocs(1).iterations(10), () -> {
            out.clear();
            s.program().apply(out).run();
            atMainsEnd[0] = String.join(" ", out); // Go prints here, and exits: the rest never runs
        });
        assertFalse(r.failed(), r::toString);
        assertTrue(r.exhausted() && r.iterations() == 1, () -> "one schedule without preemption: " + r);
        String gort = atMainsEnd[0];
        List<String> seen = new ArrayList<>();
        for (int attempt = 0; attempt < 3; attempt++) {
            String[] g = run(List.of(bin.toString(), s.name()), null,
                    Map.of("GOMAXPROCS", "1", "GOGC", "off", "GODEBUG", "asyncpreemptoff=1"));
            assertEquals("0", g[0], () -> "goorders " + s.name() + ": " + g[2]);
            if (g[1].strip().equals(gort)) {
                return;
            }
            seen.add(g[1].strip());
        }
        fail("scenario " + s.name() + ": gort's single-P order\n  " + gort + "\nGo's, three runs:\n  "
                + String.join("\n  ", seen));
    }

    /** Runs a command; returns {exit status, stdout, stderr}. */
    private static String[] run(List<String> cmd, Path dir, Map<String, String> env) throws IOException, InterruptedException {
        Path o = Files.createTempFile("goorders-", ".out");
        Path e = Files.createTempFile("goorders-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(o.toFile()).redirectError(e.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().put("GOWORK", "off");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(TraceCheck.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", cmd) + ": no exit within " + TraceCheck.TIMEOUT_SECONDS + " s");
            }
            return new String[] {Integer.toString(p.exitValue()), Files.readString(o, StandardCharsets.UTF_8),
                    Files.readString(e, StandardCharsets.UTF_8)};
        } finally {
            Files.deleteIfExists(o);
            Files.deleteIfExists(e);
        }
    }
}
