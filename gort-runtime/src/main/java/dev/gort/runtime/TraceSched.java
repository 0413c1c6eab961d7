package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The tracer's state of one goroutine or P: Go's traceSchedResourceState (tracestatus.go),
 * plus what gort needs to describe a resource nobody touched in a generation.
 *
 * <h2>Status per generation</h2>
 * Each generation must say, for every goroutine and P, its status at the generation's
 * start, before any event about it. The first writer to touch the resource in a
 * generation emits that status ({@link #acquireStatus}, Go's: a CAS on the generation's
 * slot, three slots for gen%3). Differences from Go: the slot holds the status written
 * (encoded with {@link #enc}) rather than a flag, and {@link #last} holds the status the
 * resource's last event left it in. So when a generation ends, the tracer describes a
 * resource that nobody touched in it without stopping it (Go stops the goroutine with
 * suspendG, which gort cannot do to a goroutine running user code): its status did not
 * change during the generation, so it is the status written at the start of the next one,
 * if somebody touched it there already, else {@link #last} (see {@link Tracer#advance}).
 *
 * <p>Sequence numbers ({@link #nextSeq}) order the events of one resource across threads;
 * they restart in every generation. Written under the write flag of the thread emitting
 * the event, which owns the resource's transition (Go's invariant 4).
 */
final class TraceSched {
    private static final VarHandle S0;
    private static final VarHandle S1;
    private static final VarHandle S2;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            S0 = l.findVarHandle(TraceSched.class, "status0", long.class);
            S1 = l.findVarHandle(TraceSched.class, "status1", long.class);
            S2 = l.findVarHandle(TraceSched.class, "status2", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Encoded status at the start of generation g, in slot g%3; 0 while not yet written.
    // Three fields rather than an array: one object per goroutine (a million goroutines
    // traced at once pay for it).
    @SuppressWarnings("unused") private volatile long status0;
    @SuppressWarnings("unused") private volatile long status1;
    @SuppressWarnings("unused") private volatile long status2;
    private long seq0;
    private long seq1;

    // Each access names its VarHandle as a constant (a VarHandle chosen at run time is not
    // inlined by the JIT, and these are read on every traced transition).
    private long get(long gen) {
        return switch ((int) (gen % 3)) {
            case 0 -> (long) S0.getVolatile(this);
            case 1 -> (long) S1.getVolatile(this);
            default -> (long) S2.getVolatile(this);
        };
    }

    private boolean cas(long gen, long expect, long v) {
        return switch ((int) (gen % 3)) {
            case 0 -> S0.compareAndSet(this, expect, v);
            case 1 -> S1.compareAndSet(this, expect, v);
            default -> S2.compareAndSet(this, expect, v);
        };
    }

    private void set(long gen, long v) {
        switch ((int) (gen % 3)) {
            case 0 -> S0.setVolatile(this, v);
            case 1 -> S1.setVolatile(this, v);
            default -> S2.setVolatile(this, v);
        }
    }
    /** A goroutine's: the stacks it walked for its events (TraceStack.cached); its own, plain. */
    TraceStack.Cache stacks;
    /** A P's: the thread whose syscall it is in (Go: pTraceState.mSyscallID), -1 if none. */
    long mSyscallID = -1;
    /** Encoded status after the last event about the resource ({@link #enc}); 0 unknown. */
    volatile long last;

    /** A trace status with the thread it is bound to (-1 for none), never 0. */
    static long enc(int status, long mid) {
        return ((mid + 1) << 8) | status;
    }

    static int status(long enc) {
        return (int) (enc & 0xff);
    }

    static long mid(long enc) {
        return (enc >>> 8) - 1;
    }

    /** Go's acquireStatus: whether the caller is the one to write the status for gen. */
    boolean acquireStatus(long gen, long enc) {
        if (get(gen) != 0 || !cas(gen, 0L, enc)) {
            return false;
        }
        readyNextGen(gen);
        return true;
    }

    /** Go's readyNextGen: clear the next generation's slot and sequence. */
    void readyNextGen(long gen) {
        long next = gen + 1;
        if ((next & 1) == 0) {
            seq0 = 0;
        } else {
            seq1 = 0;
        }
        set(next, 0L);
    }

    boolean statusWasTraced(long gen) {
        return get(gen) != 0;
    }

    /** The status written for gen, or 0. */
    long statusFor(long gen) {
        return get(gen);
    }

    /**
     * Go's setStatusTraced: a new goroutine's creation event says all there is. A status
     * already written for gen stays (the G's previous life in gen wrote it first: it is the
     * status at gen's start).
     */
    void setStatusTraced(long gen, long enc) {
        cas(gen, 0L, enc);
    }

    long nextSeq(long gen) {
        return (gen & 1) == 0 ? ++seq0 : ++seq1;
    }

    /** A dead G gets a new identity (Go: gTraceState.reset; the status slots are managed apart). */
    void resetSeq() {
        seq0 = 0;
        seq1 = 0;
    }

    /** Forgets everything: a trace starts. */
    void reset() {
        resetSeq();
        S0.setVolatile(this, 0L);
        S1.setVolatile(this, 0L);
        S2.setVolatile(this, 0L);
    }
}
