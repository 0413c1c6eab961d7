package dev.gort.runtime;

/**
 * One batch of an execution trace being written: Go's traceBuf (tracebuf.go). A batch
 * starts with {@code EvEventBatch, gen, thread id, timestamp, length} and holds the events
 * of one thread (or of the tracer itself: thread id -1, Go's {@code ^uint64(0)}) in the
 * order that thread wrote them. Events are a type byte and LEB128 varints; each event's
 * timestamp is a difference from the batch's previous one.
 *
 * <p>Owned by one writer at a time (the thread holding its {@link TraceThread}'s write
 * flag, or the tracer during a generation's flush); handed to the reader through
 * {@link Tracer}'s full queue under its lock. Plain fields.
 */
final class TraceBuf {
    /** Go's tracev2.MaxBatchSize: the parser refuses longer batches. */
    static final int MAX_BATCH = 64 << 10;
    /** Bytes a varint may take (Go's traceBytesPerNumber). */
    static final int BYTES_PER_NUMBER = 10;

    final byte[] arr = new byte[MAX_BATCH - 64];
    int pos;
    /** Trace clock of the last event written, for the next timestamp difference. */
    long lastTime;
    /** Where the batch length goes, reserved at the start (Go: lenPos). */
    int lenPos;
    long gen;
    TraceBuf link;

    /**
     * Starts a batch (Go: traceWriter.refill's header): clears the buffer and writes the
     * batch header for thread {@code mid} in generation {@code gen}.
     */
    void reset(long gen, long mid) {
        long ts = Tracer.now();
        reset(gen, mid, ts <= lastTime ? lastTime + 1 : ts);
    }

    /**
     * Starts a batch whose clock begins at ts, a trace time that may be in the past: the
     * batch of events written after the fact ({@link TraceGC}), whose first event is at ts.
     */
    void reset(long gen, long mid, long ts) {
        this.gen = gen;
        this.link = null;
        this.pos = 0;
        lastTime = ts;
        b(TraceEvents.EvEventBatch);
        varint(gen);
        varint(mid);
        varint(ts);
        lenPos = pos;
        pos += BYTES_PER_NUMBER;
    }

    /** Writes the batch length into the space reserved for it (Go: traceBufFlush's varintAt). */
    void finish() {
        long v = pos - (lenPos + BYTES_PER_NUMBER);
        int p = lenPos;
        for (int i = 0; i < BYTES_PER_NUMBER; i++) {
            arr[p++] = (byte) (i < BYTES_PER_NUMBER - 1 ? (0x80 | (v & 0x7f)) : (v & 0x7f));
            v >>>= 7;
        }
    }

    boolean available(int size) {
        return arr.length - pos >= size;
    }

    void b(int v) {
        arr[pos++] = (byte) v;
    }

    void varint(long v) {
        if ((v & ~0x7fL) == 0) {
            arr[pos++] = (byte) v; // most arguments: one byte
            return;
        }
        int p = pos;
        byte[] a = arr;
        while ((v & ~0x7fL) != 0) {
            a[p++] = (byte) (0x80 | (v & 0x7f));
            v >>>= 7;
        }
        a[p++] = (byte) v;
        pos = p;
    }

    void bytes(byte[] data) {
        System.arraycopy(data, 0, arr, pos, data.length);
        pos += data.length;
    }

    /** The timestamp difference for an event written now (Go: traceWriter.event's). */
    long tsDiff() {
        return tsDiffAt(Tracer.now());
    }

    /**
     * The timestamp difference for an event at trace time ts, which may be in the past; a
     * batch's times never go backwards (the parser reads differences as unsigned), so a ts
     * at or before the previous event's becomes one tick after it.
     */
    long tsDiffAt(long ts) {
        if (ts <= lastTime) {
            ts = lastTime + 1;
        }
        long d = ts - lastTime;
        lastTime = ts;
        return d;
    }
}
