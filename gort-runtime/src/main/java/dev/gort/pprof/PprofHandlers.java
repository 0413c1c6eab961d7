package dev.gort.pprof;

import dev.gort.pprof.JdkHttp.Exchange;
import dev.gort.runtime.ProfRt;
import dev.gort.trace.Trace;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The handlers of Go's net/http/pprof (pprof.go), one method each, with Go's names:
 * {@link #index} (Index), {@link #named} (handler.ServeHTTP), {@link #delta}
 * (serveDeltaProfile), {@link #profile} (Profile), {@link #cmdline} (Cmdline),
 * {@link #symbol} (Symbol), {@link #trace} (Trace), {@link #serveError} (serveError); and
 * the parts of Go's ServeMux these paths meet: GET and HEAD only (Go registers
 * {@code "GET /debug/pprof/"} and the rest; another method is 405), {@code /debug/pprof}
 * redirected to {@code /debug/pprof/}, any other path {@code 404 page not found}. Query
 * values are read as Go's {@code r.FormValue} and {@code strconv.Atoi}/{@code ParseInt}/
 * {@code ParseFloat} ({@link Query}): a bad debug is 0, a bad trace or CPU duration is the
 * default (1 s and 30 s). The exchange is the JDK's HTTP server's, through {@link JdkHttp}.
 *
 * <p>{@code /debug/pprof/profile?seconds=N} is a CPU profile from JFR's CPU samples
 * ({@link CpuProfile}); {@code /debug/pprof/allocs} the allocation samples JFR has taken
 * while a server runs ({@link AllocProfile}), with {@code ?seconds=N} their change over N
 * seconds. The handler thread waits out the seconds, as Go's handler goroutine does.
 *
 * <p>Differences from Go: {@code /debug/pprof/heap} is not served (JFR has no sampling of
 * the live heap cheap enough to run all the time: AllocProfile's class comment).
 * {@code /debug/pprof/symbol} has no program counters to resolve (gort's profiles carry
 * function names in their locations and no mappings, so pprof never asks): it answers
 * {@code num_symbols: 1} and no symbol, as Go does for addresses it cannot resolve. A
 * trace, CPU or delta profile waits its seconds even if the client has gone (Go stops when
 * the request's context is done; the JDK's server does not tell). No WriteTimeout to
 * extend (Go's configureWriteDeadline): the server has none.
 */
final class PprofHandlers {
    private PprofHandlers() {}

    static final String PREFIX = "/debug/pprof/";

    static void register(JdkHttp.Server server) {
        server.handle("/", PprofHandlers::serve);
    }

    /** The mux: Go's ServeMux routing for the patterns net/http/pprof registers. */
    private static void serve(Exchange x) throws IOException {
        try (x) {
            String method = x.method();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                x.setHeader("Allow", "GET, HEAD");
                nosniff(x);
                serveError(x, 405, "Method Not Allowed", false);
                return;
            }
            String path = x.uri().getRawPath();
            Query q = new Query(x.uri().getRawQuery());
            switch (path) {
                case "/debug/pprof" -> {
                    String to = PREFIX + (x.uri().getRawQuery() == null ? "" : "?" + x.uri().getRawQuery());
                    x.setHeader("Location", to);
                    reply(x, 301, "text/html; charset=utf-8",
                            ("<a href=\"" + Index.escape(to) + "\">Moved Permanently</a>.\n\n").getBytes(StandardCharsets.UTF_8));
                }
                case PREFIX + "cmdline" -> cmdline(x);
                case PREFIX + "profile" -> profile(x, q);
                case PREFIX + "symbol" -> symbol(x);
                case PREFIX + "trace" -> trace(x, q);
                default -> {
                    if (!path.startsWith(PREFIX)) {
                        x.setHeader("X-Content-Type-Options", "nosniff");
                        serveError(x, 404, "404 page not found", false);
                    } else if (path.equals(PREFIX)) {
                        index(x);
                    } else {
                        named(x, q, java.net.URLDecoder.decode(path.substring(PREFIX.length()).replace("+", "%2B"),
                                StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away mid-reply (or the server is closing): nothing to tell anyone.
        } finally {
            // Reading the runtime may register this thread as a plain thread that used gort;
            // it wakes no goroutine, so it must not postpone a deadlock verdict.
            ProfRt.serviceThreadDone();
        }
    }

    /** Go's Index: the HTML index of profiles with their counts and descriptions. */
    private static void index(Exchange x) throws IOException {
        nosniff(x);
        reply(x, 200, "text/html; charset=utf-8", Index.page().getBytes(StandardCharsets.UTF_8));
    }

    /** Go's handler.ServeHTTP: /debug/pprof/NAME?debug=N&gc=N&seconds=N. */
    private static void named(Exchange x, Query q, String name) throws IOException {
        nosniff(x);
        if (name.equals("allocs")) {
            allocs(x, q);
            return;
        }
        Pprof.Profile p = Pprof.lookup(name);
        if (p == null) {
            serveError(x, 404, "Unknown profile");
            return;
        }
        String sec = q.value("seconds");
        if (!sec.isEmpty()) {
            delta(x, q, p, sec);
            return;
        }
        // gc: Go runs a GC first for "heap" only, which gort does not have.
        int debug = Query.atoi(q.value("debug"));
        if (debug != 0) {
            x.setHeader("Content-Type", "text/plain; charset=utf-8");
        } else {
            x.setHeader("Content-Type", "application/octet-stream");
            x.setHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
        }
        OutputStream out = begin(x, 200);
        p.writeTo(out, debug);
        out.flush();
    }

    /** Go's profileSupportsDelta. */
    private static final java.util.Set<String> SUPPORTS_DELTA =
            java.util.Set.of("allocs", "block", "goroutineleak", "goroutine", "heap", "mutex");

    /** Go's serveDeltaProfile: the profile's change over the seconds, in proto. */
    private static void delta(Exchange x, Query q, Pprof.Profile p, String secStr) throws IOException {
        long sec = Query.parseInt(secStr);
        if (sec <= 0) { // also a bad number: Go's err != nil || sec <= 0
            serveError(x, 400, "invalid value for \"seconds\" - must be a positive integer");
            return;
        }
        if (!SUPPORTS_DELTA.contains(p.name())) {
            serveError(x, 400, "\"seconds\" parameter is not supported for this profile type");
            return;
        }
        if (Query.atoi(q.value("debug")) != 0) {
            serveError(x, 400, "seconds and debug params are incompatible");
            return;
        }
        DeltaProfile.Snapshot p0 = DeltaProfile.collect(p);
        try {
            Thread.sleep(Math.multiplyExact(Math.min(sec, Long.MAX_VALUE / 1000), 1000L));
        } catch (InterruptedException | ArithmeticException e) {
            serveError(x, 500, "context canceled"); // the server is closing
            return;
        }
        DeltaProfile.Snapshot p1 = DeltaProfile.collect(p);
        x.setHeader("Content-Type", "application/octet-stream");
        x.setHeader("Content-Disposition", "attachment; filename=\"" + p.name() + "-delta\"");
        OutputStream out = begin(x, 200);
        DeltaProfile.write(out, p, p0, p1);
        out.flush();
    }

    /** Go's Cmdline: the command line, arguments separated by NUL bytes. */
    private static void cmdline(Exchange x) throws IOException {
        nosniff(x);
        List<String> args = new ArrayList<>();
        ProcessHandle.Info info = ProcessHandle.current().info();
        args.add(info.command().orElse("java"));
        String[] a = info.arguments().orElse(null);
        if (a != null) {
            args.addAll(List.of(a));
        } else {
            String cmd = System.getProperty("sun.java.command", "").trim();
            if (!cmd.isEmpty()) {
                args.addAll(List.of(cmd.split("\\s+")));
            }
        }
        reply(x, 200, "text/plain; charset=utf-8", String.join("\u0000", args).getBytes(StandardCharsets.UTF_8));
    }

    /** Go's Symbol: {@code num_symbols: 1}, then a line per address that names a function: here none. */
    private static void symbol(Exchange x) throws IOException {
        nosniff(x);
        reply(x, 200, "text/plain; charset=utf-8", "num_symbols: 1\n".getBytes(StandardCharsets.UTF_8));
    }

    /** Go's Trace: an execution trace of ?seconds=N (a float; bad or not positive: 1), streamed. */
    private static void trace(Exchange x, Query q) throws IOException {
        nosniff(x);
        Double parsed = Query.parseFloat(q.value("seconds"));
        double sec = parsed == null || parsed <= 0 ? 1 : parsed; // Go: sec <= 0 || err != nil -> 1
        x.setHeader("Content-Type", "application/octet-stream");
        x.setHeader("Content-Disposition", "attachment; filename=\"trace\"");
        // The headers go out with the first bytes of the trace, so a failed start can still be a 500.
        LazyBody body = new LazyBody(x);
        try {
            Trace.start(body);
        } catch (IllegalStateException e) {
            serveError(x, 500, "Could not enable tracing: " + e.getMessage());
            return;
        }
        try {
            // Go: time.Duration(sec*1e9); NaN, +Inf and values past int64 convert (on amd64) to
            // a negative duration, which does not wait at all
            double ns = sec * 1e9;
            long nanos = Double.isNaN(ns) || ns >= 0x1p63 ? 0 : (long) ns;
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            // the server is closing: end the trace now
        } finally {
            Trace.stop();
        }
        body.flush();
    }

    /**
     * Go's Profile: a CPU profile of ?seconds=N (an integer; bad or not positive: 30), from
     * JFR's samples ({@link CpuProfile}). A second one while one runs is Go's 500.
     */
    private static void profile(Exchange x, Query q) throws IOException {
        nosniff(x);
        long sec = Query.parseInt(q.value("seconds"));
        if (sec <= 0) { // also a bad number: Go's sec <= 0 || err != nil
            sec = 30;
        }
        x.setHeader("Content-Type", "application/octet-stream");
        x.setHeader("Content-Disposition", "attachment; filename=\"profile\"");
        CpuProfile p;
        try {
            p = CpuProfile.start(CpuProfile.sampleEvent());
        } catch (IllegalStateException e) {
            serveError(x, 500, "Could not enable CPU profiling: " + e.getMessage());
            return;
        }
        sleep(sec * 1_000_000_000L); // Go: time.Duration(sec)*time.Second, wrapping as Go's int64 does
        byte[] proto;
        try {
            proto = p.stop(); // also when the wait was cut short, as Go's StopCPUProfile after sleep
        } catch (IOException | RuntimeException e) {
            serveError(x, 500, "Could not write CPU profile: " + e); // Go's profileWriter panics
            return;
        }
        OutputStream out = begin(x, 200);
        out.write(proto);
        out.flush();
    }

    /**
     * Go's handler.ServeHTTP for "allocs" ({@link AllocProfile}: from JFR's allocation
     * samples, cumulative while a server runs), and serveDeltaProfile for ?seconds=N.
     */
    private static void allocs(Exchange x, Query q) throws IOException {
        String secStr = q.value("seconds");
        int debug = Query.atoi(q.value("debug"));
        long sec = secStr.isEmpty() ? 0 : Query.parseInt(secStr);
        if (!secStr.isEmpty() && sec <= 0) {
            serveError(x, 400, "invalid value for \"seconds\" - must be a positive integer");
            return;
        }
        if (!secStr.isEmpty() && debug != 0) {
            serveError(x, 400, "seconds and debug params are incompatible");
            return;
        }
        String failed = AllocProfile.failure();
        if (failed != null) {
            serveError(x, 500, "Could not enable allocation profiling: " + failed); // Go's cannot fail
            return;
        }
        if (!secStr.isEmpty()) {
            AllocProfile.Snapshot p0 = AllocProfile.collect();
            if (!sleep(sec * 1_000_000_000L)) { // Go: time.Duration(sec) * time.Second, wrapping
                serveError(x, 500, "context canceled"); // the server is closing
                return;
            }
            AllocProfile.Snapshot p1 = AllocProfile.collect();
            x.setHeader("Content-Type", "application/octet-stream");
            x.setHeader("Content-Disposition", "attachment; filename=\"allocs-delta\"");
            OutputStream out = begin(x, 200);
            AllocProfile.writeDelta(out, p0, p1);
            out.flush();
            return;
        }
        if (debug != 0) {
            x.setHeader("Content-Type", "text/plain; charset=utf-8");
        } else {
            x.setHeader("Content-Type", "application/octet-stream");
            x.setHeader("Content-Disposition", "attachment; filename=\"allocs\"");
        }
        OutputStream out = begin(x, 200);
        AllocProfile.write(out, debug, AllocProfile.collect());
        out.flush();
    }

    /**
     * Go's sleep(r, d): waits d (nothing if it is not positive); false if the wait was cut
     * short (the server is closing: Go's request context done).
     */
    private static boolean sleep(long nanos) {
        if (nanos <= 0) {
            return true;
        }
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static void nosniff(Exchange x) {
        x.setHeader("X-Content-Type-Options", "nosniff");
    }

    /** Go's serveError: a text reply with status and txt, marked X-Go-Pprof. */
    static void serveError(Exchange x, int status, String txt) throws IOException {
        serveError(x, status, txt, true);
    }

    private static void serveError(Exchange x, int status, String txt, boolean pprof) throws IOException {
        if (pprof) {
            x.setHeader("X-Go-Pprof", "1");
        }
        x.removeHeader("Content-Disposition");
        reply(x, status, "text/plain; charset=utf-8", (txt + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(Exchange x, int status, String type, byte[] body) throws IOException {
        x.setHeader("Content-Type", type);
        boolean head = x.method().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            x.body().write(body);
        }
    }

    /** Sends the headers (chunked) and returns the body; for HEAD, a sink. */
    private static OutputStream begin(Exchange x, int status) throws IOException {
        if (x.method().equals("HEAD")) {
            x.sendResponseHeaders(status, -1);
            return OutputStream.nullOutputStream();
        }
        x.sendResponseHeaders(status, 0);
        return x.body();
    }

    /** The reply's body, whose headers (200, chunked) are sent at the first write or flush. */
    private static final class LazyBody extends OutputStream {
        private final Exchange x;
        private OutputStream out;

        LazyBody(Exchange x) {
            this.x = x;
        }

        private synchronized OutputStream out() throws IOException {
            if (out == null) {
                out = begin(x, 200);
            }
            return out;
        }

        @Override
        public void write(int b) throws IOException {
            out().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out().flush();
        }
    }
}
