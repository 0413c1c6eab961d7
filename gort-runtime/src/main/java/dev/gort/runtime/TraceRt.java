package dev.gort.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The execution tracer's entry points for {@code dev.gort.trace} (Go's runtime functions
 * that runtime/trace reaches by linkname: StartTrace/ReadTrace/StopTrace and
 * trace_userTaskCreate, trace_userTaskEnd, trace_userRegion, trace_userLog).
 */
public final class TraceRt {
    private TraceRt() {}

    /** Receives a trace's bytes, whole generations at a time, on the trace reader thread. */
    public interface Output {
        /** Part of a generation (the first call of all gets the header first). */
        void write(byte[] b, int off, int len);

        /** Generation gen is complete (its end marker was the last write). */
        default void endGeneration(long gen) {}

        /** No more data: the trace was stopped. */
        void close();
    }

    private static final class OutputSink extends TraceSink {
        final Output out;
        boolean headerWritten;

        OutputSink(Output out) {
            this.out = out;
        }

        @Override
        void write(byte[] b, int off, int len) {
            if (!headerWritten) {
                headerWritten = true;
                byte[] h = header();
                out.write(h, 0, h.length);
            }
            out.write(b, off, len);
        }

        @Override
        void endGeneration(long gen) {
            super.endGeneration(gen);
            out.endGeneration(gen);
        }

        @Override
        void close() {
            out.close();
        }
    }

    /**
     * Starts tracing into out (or adds out to a running trace, from its next generation);
     * returns the handle for {@link #stop}. Never waits for goroutines.
     */
    public static Object start(Output out) {
        Rt.start();
        OutputSink s = new OutputSink(out);
        Tracer.start(s);
        return s;
    }

    /** Ends the generation under way and detaches the output once it holds it; returns then. */
    public static void stop(Object handle) {
        Tracer.stop((TraceSink) handle);
    }

    /** Stops a trace whose output failed, from a thread of the tracer's own (not the reader's). */
    public static void stopLater(Object handle) {
        Tracer.sinkFailed((TraceSink) handle);
    }

    public static boolean enabled() {
        return Tracer.gen != 0;
    }

    /**
     * Go's runtime_traceAdvance(false), for the flight recorder's WriteTo: ends the
     * generation under way; returns once every sink holds it. Nothing if tracing is off.
     */
    public static void advance() {
        Tracer.advance(false);
    }

    /** Go's traceClockNow: the trace clock, in the units of the batches' timestamps. */
    public static long clockNow() {
        return Tracer.now();
    }

    /** Go's traceClockUnitsPerSecond. */
    public static long clockUnitsPerSecond() {
        return 1_000_000_000L / Tracer.TIME_DIV;
    }

    /**
     * Runs hook once the runtime has started, before its first goroutine (now, if it has
     * started): for a tracer that must see the program from its start (the agent's
     * {@code flight=}). The hook may use gort (its own start calls return at once).
     */
    public static void whenStarted(Runnable hook) {
        Rt.whenStarted(hook);
    }

    /**
     * Runs hook whenever a run dies (a panic, a fatal error, a deadlock) or the runtime
     * throws, after the report and before the JVM may exit (see {@link DeathHooks}): to
     * save the trace that led there.
     */
    public static void onDeath(Runnable hook) {
        DeathHooks.add(hook);
    }

    // ---- user annotations (Go: runtime/trace's annotation.go, runtime's trace_user*) ----

    private static final AtomicLong lastTaskID = new AtomicLong();

    /** Go's newID: task ids start at 1 (0 is the background task). */
    public static long newTaskId() {
        return lastTaskID.incrementAndGet();
    }

    /** Go's trace_userTaskCreate. Only a goroutine's events are recorded (the parser wants one). */
    public static void userTaskCreate(long id, long parentId, String type) {
        annotation(TraceEvents.EvUserTaskBegin, id, parentId, type, null);
    }

    /** Go's trace_userTaskEnd. */
    public static void userTaskEnd(long id) {
        annotation(TraceEvents.EvUserTaskEnd, id, 0, null, null);
    }

    /** Go's trace_userRegion: mode 0 starts, 1 ends. */
    public static void userRegion(long id, int mode, String type) {
        annotation(mode == 0 ? TraceEvents.EvUserRegionBegin : TraceEvents.EvUserRegionEnd, id, 0, type, null);
    }

    /** Go's trace_userLog. */
    public static void userLog(long id, String category, String message) {
        annotation(TraceEvents.EvUserLog, id, 0, category, message);
    }

    private static void annotation(int ev, long id, long parent, String s1, String s2) {
        if (!Tracer.enabled || !(Current.thread() instanceof M mp) || mp.curg == null || mp.p == null) {
            return;
        }
        TraceStack.Stack pcs = TraceStack.capture();
        G gp = Entry.enterNosplit();
        try {
            TraceThread w = Tracer.acquire();
            if (w == null) {
                return;
            }
            try {
                if (w.m == null || w.m.curg == null || w.m.p == null) {
                    return; // left its P meanwhile (an implicit syscall): no goroutine context
                }
                TraceEv.userAnnotation(w, ev, id, parent, s1, s2, pcs);
            } finally {
                Tracer.release(w);
            }
        } finally {
            Entry.exit(gp);
        }
    }
}
