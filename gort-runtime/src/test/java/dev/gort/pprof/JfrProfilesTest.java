package dev.gort.pprof;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.tests.TraceCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CPU and allocation profiles from JFR ({@link CpuProfile}, {@link AllocProfile}) as the
 * server serves them: Go's tools read them and find the methods that burned the CPU and
 * allocated the bytes; Go's status codes and texts for their errors; and the threads
 * doing it (handlers, the sampling thread) leave deadlock detection alone.
 */
class JfrProfilesTest {
    private static PprofServer server;
    private static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        server = PprofServer.start(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.close();
        if (AllocProfile.servers() == 0) {
            waitFor("the sampling thread's end after the last server closed", 30, () -> samplingThread() == null);
        }
    }

    static String url(PprofServer s, String path) {
        return "http://127.0.0.1:" + s.address().getPort() + path;
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(server, path))).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static String header(HttpResponse<byte[]> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    // ---- busy work the JIT cannot fold (NOTES.md: xorshift steps, not an LCG) ----

    static volatile long sink;
    static final Object[] kept = new Object[64];

    /** Burns CPU here until stop is set. */
    static long spinInKnownMethod(java.util.concurrent.atomic.AtomicBoolean stop) {
        long x = 88172645463325252L;
        while (!stop.get()) {
            for (int i = 0; i < 10_000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
        }
        return x;
    }

    /** Allocates 816-byte arrays here (kept briefly, so they escape) until stop is set. */
    static void allocateInKnownMethod(java.util.concurrent.atomic.AtomicBoolean stop) {
        int i = 0;
        while (!stop.get()) {
            kept[i++ & 63] = new long[100];
        }
    }

    /** The same, from another method, for the delta. */
    static void allocateInOtherMethod(java.util.concurrent.atomic.AtomicBoolean stop) {
        int i = 0;
        while (!stop.get()) {
            kept[i++ & 63] = new int[200];
        }
    }

    /** Runs body in a goroutine started from a short-lived plain thread; the latch counts down when it returns. */
    static CountDownLatch goroutine(Runnable body) {
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> Gort.go(() -> {
            try {
                body.run();
            } finally {
                done.countDown();
            }
        }));
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return done;
    }

    static void waitFor(String what, long seconds, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + seconds + " s");
            }
            Thread.sleep(20);
        }
    }

    /** {@code go tool pprof ARGS FILE}'s output; fails unless it exits 0. */
    static String goToolPprof(Path file, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("go", "tool", "pprof"));
        cmd.addAll(List.of(args));
        cmd.add(file.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(TraceCheck.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    /** The function names of {@code go tool pprof -top}'s rows, most flat first. */
    static List<String> topFunctions(String top) {
        List<String> fs = new ArrayList<>();
        boolean rows = false;
        for (String line : top.split("\n")) {
            if (rows && !line.isBlank()) {
                String[] cols = line.trim().split("\\s+");
                fs.add(cols[cols.length - 1]);
            }
            rows |= line.trim().startsWith("flat  flat%");
        }
        return fs;
    }

    /** The flat value (the first column, a count with -sample_index=samples) of a -top row. */
    static long flat(String top, String function) {
        for (String line : top.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length == 6 && cols[5].equals(function)) {
                return Long.parseLong(cols[0]);
            }
        }
        return 0;
    }

    private static final String SPIN = "dev.gort.pprof.JfrProfilesTest.spinInKnownMethod";

    @Test
    void aCpuProfileOverHttpShowsTheMethodThatSpun() throws Exception {
        TraceCheck.requireGo();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch done = goroutine(() -> sink = spinInKnownMethod(stop));
        HttpResponse<byte[]> r;
        try {
            r = get("/debug/pprof/profile?seconds=1");
        } finally {
            stop.set(true);
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("application/octet-stream", header(r, "Content-Type"));
        assertEquals("attachment; filename=\"profile\"", header(r, "Content-Disposition"));
        assertEquals("nosniff", header(r, "X-Content-Type-Options"));
        Path f = dir.resolve("cpu.pb.gz");
        Files.write(f, r.body());
        String raw = goToolPprof(f, "-raw");
        assertTrue(raw.contains("PeriodType: cpu nanoseconds\nPeriod: 10000000\n"), raw);
        assertTrue(raw.contains("Samples:\nsamples/count cpu/nanoseconds\n"), raw);
        assertFalse(raw.contains("dev.gort.runtime.Proc.execute"), "the carrier's frames below a goroutine are cut:\n" + raw);
        String top = goToolPprof(f, "-top", "-sample_index=samples");
        List<String> fs = topFunctions(top);
        assertTrue(fs.indexOf(SPIN) >= 0 && fs.indexOf(SPIN) < 3, top);
        // A second of one spinning thread at 100 Hz is about 100 samples; a loaded 2-core machine gives it less.
        assertTrue(flat(top, SPIN) >= 20, top);
        assertTrue(top.contains("dev.gort.pprof.JfrProfilesTest.lambda$"), "its goroutine's entry is below it:\n" + top);
    }

    /** JDKs without jdk.CPUTimeSample (before 25, or not Linux) get jdk.ExecutionSample: the same profile. */
    @Test
    void theExecutionSampleFallbackGivesTheSameProfile() throws Exception {
        TraceCheck.requireGo();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch done = goroutine(() -> sink = spinInKnownMethod(stop));
        byte[] proto;
        CpuProfile p = CpuProfile.start(CpuProfile.EXECUTION_SAMPLE);
        try {
            Thread.sleep(1000);
        } finally {
            proto = p.stop();
            stop.set(true);
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        Path f = dir.resolve("exec.pb.gz");
        Files.write(f, proto);
        String top = goToolPprof(f, "-top", "-sample_index=samples");
        assertTrue(top.contains("Type: samples"), top);
        List<String> fs = topFunctions(top);
        assertTrue(fs.indexOf(SPIN) >= 0 && fs.indexOf(SPIN) < 3, top);
        assertTrue(flat(top, SPIN) >= 20, top);
    }

    @Test
    void theCpuSamplesAreJfrsCpuTimeSamplesWhereTheJvmHasThem() {
        boolean linux25 = System.getProperty("os.name").startsWith("Linux") && Runtime.version().feature() >= 25;
        assertEquals(linux25 ? CpuProfile.CPU_TIME_SAMPLE : CpuProfile.EXECUTION_SAMPLE, CpuProfile.sampleEvent());
    }

    /** Go's StartCPUProfile error while a profile runs, through Go's Profile handler: 500. */
    @Test
    void aSecondCpuProfileWhileOneRunsIsGos500() throws Exception {
        CompletableFuture<HttpResponse<byte[]>> first = http.sendAsync(
                HttpRequest.newBuilder(URI.create(url(server, "/debug/pprof/profile?seconds=1"))).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        waitFor("CPU profile running", 30, CpuProfile::running);
        var second = get("/debug/pprof/profile?seconds=1");
        assertEquals(500, second.statusCode(), text(second));
        assertEquals("Could not enable CPU profiling: cpu profiling already in use\n", text(second));
        assertEquals("1", header(second, "X-Go-Pprof"));
        assertEquals("text/plain; charset=utf-8", header(second, "Content-Type"));
        assertNull(header(second, "Content-Disposition"));
        var r = first.get(60, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), text(r));
        assertEquals(0x1f, r.body()[0] & 0xff);
        waitFor("CPU profile over", 10, () -> !CpuProfile.running());
        var third = get("/debug/pprof/profile?seconds=1"); // the flag was given back
        assertEquals(200, third.statusCode(), text(third));
    }

    /**
     * Go's Profile reads a bad or non-positive seconds as 30 (no 400, unlike the delta
     * profiles): the profile runs on past a second, until the server closes under it.
     */
    @Test
    void aBadCpuSecondsIsGosThirtyNotAnError() throws Exception {
        PprofServer other = PprofServer.start(new InetSocketAddress("127.0.0.1", 0));
        try {
            CompletableFuture<HttpResponse<byte[]>> r = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(url(other, "/debug/pprof/profile?seconds=x"))).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            waitFor("CPU profile running", 30, CpuProfile::running);
            Thread.sleep(1500);
            assertTrue(CpuProfile.running(), "still profiling after 1.5 s");
            assertFalse(r.isDone());
        } finally {
            other.close(); // interrupts the handler: the profile stops and gives the flag back
        }
        waitFor("CPU profile over", 30, () -> !CpuProfile.running());
    }

    private static final String ALLOC = "dev.gort.pprof.JfrProfilesTest.allocateInKnownMethod";
    private static final String OTHER = "dev.gort.pprof.JfrProfilesTest.allocateInOtherMethod";

    static long allocBytes(String function) {
        long n = 0;
        for (var e : AllocProfile.collect().records().entrySet()) {
            if (!e.getKey().isEmpty() && e.getKey().get(0).func().equals(function)) {
                n += e.getValue()[1];
            }
        }
        return n;
    }

    @Test
    void theAllocsProfileAttributesBytesToTheMethodThatAllocated() throws Exception {
        TraceCheck.requireGo();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch done = goroutine(() -> allocateInKnownMethod(stop));
        try {
            waitFor("allocation samples in " + ALLOC, 30, () -> allocBytes(ALLOC) > 10_000_000);
        } finally {
            stop.set(true);
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        var r = get("/debug/pprof/allocs");
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("attachment; filename=\"allocs\"", header(r, "Content-Disposition"));
        Path f = dir.resolve("allocs.pb.gz");
        Files.write(f, r.body());
        String raw = goToolPprof(f, "-raw");
        assertTrue(raw.contains("PeriodType: space bytes\n"), raw);
        assertTrue(raw.contains("alloc_objects/count alloc_space/bytes[dflt] inuse_objects/count inuse_space/bytes\n"), raw);
        String top = goToolPprof(f, "-top");
        assertTrue(top.contains("Type: alloc_space"), "alloc_space is the default, as Go's allocs:\n" + top);
        assertEquals(ALLOC, topFunctions(top).get(0), top);

        var t = get("/debug/pprof/allocs?debug=1");
        assertEquals(200, t.statusCode());
        assertEquals("text/plain; charset=utf-8", header(t, "Content-Type"));
        assertTrue(text(t).startsWith("heap profile: 0: 0 ["), text(t));
        assertTrue(text(t).contains("\t" + ALLOC + "+0x0\t"), text(t));
        Path legacy = dir.resolve("allocs.txt");
        Files.write(legacy, t.body());
        // Go's legacy parser reads the text (its addresses only: the # lines are for people)
        String fromText = goToolPprof(legacy, "-raw");
        assertTrue(fromText.contains("alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes\n"), fromText);

        String index = text(get("/debug/pprof/"));
        assertTrue(index.matches("(?s).*<tr><td>[1-9]\\d*</td><td><a href='allocs\\?debug=1'>allocs</a></td></tr>\n.*"), index);
    }

    @Test
    void anAllocsDeltaHoldsOnlyTheSecondsAllocations() throws Exception {
        TraceCheck.requireGo();
        var stopA = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch doneA = goroutine(() -> allocateInKnownMethod(stopA));
        try {
            waitFor("allocation samples in " + ALLOC, 30, () -> allocBytes(ALLOC) > 1_000_000);
        } finally {
            stopA.set(true);
        }
        assertTrue(doneA.await(10, TimeUnit.SECONDS));
        assertTrue(AllocProfile.awaitFlushes(2, 10_000), "the stream flushed A's last samples");
        var stopB = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch doneB = goroutine(() -> allocateInOtherMethod(stopB));
        HttpResponse<byte[]> r;
        try {
            r = get("/debug/pprof/allocs?seconds=2");
        } finally {
            stopB.set(true);
        }
        assertTrue(doneB.await(10, TimeUnit.SECONDS));
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("attachment; filename=\"allocs-delta\"", header(r, "Content-Disposition"));
        Path f = dir.resolve("delta.pb.gz");
        Files.write(f, r.body());
        String raw = goToolPprof(f, "-raw");
        assertTrue(raw.contains("Duration: 2"), raw);
        assertTrue(raw.contains(OTHER), raw);
        // Samples JFR had not yet handed to the stream when the delta began may still land
        // in it (its flushes are about a second apart); the bulk of A's must be gone.
        String top = goToolPprof(f, "-top", "-sample_index=alloc_space", "-nodecount=50");
        double before = flatPercent(top, ALLOC);
        assertTrue(before < 10, "allocations before the seconds drop out (" + before + "% left):\n" + top);
        assertTrue(flatPercent(top, OTHER) > 50, top);
    }

    /** The flat% column of function's row in {@code go tool pprof -top} output (0 if absent). */
    static double flatPercent(String top, String function) {
        for (String line : top.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 6 && cols[cols.length - 1].equals(function) && cols[1].endsWith("%")) {
                return Double.parseDouble(cols[1].substring(0, cols[1].length() - 1));
            }
        }
        return 0;
    }

    @Test
    void allocsErrorsAreGosCodesAndTexts() throws Exception {
        for (String q : new String[] {"seconds=x", "seconds=0", "seconds=-1"}) {
            var r = get("/debug/pprof/allocs?" + q);
            assertEquals(400, r.statusCode(), q);
            assertEquals("invalid value for \"seconds\" - must be a positive integer\n", text(r));
            assertEquals("1", header(r, "X-Go-Pprof"));
            assertNull(header(r, "Content-Disposition"));
        }
        var r = get("/debug/pprof/allocs?seconds=1&debug=1");
        assertEquals(400, r.statusCode());
        assertEquals("seconds and debug params are incompatible\n", text(r));
        var heap = get("/debug/pprof/heap");
        assertEquals(404, heap.statusCode());
        assertEquals("Unknown profile\n", text(heap));
    }

    /** The sampling thread runs while a server does: a daemon, gone when the last server closes. */
    @Test
    void theSamplingThreadIsADaemonThatEndsWithTheLastServer() throws Exception {
        waitFor("the sampling thread", 30, () -> samplingThread() != null);
        assertTrue(samplingThread().isDaemon());
        PprofServer second = PprofServer.start(new InetSocketAddress("127.0.0.1", 0));
        second.close();
        second.close(); // idempotent: counts once
        assertNotNull(samplingThread(), "the first server still runs");
    }

    static Thread samplingThread() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("gort-pprof-allocs") && t.isAlive()) {
                return t;
            }
        }
        return null;
    }

    /** After CPU and allocation profiles were served, a deadlock is still Go's report. */
    @Test
    void afterTheJfrProfilesADeadlockIsStillReported() throws Exception {
        assertEquals(200, get("/debug/pprof/allocs").statusCode());
        assertEquals(200, get("/debug/pprof/profile?seconds=1").statusCode());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("gort-pprof") || t.getName().startsWith("HTTP-Dispatcher")) {
                assertTrue(t.isDaemon(), t.getName());
            }
        }
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> Chan.<Integer>make().recv()));
            assertEquals("all goroutines are asleep - deadlock!", e.getMessage());
        } finally {
            System.setErr(saved);
        }
    }
}
