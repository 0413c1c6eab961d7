package dev.gort.pprof;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Go's net/http/pprof on its own listener: {@code http.ListenAndServe(addr, nil)} after
 * {@code import _ "net/http/pprof"}, on the JDK's built-in HTTP server (no
 * dependency; reached by name through {@link JdkHttp}, so it runs under the agent too). The
 * paths and replies are Go's ({@link PprofHandlers} mirrors each handler),
 * so {@code go tool pprof http://HOST:PORT/debug/pprof/goroutine} and
 * {@code curl .../debug/pprof/trace?seconds=2 > t && go tool trace t} work unchanged.
 *
 * <pre>{@code
 * try (PprofServer s = PprofServer.start(new InetSocketAddress("127.0.0.1", 6060))) {
 *     ... the program ...
 * }
 * }</pre>
 *
 * <p>Its threads (the JDK's dispatcher and the handlers') are daemons: a running server
 * never keeps the JVM alive, and since they only read the runtime (profiles, traces)
 * they never become plain threads that used gort, so a program with a server running
 * still gets Go's deadlock report (CheckDead, Externals). The dispatcher thread inherits
 * its daemon status from the thread that starts the server, so {@link #start} starts it
 * from a daemon thread of its own.
 *
 * <p>It binds where it is told: loopback is the safe choice, as for Go's server (the
 * profiles show every goroutine's stack and the command line).
 *
 * <p>It also starts the process-wide allocation sampling ({@link AllocProfile}) that
 * {@code /debug/pprof/allocs} reports, on a daemon thread, and stops it when the last
 * server closes.
 *
 * <p>Differences from Go: Go's server shares {@code http.DefaultServeMux} with the
 * program; this one serves only the pprof paths.
 */
public final class PprofServer implements AutoCloseable {
    /** Handlers that may run at once: a trace or a delta profile holds one for its seconds. */
    private static final int HANDLER_THREADS = 4;
    /** Seconds {@link #close} lets running exchanges finish (a trace in progress is cut short). */
    private static final int STOP_DELAY_SECONDS = 0;

    private final JdkHttp.Server server;
    private final ExecutorService handlers;
    private final InetSocketAddress address;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private PprofServer(JdkHttp.Server server, ExecutorService handlers) {
        this.server = server;
        this.handlers = handlers;
        this.address = server.address();
    }

    /**
     * Starts serving Go's pprof paths on addr (port 0: any free port; see {@link #address}).
     *
     * @throws BindException naming host:port if the address is in use or cannot be bound
     */
    public static PprofServer start(InetSocketAddress addr) throws IOException {
        Objects.requireNonNull(addr, "PprofServer.start: addr is null");
        JdkHttp.Server server;
        try {
            server = JdkHttp.create(addr);
        } catch (BindException e) {
            BindException b = new BindException("pprof: listen tcp " + hostPort(addr) + ": " + e.getMessage());
            b.initCause(e);
            throw b;
        }
        ExecutorService handlers = Executors.newFixedThreadPool(HANDLER_THREADS, daemons("gort-pprof-http-"));
        server.setExecutor(handlers);
        PprofHandlers.register(server);
        PprofServer s = new PprofServer(server, handlers);
        Thread starter = daemons("gort-pprof-start").newThread(server::start);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            server.stop(0);
            handlers.shutdownNow();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("PprofServer.start interrupted");
        }
        AllocProfile.serverStarted();
        return s;
    }

    /** The address the server listens on (with the port chosen if 0 was asked for). */
    public InetSocketAddress address() {
        return address;
    }

    /** Stops listening and ends the handlers; exchanges in progress are cut short. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            AllocProfile.serverClosed();
        }
        server.stop(STOP_DELAY_SECONDS);
        handlers.shutdownNow();
        try {
            handlers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "PprofServer(" + hostPort(address) + ")";
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix.endsWith("-") ? prefix + n.incrementAndGet() : prefix);
            t.setDaemon(true);
            return t;
        };
    }
}
