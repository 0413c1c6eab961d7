package dev.gort.pprof;

import dev.gort.runtime.MetricsRt;
import dev.gort.runtime.ProfRt;
import dev.gort.runtime.TraceRt;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The {@link RuntimeMXBean}: attributes read from the runtime's counters ({@code MetricsRt}),
 * operations over {@link Pprof} and the execution tracer ({@code TraceRt}).
 *
 * <p>The runtime initializes this class by name once it has started (its {@code Jmx}
 * decides when), and initializing it registers the bean: the runtime does not link against
 * this package. A failure is one line on stderr.
 *
 * <p>Each operation is a {@link ProfRt#serviceCall}: it may enter the runtime (a goroutine
 * profile does), and the JMX or RMI thread it runs on must not be left counted as a plain
 * thread that used gort, or no deadlock would be reported while that thread lives.
 */
final class RuntimeBean implements RuntimeMXBean {
    static {
        register();
    }

    private static void register() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(OBJECT_NAME);
            if (server.isRegistered(name)) {
                // Another copy of gort in this JVM (another class loader's) came first.
                System.err.println("gort: " + OBJECT_NAME + " is registered already (another gort runtime in this JVM?); "
                        + "this runtime's bean is not");
                return;
            }
            server.registerMBean(new RuntimeBean(), name);
        } catch (Exception | LinkageError e) {
            System.err.println("gort: the MXBean " + OBJECT_NAME + " is not registered: " + e);
        }
    }

    /** The trace startTrace began: its handle and file, or null. Guarded by this. */
    private Object trace;
    private FileTraceOutput traceOut;

    private RuntimeBean() {}

    @Override
    public int getNumGoroutine() {
        return MetricsRt.numGoroutine();
    }

    @Override
    public int getGomaxprocs() {
        return MetricsRt.gomaxprocs();
    }

    @Override
    public int getIdleProcs() {
        return MetricsRt.idleProcs();
    }

    @Override
    public int getSpinningThreads() {
        return MetricsRt.spinningThreads();
    }

    @Override
    public int[] getRunQueueLengths() {
        return MetricsRt.runQueueLengths();
    }

    @Override
    public long getGoroutinesCreated() {
        return MetricsRt.goroutinesCreated();
    }

    @Override
    public long getContextSwitches() {
        return MetricsRt.contextSwitches();
    }

    @Override
    public long getPreemptions() {
        return MetricsRt.preemptions();
    }

    @Override
    public long getSteals() {
        return MetricsRt.steals();
    }

    @Override
    public long getHandoffs() {
        return MetricsRt.handoffs();
    }

    @Override
    public String goroutineDump(int debug) {
        if (debug < 1) {
            throw new IllegalArgumentException("goroutineDump: debug=" + debug
                    + " is not a text profile (1: counts per stack, 2: every goroutine's traceback); "
                    + "writeProfile writes the binary one (debug=0) to a file");
        }
        return ProfRt.serviceCall(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                Pprof.lookup("goroutine").writeTo(out, debug);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // a ByteArrayOutputStream does not fail
            }
            return out.toString(StandardCharsets.UTF_8);
        });
    }

    @Override
    public void writeProfile(String name, String file, int debug) throws IOException {
        Pprof.Profile p = Pprof.lookup(name);
        if (p == null) {
            StringBuilder known = new StringBuilder();
            for (Pprof.Profile q : Pprof.profiles()) {
                known.append(known.isEmpty() ? "" : ", ").append(q.name());
            }
            throw new IllegalArgumentException("writeProfile: unknown profile " + (name == null ? "null" : "\"" + name + "\"")
                    + " (profiles: " + known + ")");
        }
        Objects.requireNonNull(file, "writeProfile: file is null");
        ProfRt.<Void, IOException>serviceCall(() -> {
            try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file))) {
                p.writeTo(out, debug);
            }
            return null;
        });
    }

    @Override
    public void startTrace(String file) throws IOException {
        Objects.requireNonNull(file, "startTrace: file is null");
        synchronized (this) {
            if (trace != null) {
                throw new IllegalStateException("startTrace: a trace started here is running already, into " + traceOut.file
                        + " (stopTrace ends it)");
            }
            FileTraceOutput out = new FileTraceOutput(file); // throws if the file cannot be opened
            Object h;
            try {
                h = ProfRt.serviceCall(() -> TraceRt.start(out));
            } catch (RuntimeException | Error e) {
                out.close();
                throw e;
            }
            out.handle = h;
            trace = h;
            traceOut = out;
        }
    }

    @Override
    public void stopTrace() {
        Object h;
        synchronized (this) {
            h = trace;
            trace = null;
            traceOut = null;
        }
        if (h != null) {
            ProfRt.serviceCall(() -> {
                TraceRt.stop(h); // returns once the output is closed
                return null;
            });
        }
    }

    /** Forgets a trace whose file failed, so a new one may start. */
    private synchronized void failed(Object handle) {
        if (trace == handle) {
            trace = null;
            traceOut = null;
        }
    }

    /** A trace into a file, written on the tracer's reader thread; a failed write stops the trace. */
    private final class FileTraceOutput implements TraceRt.Output {
        final String file;
        private final OutputStream out;
        volatile Object handle;
        private boolean failed;

        FileTraceOutput(String file) throws IOException {
            this.file = file;
            this.out = new BufferedOutputStream(new FileOutputStream(file), 1 << 16);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (failed) {
                return;
            }
            try {
                out.write(b, off, len);
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        @Override
        public void endGeneration(long gen) {
            if (failed) {
                return;
            }
            try {
                out.flush();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                if (!failed) {
                    fail(e);
                }
            }
        }

        private void fail(Exception e) {
            failed = true;
            System.err.println("gort: execution trace (" + OBJECT_NAME + " startTrace): writing " + file + " failed: " + e
                    + "; tracing stopped");
            Object h = handle;
            if (h != null) {
                failed(h);
                TraceRt.stopLater(h);
            }
        }
    }
}
