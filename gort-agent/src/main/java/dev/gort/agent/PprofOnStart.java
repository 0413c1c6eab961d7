package dev.gort.agent;

import dev.gort.pprof.PprofServer;
import dev.gort.runtime.TraceRt;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The agent's {@code pprof=HOST:PORT}: a {@link PprofServer} (Go's net/http/pprof) started
 * with the runtime ({@link TraceRt#whenStarted}), as a Go program that runs
 * {@code go http.ListenAndServe("localhost:6060", nil)} after importing net/http/pprof.
 * Its threads are daemons: it never keeps the JVM alive, and runs until the JVM exits.
 * The runtime is boot-loaded here, and the server reaches the JDK's HTTP server (a
 * platform-loader module the boot loader cannot see) by name: PprofServer's JdkHttp.
 *
 * <p>With port 0 the port is the system's choice, so one line on stderr says where it
 * listens ({@code gort-agent: pprof listening on http://127.0.0.1:PORT/debug/pprof/});
 * with a port given it says nothing, as Go's server. A failure to listen (the port in use)
 * is one line on stderr naming the option, and the program goes on, as Go's program goes
 * on when that goroutine's ListenAndServe fails.
 */
final class PprofOnStart {
    private PprofOnStart() {}

    static void install(InetSocketAddress addr) {
        TraceRt.whenStarted(() -> start(addr));
    }

    private static void start(InetSocketAddress addr) {
        try {
            PprofServer s = PprofServer.start(addr);
            if (addr.getPort() == 0) {
                InetSocketAddress a = s.address();
                String host = a.getHostString().indexOf(':') >= 0 ? "[" + a.getHostString() + "]" : a.getHostString();
                System.err.println("gort-agent: pprof listening on http://" + host + ":" + a.getPort() + "/debug/pprof/");
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            System.err.println("gort-agent: pprof=" + addr.getHostString() + ":" + addr.getPort() + ": " + e.getMessage());
        }
    }
}
