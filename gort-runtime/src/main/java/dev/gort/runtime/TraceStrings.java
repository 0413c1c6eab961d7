package dev.gort.runtime;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One generation's string table: Go's traceStringTable (tracestring.go). Strings an event
 * refers to (block reasons, region names, frames' functions and files) get an id, written
 * out with the generation's other tables when it ends. Id 0 is the empty string. Safe for
 * concurrent writers (a concurrent map); dumped and reset only by the tracer once no
 * writer uses this generation any more.
 */
final class TraceStrings {
    /** Go's tracev2.MaxEventTrailerDataSize: longer strings are cut. */
    static final int MAX_STRING = 1 << 10;

    private final ConcurrentHashMap<String, Long> ids = new ConcurrentHashMap<>();
    /** Strings that are not deduplicated (log messages, Go's uniqueString). */
    private final ConcurrentLinkedQueue<Object[]> unique = new ConcurrentLinkedQueue<>();
    private final AtomicLong nextId = new AtomicLong();

    /** Go's traceStringTable.put. */
    long put(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        Long id = ids.get(s);
        if (id != null) {
            return id;
        }
        return ids.computeIfAbsent(s, k -> nextId.incrementAndGet());
    }

    /** Go's traceStringTable.emit: a fresh id, for a string unlikely to repeat. */
    long emit(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        long id = nextId.incrementAndGet();
        unique.add(new Object[] {id, s});
        return id;
    }

    /** Writes the table as string batches of generation gen (Go: traceStringTable.reset). */
    void dump(Tracer.Batches out, long gen) {
        TraceBuf buf = null;
        for (var e : ids.entrySet()) {
            buf = write(out, buf, gen, e.getValue(), e.getKey());
        }
        for (Object[] u : unique) {
            buf = write(out, buf, gen, (Long) u[0], (String) u[1]);
        }
        if (buf != null) {
            out.flush(buf);
        }
        ids.clear();
        unique.clear();
        nextId.set(0);
    }

    private static TraceBuf write(Tracer.Batches out, TraceBuf buf, long gen, long id, String s) {
        byte[] data = s.getBytes(StandardCharsets.UTF_8);
        if (data.length > MAX_STRING) {
            data = java.util.Arrays.copyOf(data, MAX_STRING);
        }
        int need = 1 + 2 * TraceBuf.BYTES_PER_NUMBER + data.length;
        if (buf == null || !buf.available(need + 1)) {
            if (buf != null) {
                out.flush(buf);
            }
            buf = out.newBuf(gen, -1);
            buf.b(TraceEvents.EvStrings);
        }
        buf.b(TraceEvents.EvString);
        buf.varint(id);
        buf.varint(data.length);
        buf.bytes(data);
        return buf;
    }
}
