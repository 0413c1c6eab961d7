package dev.gort.tests;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.pprof.PprofServer;
import dev.gort.trace.Trace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * PprofServer (Go's net/http/pprof): Go's own client reads its profiles, Go's texts and
 * status codes for the error cases, a trace Go's parser accepts, and its threads leave
 * deadlock detection alone.
 */
class PprofServerTest {
    private static final int PARKED = 3;
    private static PprofServer server;
    private static Chan<Integer> never;
    private static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @BeforeAll
    static void startServerAndParkGoroutines() throws IOException {
        server = PprofServer.start(new InetSocketAddress("127.0.0.1", 0));
        never = Chan.make();
        onPlainThread(() -> {
            for (int i = 0; i < PARKED; i++) {
                Gort.go(() -> PprofTest.blockedReceiving(never));
            }
            PprofTest.await(Map.of("PprofTest.blockedReceiving", PARKED));
        });
    }

    /**
     * Runs r on a thread of its own that ends: a live plain thread that used gort would
     * postpone every deadlock verdict (and JUnit's threads live on).
     */
    static void onPlainThread(Runnable r) {
        Thread t = new Thread(r);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @AfterAll
    static void stop() {
        onPlainThread(never::close);
        server.close();
    }

    static String url(String path) {
        return "http://" + server.address().getHostString() + ":" + server.address().getPort() + path;
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url(path))).GET().build());
    }

    static HttpResponse<byte[]> send(HttpRequest r) throws Exception {
        return http.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static String header(HttpResponse<byte[]> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void goToolPprofReadsTheGoroutineProfileOverHttp() throws Exception {
        TraceCheck.requireGo();
        Process p = new ProcessBuilder("go", "tool", "pprof", "-raw", url("/debug/pprof/goroutine"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(TraceCheck.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("PeriodType: goroutine count"), out);
        assertTrue(out.contains("dev.gort.tests.PprofTest.blockedReceiving"), out);
    }

    @Test
    void debugLevelsAreGosTextAndZeroIsTheProto() throws Exception {
        var r1 = get("/debug/pprof/goroutine?debug=1");
        assertEquals(200, r1.statusCode());
        assertEquals("text/plain; charset=utf-8", header(r1, "Content-Type"));
        assertEquals("nosniff", header(r1, "X-Content-Type-Options"));
        assertTrue(text(r1).startsWith("goroutine profile: total "), text(r1));
        assertTrue(text(r1).contains("dev.gort.tests.PprofTest.blockedReceiving"), text(r1));

        var r2 = get("/debug/pprof/goroutine?debug=2");
        assertTrue(text(r2).contains(" [chan receive]:\n"), text(r2));
        assertTrue(text(r2).contains("dev.gort.tests.PprofTest.blockedReceiving("), text(r2));

        for (String q : new String[] {"", "?debug=x", "?debug=0&gc=1"}) { // a bad debug is 0, as Go's Atoi
            var r0 = get("/debug/pprof/threadcreate" + q);
            assertEquals(200, r0.statusCode());
            assertEquals("application/octet-stream", header(r0, "Content-Type"));
            assertEquals("attachment; filename=\"threadcreate\"", header(r0, "Content-Disposition"));
            assertEquals(0x1f, r0.body()[0] & 0xff, q);
            assertEquals(0x8b, r0.body()[1] & 0xff, q);
        }
    }

    @Test
    void theIndexIsGos() throws Exception {
        var r = get("/debug/pprof/");
        assertEquals(200, r.statusCode());
        assertEquals("text/html; charset=utf-8", header(r, "Content-Type"));
        String page = text(r);
        assertTrue(page.startsWith("<html>\n<head>\n<title>/debug/pprof/</title>\n"), page);
        assertTrue(page.matches("(?s).*<tr><td>\\d+</td><td><a href='goroutine\\?debug=1'>goroutine</a></td></tr>\n.*"), page);
        assertTrue(page.matches("(?s).*<thead><td>Count</td><td>Profile</td></thead>\n"
                + "<tr><td>\\d+</td><td><a href='allocs\\?debug=1'>allocs</a></td></tr>\n"
                + "<tr><td>\\d+</td><td><a href='block\\?debug=1'>block</a></td></tr>\n"
                + "<tr><td>0</td><td><a href='cmdline\\?debug=1'>cmdline</a></td></tr>\n<tr><td>.*"), page);
        assertTrue(page.contains("<li><div class=profile-name>trace: </div> A trace of execution of the current program."), page);
        assertTrue(page.indexOf(">profile<") < page.indexOf(">symbol<") && page.indexOf(">symbol<") < page.indexOf(">threadcreate<"), page);
        assertTrue(page.endsWith("</ul>\n</p>\n</body>\n</html>"), page);
        var moved = get("/debug/pprof");
        assertEquals(301, moved.statusCode());
        assertEquals("/debug/pprof/", header(moved, "Location"));
    }

    @Test
    void errorsAreGosCodesAndTexts() throws Exception {
        assertError(get("/debug/pprof/nonesuch"), 404, "Unknown profile\n", true);
        assertError(get("/debug/pprof/goroutine?seconds=x"), 400,
                "invalid value for \"seconds\" - must be a positive integer\n", true);
        assertError(get("/debug/pprof/threadcreate?seconds=0"), 400,
                "invalid value for \"seconds\" - must be a positive integer\n", true);
        assertError(get("/debug/pprof/goroutine?seconds=1&debug=1"), 400, "seconds and debug params are incompatible\n", true);
        assertError(get("/other"), 404, "404 page not found\n", false);
        var post = send(HttpRequest.newBuilder(URI.create(url("/debug/pprof/goroutine")))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertError(post, 405, "Method Not Allowed\n", false);
        assertEquals("GET, HEAD", header(post, "Allow"));
        // the CPU and allocs profiles' own cases are in dev.gort.pprof.JfrProfilesTest
    }

    static void assertError(HttpResponse<byte[]> r, int status, String body, boolean pprof) {
        assertEquals(status, r.statusCode(), text(r));
        assertEquals(body, text(r));
        assertEquals("text/plain; charset=utf-8", header(r, "Content-Type"));
        assertEquals(pprof ? "1" : null, header(r, "X-Go-Pprof"));
        assertNull(header(r, "Content-Disposition"));
    }

    @Test
    void cmdlineAndSymbol() throws Exception {
        var c = get("/debug/pprof/cmdline");
        assertEquals(200, c.statusCode());
        assertTrue(text(c).contains("java"), text(c));
        assertTrue(text(c).contains("\u0000"), text(c));
        var s = get("/debug/pprof/symbol?0x1234+0x5678");
        assertEquals(200, s.statusCode());
        assertEquals("num_symbols: 1\n", text(s));
    }

    @Test
    void aDeltaProfileIsGoProtoOfTheChange() throws Exception {
        Chan<Integer> later = Chan.make();
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            Gort.go(() -> PprofTest.blockedSending(later));
        });
        t.start();
        var r = get("/debug/pprof/goroutine?seconds=1");
        t.join();
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("attachment; filename=\"goroutine-delta\"", header(r, "Content-Disposition"));
        onPlainThread(later::recv);
        TraceCheck.requireGo();
        Path f = dir.resolve("delta.pb.gz");
        Files.write(f, r.body());
        String raw = PprofTest.goToolPprofRaw(f);
        assertTrue(raw.contains("dev.gort.tests.PprofTest.blockedSending"), raw);
        assertFalse(raw.contains("dev.gort.tests.PprofTest.blockedReceiving"), "unchanged stacks drop out:\n" + raw);
    }

    static Object beforeTheWindow(Chan<Object> c) {
        return c.recv();
    }

    static Object inTheWindow(Chan<Object> c) {
        return c.recv();
    }

    /** A goroutine blocked at site (a method of this class taking the channel) for BlockProfileTest.HOLD_NS. */
    static void blockOnce(java.util.function.Function<Chan<Object>, Object> site) {
        onPlainThread(() -> Gort.run(() -> {
            Chan<Object> c = Chan.make();
            Chan<Object> done = Chan.make();
            Gort.go(() -> {
                site.apply(c);
                done.send(true);
            });
            long start = System.nanoTime();
            do {
                dev.gort.time.Time.sleep(java.time.Duration.ofMillis(5));
            } while (System.nanoTime() - start < 2 * BlockProfileTest.HOLD_NS);
            c.send(1);
            done.recv();
        }));
    }

    @Test
    void blockAndMutexAreServedListedAndTheirDeltaIsTheChange() throws Exception {
        Gort.setBlockProfileRate(1);
        try {
            blockOnce(PprofServerTest::beforeTheWindow);
            var t1 = get("/debug/pprof/block?debug=1");
            assertEquals(200, t1.statusCode());
            assertEquals("text/plain; charset=utf-8", header(t1, "Content-Type"));
            assertTrue(text(t1).startsWith("--- contention:\ncycles/second=1000000000\n"), text(t1));
            assertTrue(text(t1).contains("dev.gort.tests.PprofServerTest.beforeTheWindow+0x0"), text(t1));
            var m1 = get("/debug/pprof/mutex?debug=1");
            assertTrue(text(m1).startsWith("--- mutex:\ncycles/second=1000000000\nsampling period=0\n"), text(m1));
            var m0 = get("/debug/pprof/mutex");
            assertEquals("attachment; filename=\"mutex\"", header(m0, "Content-Disposition"));
            assertEquals(0x1f, m0.body()[0] & 0xff);
            String page = text(get("/debug/pprof/"));
            assertTrue(page.matches("(?s).*<tr><td>\\d+</td><td><a href='block\\?debug=1'>block</a></td></tr>\n.*"), page);
            assertTrue(page.contains("<tr><td>" + dev.gort.pprof.Pprof.lookup("mutex").count() + "</td><td><a href='mutex?debug=1'>mutex</a></td></tr>\n"), page);
            assertTrue(page.contains("<li><div class=profile-name>block: </div> Stack traces that led to blocking on synchronization primitives</li>"), page);

            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                blockOnce(PprofServerTest::inTheWindow);
            });
            t.start();
            var r = get("/debug/pprof/block?seconds=2");
            t.join();
            assertEquals(200, r.statusCode(), text(r));
            assertEquals("attachment; filename=\"block-delta\"", header(r, "Content-Disposition"));
            TraceCheck.requireGo();
            Path f = dir.resolve("block-delta.pb.gz");
            Files.write(f, r.body());
            String raw = PprofTest.goToolPprofRaw(f);
            assertTrue(raw.contains("contentions/count delay/nanoseconds"), raw);
            assertTrue(raw.contains("dev.gort.tests.PprofServerTest.inTheWindow"), raw);
            assertFalse(raw.contains("dev.gort.tests.PprofServerTest.beforeTheWindow"), "unchanged records drop out:\n" + raw);
        } finally {
            Gort.setBlockProfileRate(0);
        }
    }

    @Test
    void aTraceOfOneSecondIsOneGoParses() throws Exception {
        TraceCheck.requireGo();
        long t0 = System.nanoTime();
        var r = get("/debug/pprof/trace");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, r.statusCode(), text(r));
        assertTrue(ms >= 1000, "the default is 1 s: " + ms + " ms");
        assertEquals("attachment; filename=\"trace\"", header(r, "Content-Disposition"));
        Path f = dir.resolve("http.trace");
        Files.write(f, r.body());
        TraceCheck.check(f).assertOk();
    }

    @Test
    void aSecondTraceIsGosError() throws Exception {
        Trace.start(OutputStream.nullOutputStream());
        try {
            assertError(get("/debug/pprof/trace?seconds=0.1"), 500,
                    "Could not enable tracing: execution tracer already enabled\n", true);
        } finally {
            Trace.stop();
        }
    }

    @Test
    void anAddressInUseIsABindExceptionNamingIt() {
        InetSocketAddress taken = server.address();
        BindException e = assertThrows(BindException.class, () -> PprofServer.start(taken));
        assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getPort()), e.getMessage());
    }

    @Test
    void itsThreadsAreDaemonsAndADeadlockIsStillReported() throws Exception {
        assertEquals(200, get("/debug/pprof/goroutine?debug=2").statusCode()); // handler threads have run
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
