package dev.gort.runtime;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code gort.trace=FILE} (and the agent's {@code trace=FILE}): the whole program traced
 * into FILE, from the runtime's start ({@link Rt#start}, before the first goroutine) to the
 * JVM's exit. Go has no such switch (a Go program calls trace.Start itself); it is gort's
 * way of tracing a program unchanged.
 *
 * <p>The file is a complete trace (the header, then whole generations) at every moment a
 * program can end:
 * <ul>
 *   <li>JVM exit, normal or {@code System.exit} (so also {@code Gort.main}'s exit after a
 *       death): a shutdown hook stops the trace, which ends the generation under way;</li>
 *   <li>a run's death (a panic, a fatal error, a deadlock) and the runtime's own throw: a
 *       {@link DeathHooks death hook} ends the generation under way, and the file is
 *       flushed at each generation's end, so the file holds the trace up to the report
 *       even if the JVM then halts with no shutdown hook ({@link Throw}). Tracing goes on
 *       (other runs may too); a later exit stops it.</li>
 * </ul>
 * Both wait at most {@link #STOP_TIMEOUT_MILLIS}: a hung tracer never hangs the exit.
 * A JVM killed by a signal that runs no shutdown hook (SIGKILL) leaves the generations
 * flushed so far plus part of one, which Go's parser rejects; nothing can help that.
 *
 * <p>A file that cannot be created is one line on stderr, naming the property and the
 * path, and the program runs untraced (as a malformed GOMAXPROCS is reported and the
 * default used: {@link Env}). A write that fails later stops tracing, reported once.
 */
final class TraceFile extends TraceSink {
    static final String PROPERTY = "gort.trace";
    /** As {@link DeathHooks#TIMEOUT_MILLIS}: ending a generation takes milliseconds. */
    static final long STOP_TIMEOUT_MILLIS = DeathHooks.TIMEOUT_MILLIS;

    private final String path;
    private final OutputStream out;
    private boolean headerWritten; // reader thread
    private volatile boolean failed;

    private TraceFile(String path, OutputStream out) {
        this.path = path;
        this.out = out;
    }

    /** At the runtime's start (once, under Rt's lock): starts tracing if the property asks. */
    static void startFromProperty() {
        String path = System.getProperty(PROPERTY);
        if (path == null) {
            return;
        }
        if (path.isBlank()) {
            Env.warn(PROPERTY + "=\"" + path + "\" names no file; not tracing");
            return;
        }
        OutputStream out;
        try {
            out = new BufferedOutputStream(new FileOutputStream(path), 1 << 16);
        } catch (IOException | SecurityException e) {
            Env.warn(PROPERTY + "=" + path + ": cannot create the trace file: " + e.getMessage() + "; not tracing");
            return;
        }
        TraceFile s = new TraceFile(path, out);
        Tracer.start(s);
        DeathHooks.add(() -> Tracer.advance(false));
        Runtime.getRuntime().addShutdownHook(new Thread(s::stopAtExit, "gort-trace-exit"));
    }

    /** The shutdown hook: stops the trace (on a thread of its own, waited for at most the timeout). */
    private void stopAtExit() {
        Thread t = Thread.ofPlatform().daemon().name("gort-trace-stop").start(() -> Tracer.stop(this));
        try {
            t.join(STOP_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            Env.warn(PROPERTY + "=" + path + ": the trace did not stop within " + STOP_TIMEOUT_MILLIS / 1000
                    + " s of the exit; the file may end in an incomplete generation");
        }
    }

    @Override
    void write(byte[] b, int off, int len) {
        if (failed) {
            return;
        }
        try {
            if (!headerWritten) {
                headerWritten = true;
                out.write(header());
            }
            out.write(b, off, len);
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    @Override
    void endGeneration(long gen) {
        super.endGeneration(gen);
        if (failed) {
            return;
        }
        try {
            out.flush(); // whole generations on disk: a valid trace whenever the JVM ends
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void fail(Exception e) {
        failed = true;
        Env.warn(PROPERTY + "=" + path + ": writing the trace failed: " + e + "; tracing stopped");
        Tracer.sinkFailed(this);
    }

    @Override
    void close() {
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            if (!failed) {
                Env.warn(PROPERTY + "=" + path + ": closing the trace file failed: " + e);
            }
        }
    }
}
