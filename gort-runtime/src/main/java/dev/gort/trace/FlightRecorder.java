package dev.gort.trace;

import dev.gort.runtime.TraceRt;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Go's {@code trace.FlightRecorder} (Go 1.25): the execution trace's recent past, kept in
 * memory and written out on demand, typically when something has gone wrong.
 *
 * <pre>{@code
 * FlightRecorder fr = new FlightRecorder(Duration.ofSeconds(5), 0);
 * fr.start();
 * ... when something goes wrong:
 * try (var out = new FileOutputStream("window.trace")) {
 *     fr.writeTo(out);
 * }
 * }</pre>
 *
 * <h2>Go's rules (runtime/trace's flightrecorder.go and recorder.go)</h2>
 * The recorder is one more consumer of the tracer's generations, next to a
 * {@link Trace#start} stream (Go's traceMultiplexer: one of each at most). It keeps whole
 * generations only, so what it writes is a trace of its own: the header, then complete
 * generations, each self-contained (it states every goroutine's and P's status before
 * other events about it, and carries its own string and stack tables).
 * <ul>
 *   <li>{@code recorder.Write}: each batch of the generation under way is copied; the
 *       generation's minTime is its earliest batch timestamp.</li>
 *   <li>{@code recorder.endGeneration}: the window becomes the generation just ended, then
 *       older ones, newest first, as long as the window so far is at most maxBytes and its
 *       oldest generation began at most minAge ago. So the newest generation is kept
 *       whatever the limits, a generation that straddles a limit is kept and one wholly
 *       beyond it is dropped: the window covers at least minAge (when maxBytes allows it),
 *       and exceeds maxBytes by less than its oldest generation.</li>
 *   <li>{@code WriteTo}: ends the generation under way first ({@code runtime_traceAdvance}),
 *       so the window reaches up to the call, then writes the header and the window. One at
 *       a time: a call while another runs fails at once (its caller should use the other's
 *       result); so does a call on a recorder not enabled.</li>
 *   <li>{@code Stop} waits for a WriteTo under way (Go's documentation; Go's code does not
 *       wait) and drops the window; {@code Start} again begins a new one.</li>
 * </ul>
 * Generations are one second long (Go's traceAdvancePeriod), whatever minAge is, as in Go:
 * the window's edges move a second at a time.
 *
 * <h2>Differences from Go</h2>
 * <ul>
 *   <li>Go's errors are exceptions: {@link IllegalStateException} for the state errors (Go's
 *       texts: start of an enabled recorder, a second recorder, writeTo of a disabled one
 *       or during another writeTo), {@link IOException} from the stream.</li>
 *   <li>Zero means Go's defaults (10 s, 10 MiB), as in Go; a negative value, which Go's
 *       unsigned MaxBytes cannot express and Go takes as "no minimum age", is refused.</li>
 * </ul>
 */
public final class FlightRecorder {
    /** Go's default MinAge (NewFlightRecorder). */
    static final Duration DEFAULT_MIN_AGE = Duration.ofSeconds(10);
    /** Go's default MaxBytes: 10 MiB. */
    static final long DEFAULT_MAX_BYTES = 10L << 20;

    /** Guards the one-recorder rule and start/stop. */
    private static final Object lock = new Object();
    private static FlightRecorder running; // lock

    private final long minAgeNanos;
    private final long maxBytes;
    /** Go's fr.writing: one writeTo at a time; stop waits for it. */
    private final ReentrantLock writing = new ReentrantLock();
    /** Go's fr.enabled; written under lock, volatile for enabled() and writeTo's first check. */
    private volatile boolean enabled;
    /** While enabled: the tracer's handle and this start's window; under lock. */
    private Object handle;
    private volatile Recorder recorder;

    /**
     * A recorder keeping at least minAge of trace and at most about maxBytes (Go's
     * NewFlightRecorder with a FlightRecorderConfig). Zero: Go's defaults, 10 s and 10 MiB.
     *
     * @throws NullPointerException if minAge is null
     * @throws IllegalArgumentException if minAge or maxBytes is negative
     */
    public FlightRecorder(Duration minAge, long maxBytes) {
        Objects.requireNonNull(minAge, "minAge");
        if (minAge.isNegative()) {
            throw new IllegalArgumentException("minAge is negative: " + minAge);
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes is negative: " + maxBytes);
        }
        Duration age = minAge.isZero() ? DEFAULT_MIN_AGE : minAge;
        this.minAgeNanos = age.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : age.toNanos();
        this.maxBytes = maxBytes == 0 ? DEFAULT_MAX_BYTES : maxBytes;
    }

    /**
     * Starts recording (Go's {@code FlightRecorder.Start}); starts the runtime and the
     * tracer if need be. The window fills from the next generation on.
     *
     * @throws IllegalStateException "cannot enable a enabled flight recorder" if this one
     *     runs, "flight recorder already enabled" if another one does
     */
    public void start() {
        synchronized (lock) {
            if (enabled) {
                throw new IllegalStateException("cannot enable a enabled flight recorder");
            }
            if (running != null) {
                throw new IllegalStateException("flight recorder already enabled");
            }
            Recorder r = new Recorder(minAgeNanos, maxBytes);
            handle = TraceRt.start(r);
            recorder = r;
            running = this;
            enabled = true;
        }
    }

    /**
     * Stops recording and drops the window (Go's {@code FlightRecorder.Stop}), after a
     * {@link #writeTo} under way has returned. Nothing if not enabled.
     */
    public void stop() {
        writing.lock();
        try {
            synchronized (lock) {
                if (!enabled) {
                    return;
                }
                enabled = false;
                TraceRt.stop(handle); // returns once the tracer writes no more to it
                handle = null;
                recorder = null;
                running = null;
            }
        } finally {
            writing.unlock();
        }
    }

    /** Whether the recorder runs: started and not stopped (Go's {@code FlightRecorder.Enabled}). */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Writes the window (Go's {@code FlightRecorder.WriteTo}): the trace header and the
     * complete generations up to now (the generation under way is ended first). The
     * result is a whole trace that {@code go tool trace} opens. Returns the bytes written.
     *
     * @throws IllegalStateException "cannot snapshot a disabled flight recorder" if not
     *     enabled; "call to WriteTo for trace.FlightRecorder already in progress" while
     *     another writeTo runs (use that one's result)
     * @throws IOException from out
     */
    public long writeTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        if (!enabled) {
            throw disabled();
        }
        if (writing.isHeldByCurrentThread() || !writing.tryLock()) {
            throw new IllegalStateException("call to WriteTo for trace.FlightRecorder already in progress");
        }
        try {
            Recorder r = recorder;
            if (!enabled || r == null) {
                throw disabled(); // stopped meanwhile
            }
            // Go: "Force a global buffer flush": returns once the recorder has the generation.
            TraceRt.advance();
            List<Generation> gens = r.ring;
            byte[] header = r.header;
            if (header == null) {
                return 0; // no data ever came (tracing failed): nothing to write
            }
            long n = 0;
            out.write(header);
            n += header.length;
            for (Generation g : gens) {
                for (byte[] batch : g.batches) {
                    out.write(batch);
                    n += batch.length;
                }
            }
            out.flush();
            return n;
        } finally {
            writing.unlock();
        }
    }

    private static IllegalStateException disabled() {
        return new IllegalStateException("cannot snapshot a disabled flight recorder");
    }

    // ---- for tests ----

    /** The window's generation numbers, oldest first (empty when not enabled). */
    List<Long> windowGenerations() {
        Recorder r = recorder;
        return r == null ? List.of() : r.ring.stream().map(g -> g.gen).toList();
    }

    /** The window's generation sizes in bytes, oldest first. */
    List<Long> windowSizes() {
        Recorder r = recorder;
        return r == null ? List.of() : r.ring.stream().map(g -> g.size).toList();
    }

    /** When each of the window's generations began (its minTime, trace clock nanoseconds), oldest first. */
    List<Long> windowStarts() {
        Recorder r = recorder;
        return r == null ? List.of() : r.ring.stream().map(g -> g.minTime).toList();
    }

    /** The trace clock now, in nanoseconds (as windowStarts). */
    static long clockNanos() {
        return (long) (TraceRt.clockNow() * (1e9 / TraceRt.clockUnitsPerSecond()));
    }

    long maxBytes() {
        return maxBytes;
    }

    long minAgeNanos() {
        return minAgeNanos;
    }

    // ---- the recorder: Go's recorder.go ----

    /** One complete generation's batches (Go's rawGeneration); the last one is the end marker. */
    static final class Generation {
        long gen;
        long size;
        /** The earliest batch timestamp, in nanoseconds of the trace clock; 0: none yet. */
        long minTime;
        final List<byte[]> batches = new ArrayList<>();
    }

    /** Receives the tracer's output on the trace reader thread (Go's recorder). */
    static final class Recorder implements TraceRt.Output {
        /** Go's tracev2 batch types: a batch begins with one; the end marker is one byte. */
        private static final int EV_EVENT_BATCH = 1, EV_EXPERIMENTAL_BATCH = 2;
        private static final int HEADER_BYTES = 16;

        private final long minAgeNanos;
        private final long maxBytes;
        /** Go's frequency: trace clock units to nanoseconds. */
        private final double nanosPerUnit = 1e9 / TraceRt.clockUnitsPerSecond();
        /** Reader thread; published to writeTo with the ring (the reader writes it first). */
        volatile byte[] header;
        /** The generation under way; reader thread only. */
        private Generation active = new Generation();
        /**
         * The window, oldest first: replaced whole at each generation's end (never changed
         * in place), so a reader takes it without a lock (Go: the ring under ringMu).
         */
        volatile List<Generation> ring = List.of();

        Recorder(long minAgeNanos, long maxBytes) {
            this.minAgeNanos = minAgeNanos;
            this.maxBytes = maxBytes;
        }

        /** Go's recorder.Write: the header (first), then one batch (or the end marker) per call. */
        @Override
        public void write(byte[] b, int off, int len) {
            if (header == null) { // the tracer's first write is the header (TraceRt.Output)
                int h = Math.min(len, HEADER_BYTES);
                header = Arrays.copyOfRange(b, off, off + h);
                off += h;
                len -= h;
                if (len == 0) {
                    return;
                }
            }
            byte[] data = Arrays.copyOfRange(b, off, off + len);
            long time = batchTime(data);
            if (time != 0 && (active.minTime == 0 || active.minTime > time)) {
                active.minTime = time;
            }
            active.size += data.length;
            active.batches.add(data);
        }

        /** Go's recorder.endGeneration: the window becomes the new generation and what older ones still fit. */
        @Override
        public void endGeneration(long gen) {
            active.gen = gen;
            long now = nanos(TraceRt.clockNow());
            List<Generation> old = ring;
            List<Generation> newRing = new ArrayList<>();
            newRing.add(active); // always at least one complete generation
            long size = active.size;
            for (int i = old.size() - 1; i >= 0; i--) {
                // Stop adding older generations once the window crosses a limit: keep the
                // one that crosses it, not any wholly outside it.
                if (size > maxBytes || now - newRing.getLast().minTime > minAgeNanos) {
                    break;
                }
                size += old.get(i).size;
                newRing.add(old.get(i));
            }
            Collections.reverse(newRing);
            ring = List.copyOf(newRing);
            active = new Generation();
        }

        @Override
        public void close() {}

        private long nanos(long clock) {
            return (long) (clock * nanosPerUnit);
        }

        /** The batch header's timestamp in nanoseconds (Go's readBatch), 0 for the end marker. */
        private long batchTime(byte[] data) {
            if (data.length < 2 || (data[0] != EV_EVENT_BATCH && data[0] != EV_EXPERIMENTAL_BATCH)) {
                return 0;
            }
            int[] pos = {1};
            uvarint(data, pos); // generation
            uvarint(data, pos); // thread
            return nanos(uvarint(data, pos));
        }

        private static long uvarint(byte[] b, int[] pos) {
            long v = 0;
            for (int shift = 0; pos[0] < b.length && shift < 64; shift += 7) {
                int x = b[pos[0]++];
                v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
            }
            return v;
        }
    }
}
