package dev.gort.trace;

import dev.gort.runtime.TraceRt;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Execution traces in Go's format: Go's {@code runtime/trace}. A trace records every
 * goroutine, P and thread on a timeline (creation, start, block with its reason, unblock,
 * syscalls, Ps taken and handed off, GOMAXPROCS changes), with Java stacks, and tasks,
 * regions and logs the program adds; {@code go tool trace FILE} opens it.
 *
 * <pre>{@code
 * try (var out = new FileOutputStream("trace.out")) {
 *     Trace.start(out);
 *     ... the program ...
 *     Trace.stop();
 * }
 * }</pre>
 *
 * <p>Differences from Go: tasks are passed explicitly (Go keeps them in a
 * {@code context.Context}); annotations from a plain Java thread, which is not a
 * goroutine, are not recorded (Go's trace has no place for them).
 */
public final class Trace {
    private Trace() {}

    private static final Object lock = new Object();
    private static Object running; // the handle of the trace Trace.start began
    private static StreamOutput runningOut;

    /**
     * Starts tracing into out (Go's {@code trace.Start}). Buffered data is written as the
     * trace goes; a write that fails stops the trace, is reported once on stderr, and the
     * program goes on.
     *
     * @throws IllegalStateException if a trace started here is already running
     */
    public static void start(OutputStream out) {
        Objects.requireNonNull(out, "Trace.start: out is null");
        synchronized (lock) {
            if (running != null) {
                throw new IllegalStateException("execution tracer already enabled");
            }
            runningOut = new StreamOutput(out);
            running = TraceRt.start(runningOut);
            runningOut.handle = running;
        }
    }

    /**
     * Stops the trace {@link #start} began (Go's {@code trace.Stop}): returns when out holds
     * the whole trace (it is flushed, not closed). Does nothing if no trace is running.
     */
    public static void stop() {
        Object h;
        synchronized (lock) {
            h = running;
            running = null;
            runningOut = null;
        }
        if (h != null) {
            TraceRt.stop(h);
        }
    }

    /** Whether a trace or a flight recorder is running (Go's {@code trace.IsEnabled}). */
    public static boolean isEnabled() {
        return TraceRt.enabled();
    }

    /** Forgets a trace whose output failed, so a new one may start. */
    static void failed(Object handle) {
        synchronized (lock) {
            if (running == handle) {
                running = null;
                runningOut = null;
            }
        }
    }

    // ---- tasks, regions, logs ----

    /** Go's {@code trace.NewTask}: a task of the given type, a child of parent (may be null). */
    public static Task newTask(Task parent, String type) {
        long id = TraceRt.newTaskId();
        TraceRt.userTaskCreate(id, parent == null ? 0 : parent.id, Objects.requireNonNull(type, "type"));
        return new Task(id);
    }

    /** Go's {@code trace.StartRegion}: a region of code of the given type, in task (null: none). */
    public static Region startRegion(Task task, String type) {
        Objects.requireNonNull(type, "type");
        if (!isEnabled()) {
            return Region.NOOP;
        }
        long id = task == null ? 0 : task.id;
        TraceRt.userRegion(id, 0, type);
        return new Region(id, type);
    }

    /** startRegion without a task. */
    public static Region startRegion(String type) {
        return startRegion(null, type);
    }

    /** Go's {@code trace.WithRegion}: runs fn inside a region. */
    public static void withRegion(Task task, String type, Runnable fn) {
        Region r = startRegion(task, type);
        try {
            fn.run();
        } finally {
            r.end();
        }
    }

    /** withRegion without a task. */
    public static void withRegion(String type, Runnable fn) {
        withRegion(null, type, fn);
    }

    /** Go's {@code trace.Log}: a one-off event with a category and a message, in task (may be null). */
    public static void log(Task task, String category, String message) {
        TraceRt.userLog(task == null ? 0 : task.id, category == null ? "" : category, message == null ? "" : message);
    }

    /** Go's {@code trace.Task}: a logical operation, shown in go tool trace's task view. */
    public static final class Task {
        final long id;

        Task(long id) {
            this.id = id;
        }

        /** Go's {@code Task.End}. */
        public void end() {
            TraceRt.userTaskEnd(id);
        }
    }

    /**
     * Go's {@code trace.Region}: a region of code on one goroutine. As in Go, end it on the
     * goroutine that started it; each call of end records an end.
     */
    public static final class Region implements AutoCloseable {
        static final Region NOOP = new Region(0, null);
        final long id;
        final String type;

        Region(long id, String type) {
            this.id = id;
            this.type = type;
        }

        /** Go's {@code Region.End}. */
        public void end() {
            if (this == NOOP) {
                return;
            }
            TraceRt.userRegion(id, 1, type);
        }

        @Override
        public void close() {
            end();
        }
    }

    /** A started trace's stream; on the trace reader thread. */
    static final class StreamOutput implements TraceRt.Output {
        private final OutputStream out;
        volatile Object handle;
        private boolean failed;

        StreamOutput(OutputStream out) {
            this.out = out;
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

        private void fail(Exception e) {
            failed = true;
            System.err.println("gort: execution trace: writing the trace failed: " + e + "; tracing stopped");
            Object h = handle;
            if (h != null) {
                Trace.failed(h);
                TraceRt.stopLater(h);
            }
        }

        @Override
        public void close() {
            if (failed) {
                return;
            }
            try {
                out.flush();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }
    }
}
