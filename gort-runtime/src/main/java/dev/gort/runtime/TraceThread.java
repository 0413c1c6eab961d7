package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's trace writer: Go's mTraceState (traceruntime.go). Every M has one, and so
 * has every other thread that emits events (a plain Java thread readying a goroutine,
 * sysmon stealing a P): the batches of one thread appear in the trace in the order written,
 * which is what the parser relies on instead of timestamps.
 *
 * <h2>The write flag</h2>
 * Go's {@code mp.trace.writing}, here the owning thread ({@link #owner}): set around every
 * event, it is what lets a generation advance without stopping anybody. A writer sets it
 * and then reads the generation; the tracer switches the generation and then waits for
 * each flag to be clear before flushing that thread's buffer of the old generation. So a
 * writer either saw the new generation or is done with the old one when it is flushed.
 * Differences from Go: the flag is taken by CAS and may be taken by another thread on
 * this one's behalf: sysmon writes the syscall-begin event of a goroutine it moved into an
 * implicit syscall (its M is blocked in the JDK) into that M's buffer.
 */
final class TraceThread {
    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(TraceThread.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The thread id the trace shows (the JVM's thread id). */
    final long id;
    /** The thread, to drop the writer of a plain thread that ended. */
    final Thread thread;
    /** The thread as an M, or null for a plain thread (no P, no goroutine). */
    final M m;
    /** The thread holding the write flag, or null. */
    @SuppressWarnings("unused") // through OWNER
    private volatile Thread owner;
    private int reentered;
    /** The generation read when the flag was taken. */
    long gen;
    /** Per generation (gen%2): the buffer being written, or null. Go: mp.trace.buf. */
    final TraceBuf[] buf = new TraceBuf[2];

    TraceThread(Thread thread) {
        this.thread = thread;
        this.m = thread instanceof M mp ? mp : null;
        this.id = thread.threadId();
    }

    /** Takes the flag for the calling thread; false if it already held it (a nested acquire). */
    boolean lock() {
        Thread me = Thread.currentThread();
        if (owner == me) {
            reentered++;
            return false;
        }
        for (int i = 0; !OWNER.compareAndSet(this, null, me); i++) {
            Backoff.pause(i);
        }
        return true;
    }

    /** Takes the flag for the calling thread if nobody holds it (sysmon, for another thread). */
    boolean tryLock() {
        return OWNER.compareAndSet(this, null, Thread.currentThread());
    }

    void unlock() {
        if (reentered > 0) {
            reentered--;
            return;
        }
        OWNER.setRelease(this, null); // the buffer's writes before it; the tracer reads the flag volatile
    }

    boolean writing() {
        return owner != null;
    }
}
