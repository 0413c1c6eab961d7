package dev.gort.pprof;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The JDK's built-in HTTP server ({@code com.sun.net.httpserver}, module jdk.httpserver),
 * driven through method handles looked up by name, so that no class of gort links against
 * it: the only place the server's types are named.
 *
 * <p>Why: under the java agent gort's runtime is loaded by the boot class loader
 * ({@code dev.gort.agent.Agent} appends the agent jar to the bootstrap class path), and the
 * boot loader cannot resolve {@code com.sun.net.httpserver}: jdk.httpserver is defined to
 * the platform loader. A class that names {@code HttpExchange} in its code fails there with
 * NoClassDefFoundError. Looked up through the platform loader by name, the same classes are
 * reached from the boot loader and from the class path alike (jdk.httpserver exports the
 * package to everyone, and an unnamed module reads every module), so library use and the
 * agent run exactly this code. The handler is a {@link Proxy} of {@code HttpHandler}
 * defined to the platform loader, calling back into {@link PprofHandlers}.
 *
 * <p>Rejected: loading the HttpServer glue through a child of the platform loader that
 * also sees the runtime. Classes it defines are in other runtime packages than the
 * boot-loaded {@code dev.gort.pprof} (same name, other loader), so every type the glue and
 * the handlers share (the exchange, the profiles' writers) would have to become public API;
 * and the glue's class files, being on the bootstrap class path too, would need to be
 * hidden from the boot loader. Rejected too: an HTTP server of gort's own on
 * {@code java.net.ServerSocket}, which would have to get HTTP/1.1 right (keep-alive, HEAD,
 * chunking) where the JDK's already does.
 *
 * <p>Cost: a method handle call per exchange operation, nothing next to writing a profile.
 */
final class JdkHttp {
    private JdkHttp() {}

    /** Serves one exchange (Go's http.Handler). */
    interface Handler {
        void serve(Exchange x) throws IOException;
    }

    private static final MethodHandle CREATE;        // HttpServer.create(InetSocketAddress, int)
    private static final MethodHandle SET_EXECUTOR;  // HttpServer.setExecutor(Executor)
    private static final MethodHandle CREATE_CONTEXT; // HttpServer.createContext(String, HttpHandler)
    private static final MethodHandle START;         // HttpServer.start()
    private static final MethodHandle STOP;          // HttpServer.stop(int)
    private static final MethodHandle ADDRESS;       // HttpServer.getAddress()
    private static final MethodHandle METHOD;        // HttpExchange.getRequestMethod()
    private static final MethodHandle REQUEST_URI;   // HttpExchange.getRequestURI()
    private static final MethodHandle HEADERS;       // HttpExchange.getResponseHeaders() (a Map)
    private static final MethodHandle SEND_HEADERS;  // HttpExchange.sendResponseHeaders(int, long)
    private static final MethodHandle BODY;          // HttpExchange.getResponseBody()
    private static final MethodHandle CLOSE;         // HttpExchange.close()
    private static final Class<?> HANDLER;           // HttpHandler
    /** Why the server cannot be had (jdk.httpserver left out of the image), or null. */
    private static final String UNAVAILABLE;

    static {
        MethodHandle[] h = new MethodHandle[12];
        Class<?> handler = null;
        String unavailable = null;
        try {
            ClassLoader platform = ClassLoader.getPlatformClassLoader();
            Class<?> server = Class.forName("com.sun.net.httpserver.HttpServer", true, platform);
            Class<?> exchange = Class.forName("com.sun.net.httpserver.HttpExchange", true, platform);
            handler = Class.forName("com.sun.net.httpserver.HttpHandler", true, platform);
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            h[0] = l.findStatic(server, "create", MethodType.methodType(server, InetSocketAddress.class, int.class));
            h[1] = l.findVirtual(server, "setExecutor", MethodType.methodType(void.class, Executor.class));
            h[2] = l.findVirtual(server, "createContext", MethodType.methodType(
                    Class.forName("com.sun.net.httpserver.HttpContext", true, platform), String.class, handler));
            h[3] = l.findVirtual(server, "start", MethodType.methodType(void.class));
            h[4] = l.findVirtual(server, "stop", MethodType.methodType(void.class, int.class));
            h[5] = l.findVirtual(server, "getAddress", MethodType.methodType(InetSocketAddress.class));
            h[6] = l.findVirtual(exchange, "getRequestMethod", MethodType.methodType(String.class));
            h[7] = l.findVirtual(exchange, "getRequestURI", MethodType.methodType(URI.class));
            h[8] = l.findVirtual(exchange, "getResponseHeaders",
                    MethodType.methodType(Class.forName("com.sun.net.httpserver.Headers", true, platform)));
            h[9] = l.findVirtual(exchange, "sendResponseHeaders", MethodType.methodType(void.class, int.class, long.class));
            h[10] = l.findVirtual(exchange, "getResponseBody", MethodType.methodType(OutputStream.class));
            h[11] = l.findVirtual(exchange, "close", MethodType.methodType(void.class));
            for (int i = 0; i < h.length; i++) {
                h[i] = erase(h[i]);
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            unavailable = "the JDK's HTTP server (module jdk.httpserver) is not in this JVM: " + e;
        }
        CREATE = h[0];
        SET_EXECUTOR = h[1];
        CREATE_CONTEXT = h[2];
        START = h[3];
        STOP = h[4];
        ADDRESS = h[5];
        METHOD = h[6];
        REQUEST_URI = h[7];
        HEADERS = h[8];
        SEND_HEADERS = h[9];
        BODY = h[10];
        CLOSE = h[11];
        HANDLER = handler;
        UNAVAILABLE = unavailable;
    }

    /** The handle with the server's own types (receiver, parameters, result) seen as Object, for invokeExact. */
    private static MethodHandle erase(MethodHandle h) {
        MethodType t = h.type();
        for (int i = 0; i < t.parameterCount(); i++) {
            if (isServers(t.parameterType(i))) {
                t = t.changeParameterType(i, Object.class);
            }
        }
        if (isServers(t.returnType())) {
            t = t.changeReturnType(Object.class);
        }
        return h.asType(t);
    }

    private static boolean isServers(Class<?> c) {
        return c.getName().startsWith("com.sun.net.httpserver.");
    }

    /** An {@code HttpServer}. */
    static final class Server {
        private final Object server;

        private Server(Object server) {
            this.server = server;
        }

        void setExecutor(Executor e) {
            try {
                SET_EXECUTOR.invokeExact(server, e);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** {@code createContext(path, handler)}: the handler gets every request under path. */
        void handle(String path, Handler h) {
            InvocationHandler ih = (proxy, m, args) -> {
                switch (m.getName()) {
                    case "handle" -> {
                        h.serve(new Exchange(args[0]));
                        return null;
                    }
                    case "equals" -> {
                        return proxy == args[0];
                    }
                    case "hashCode" -> {
                        return System.identityHashCode(proxy);
                    }
                    case "toString" -> {
                        return "PprofHandlers";
                    }
                    default -> throw new UnsupportedOperationException(m.toString());
                }
            };
            Object proxy = Proxy.newProxyInstance(HANDLER.getClassLoader(), new Class<?>[] {HANDLER}, ih);
            try {
                Object unused = CREATE_CONTEXT.invokeExact(server, path, proxy);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        void start() {
            try {
                START.invokeExact(server);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        void stop(int delaySeconds) {
            try {
                STOP.invokeExact(server, delaySeconds);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        InetSocketAddress address() {
            try {
                return (InetSocketAddress) ADDRESS.invokeExact(server);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    /** {@code HttpServer.create(addr, 0)}: bound, not started. */
    static Server create(InetSocketAddress addr) throws IOException {
        if (UNAVAILABLE != null) {
            throw new IOException("pprof: " + UNAVAILABLE);
        }
        try {
            return new Server((Object) CREATE.invokeExact(addr, 0));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** An {@code HttpExchange}: the parts of it Go's handlers use. */
    static final class Exchange implements AutoCloseable {
        private final Object x;

        Exchange(Object x) {
            this.x = x;
        }

        String method() {
            try {
                return (String) METHOD.invokeExact(x);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        URI uri() {
            try {
                return (URI) REQUEST_URI.invokeExact(x);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** The response headers: {@code Headers} is a {@code Map<String, List<String>>} that normalizes keys. */
        @SuppressWarnings("unchecked")
        private Map<String, List<String>> headers() {
            try {
                return (Map<String, List<String>>) (Object) HEADERS.invokeExact(x);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** Go's {@code w.Header().Set(k, v)}. */
        void setHeader(String k, String v) {
            List<String> one = new ArrayList<>(1);
            one.add(v);
            headers().put(k, one);
        }

        /** Go's {@code w.Header().Del(k)}. */
        void removeHeader(String k) {
            headers().remove(k);
        }

        /** Status and length (-1: no body, 0: chunked), as HttpExchange's. */
        void sendResponseHeaders(int status, long length) throws IOException {
            try {
                SEND_HEADERS.invokeExact(x, status, length);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException(t);
            }
        }

        OutputStream body() {
            try {
                return (OutputStream) BODY.invokeExact(x);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        @Override
        public void close() {
            try {
                CLOSE.invokeExact(x);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new java.io.UncheckedIOException(t instanceof IOException io ? io : new IOException(t));
    }
}
