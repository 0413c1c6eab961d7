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
 *
 * <p>A failure to listen (the port in use) is one line on stderr naming the option, and
 * the program goes on, as Go's program goes on when that goroutine's ListenAndServe fails.
 */
final class PprofOnStart {
    private PprofOnStart() {}

    static void install(InetSocketAddress addr) {
        TraceRt.whenStarted(() -> start(addr));
    }

    private static void start(InetSocketAddress addr) {
        try {
            PprofServer.start(addr);
        } catch (IOException | RuntimeException e) {
            System.err.println("gort-agent: pprof=" + addr.getHostString() + ":" + addr.getPort() + ": " + e.getMessage());
        } catch (LinkageError e) {
            // KNOWN GAP: under the agent the runtime is on the boot class path, which cannot see
            // jdk.httpserver (a platform-loader module); see PprofServer's class comment.
            System.err.println("gort-agent: pprof=" + addr.getHostString() + ":" + addr.getPort()
                    + ": the pprof server cannot start under the agent yet (" + e + ")");
        }
    }
}
