package dev.gort.runtime;

/**
 * Where the tracer's generations go: the stream of a started trace, or a flight
 * recorder's window. Called by the trace reader thread only (and {@link #close} once, by
 * the thread that removed the sink). A sink gets whole generations, from
 * {@link #firstGen} on, each as batches then {@link #endGeneration}; the header comes
 * first (the sink writes it before its first batch).
 */
abstract class TraceSink {
    /** The first generation this sink gets; set by the tracer when the sink is added. */
    volatile long firstGen;
    /** While stopping: the last generation it gets (then -1, complete); 0 while running. */
    volatile long lastGen;

    boolean wants(long gen) {
        long last = lastGen;
        return gen >= firstGen && (last == 0 || (last > 0 && gen <= last));
    }

    /** One batch (or the end-of-generation byte) of generation gen's data. */
    abstract void write(byte[] b, int off, int len);

    /** The generation's data is complete; the default writes Go's end-of-generation byte. */
    void endGeneration(long gen) {
        write(new byte[] {(byte) TraceEvents.EvEndOfGeneration}, 0, 1);
    }

    /** No more generations; called once. */
    abstract void close();

    /** The bytes every trace begins with (Go 1.26's header). */
    static byte[] header() {
        return TraceEvents.HEADER.clone();
    }
}
