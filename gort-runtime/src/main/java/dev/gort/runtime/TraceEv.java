package dev.gort.runtime;

import static dev.gort.runtime.TraceEvents.*;

/**
 * The events the runtime emits: Go's traceruntime.go (traceLocker's GoCreate, GoStart,
 * GoPark, GoUnpark, GoSysCall, ProcStart, ...), under Go's names. Each takes a writer from
 * {@link Tracer#acquire} (non-null: tracing is on), which the caller releases after the
 * state change the event describes (Go's invariant 6: transitions happen under the write
 * flag of the event, so a generation never shows a status that contradicts its events).
 *
 * <p>{@link #eventWriter} first writes the status of the writer's P and goroutine if no
 * event has yet in this generation (Go's traceLocker.eventWriter), with the status they
 * had before the event; each event then records the status it leaves
 * ({@link TraceSched#last}).
 */
final class TraceEv {
    private TraceEv() {}

    /** A goroutine created without a P (by a plain thread): its creation is traced when it first runs. */
    static final int PENDING = 0xfe;
    /** A goroutine that ended (or a plain thread's G, never traced). */
    static final int DEAD = 0xfd;

    private static final int SMALL = 1 + 6 * TraceBuf.BYTES_PER_NUMBER;

    /** gp's trace state, made on first use. */
    static TraceSched traceOf(G gp) {
        TraceSched t = gp.trace();
        if (t == null) {
            t = new TraceSched();
            if (!gp.casTrace(t)) {
                t = gp.trace();
            }
        }
        return t;
    }

    /** Go's traceLocker.eventWriter: statuses first, then a buffer with room for an event. */
    static TraceBuf eventWriter(TraceThread w, int goStatus, int procStatus) {
        M mp = w.m;
        if (mp != null) {
            P pp = mp.p;
            if (pp != null && pp.trace.acquireStatus(w.gen, TraceSched.enc(procStatus, procStatus == ProcIdle ? -1 : w.id))) {
                TraceBuf b = Tracer.buf(w, SMALL);
                ev(b, EvProcStatus);
                b.varint(pp.id);
                b.varint(procStatus);
            }
            G gp = mp.curg;
            if (gp != null && traceOf(gp).acquireStatus(w.gen, TraceSched.enc(goStatus, w.id))) {
                TraceBuf b = Tracer.buf(w, SMALL);
                ev(b, EvGoStatus);
                b.varint(gp.goid);
                b.varint(w.id);
                b.varint(goStatus);
            }
            // Go writes GOMAXPROCS at the start of every generation (traceAdvance); the
            // parser wants it from a running goroutine, so the first event of one in a
            // generation writes it here (go tool trace's MMU view needs it).
            if (gp != null && pp != null && goStatus == GoRunning && procsGen != w.gen) {
                long seen = procsGen;
                if (seen != w.gen && PROCS_GEN.compareAndSet(seen, w.gen)) {
                    TraceBuf b = Tracer.buf(w, SMALL);
                    ev(b, EvProcsChange);
                    b.varint(Sched.gomaxprocs);
                    b.varint(0);
                }
            }
        }
        return Tracer.buf(w, SMALL);
    }

    /** The last generation whose GOMAXPROCS was written. */
    private static volatile long procsGen;
    private static final java.lang.invoke.VarHandle PROCS_GEN;

    static {
        try {
            PROCS_GEN = java.lang.invoke.MethodHandles.lookup().findStaticVarHandle(TraceEv.class, "procsGen", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static void ev(TraceBuf b, int type) {
        b.b(type);
        b.varint(b.tsDiff());
    }

    static long stack(TraceThread w, TraceStack.Stack st) {
        return Tracer.stacks[(int) (w.gen & 1)].put(st, w.gen);
    }

    static long string(TraceThread w, String s) {
        return Tracer.strings[(int) (w.gen & 1)].put(s);
    }

    // ---- Ps ----

    /** Go's ProcStart: the writer's M has just acquired its P. */
    static void procStart(TraceThread w) {
        P pp = w.m.p;
        TraceBuf b = eventWriter(w, GoSyscall, ProcIdle);
        ev(b, EvProcStart);
        b.varint(pp.id);
        b.varint(pp.trace.nextSeq(w.gen));
        pp.trace.last = TraceSched.enc(ProcRunning, w.id);
    }

    /** Go's ProcStop: the writer's M is about to release pp. */
    static void procStop(TraceThread w, P pp) {
        TraceBuf b = eventWriter(w, GoSyscall, ProcRunning);
        ev(b, EvProcStop);
        pp.trace.last = TraceSched.enc(ProcIdle, -1);
    }

    /** Go's ProcSteal: pp, in a syscall on another thread (or this one), is taken from it. */
    static void procSteal(TraceThread w, P pp, boolean inSyscall) {
        long from = pp.trace.mSyscallID;
        pp.trace.mSyscallID = -1;
        // The slot keeps the truth (in a syscall on thread from), which describes pp for the
        // generation before if nobody touched it there; the event says Go's "abandoned".
        long truth = from >= 0 ? TraceSched.enc(ProcSyscall, from) : TraceSched.enc(ProcSyscallAbandoned, -1);
        if (pp.trace.acquireStatus(w.gen, truth)) {
            TraceBuf b = Tracer.buf(w, SMALL);
            ev(b, EvProcStatus);
            b.varint(pp.id);
            b.varint(ProcSyscallAbandoned);
        }
        TraceBuf b = inSyscall ? eventWriter(w, GoSyscall, ProcSyscallAbandoned) : eventWriter(w, GoRunning, ProcRunning);
        ev(b, EvProcSteal);
        b.varint(pp.id);
        b.varint(pp.trace.nextSeq(w.gen));
        b.varint(from);
        pp.trace.last = TraceSched.enc(ProcIdle, -1);
    }

    /** Go's Gomaxprocs: a ProcsChange event. */
    static void gomaxprocs(TraceThread w, int procs, TraceStack.Stack pcs) {
        TraceBuf b = eventWriter(w, GoRunning, ProcRunning);
        ev(b, EvProcsChange);
        b.varint(procs);
        b.varint(stack(w, pcs));
    }

    // ---- goroutines ----

    /** Go's GoCreate: newg (runnable) was created by the writer, which holds a P. */
    static void goCreate(TraceThread w, G newg, TraceStack.Stack pcs, long startStack) {
        TraceSched t = newg.trace();
        if (t == null) {
            newg.setTrace(t = new TraceSched()); // not yet published: nobody else can touch it
        }
        t.resetSeq();
        t.setStatusTraced(w.gen, TraceSched.enc(GoRunnable, -1));
        TraceBuf b = eventWriter(w, GoRunning, ProcRunning);
        ev(b, EvGoCreate);
        b.varint(newg.goid);
        b.varint(startStack);
        b.varint(stack(w, pcs));
        t.last = TraceSched.enc(GoRunnable, -1);
    }

    /** A goroutine created without a P: it is described when it first runs ({@link #goStart}). */
    static void goCreatePending(G newg) {
        TraceSched t = traceOf(newg);
        t.resetSeq();
        t.last = TraceSched.enc(PENDING, -1);
    }

    /**
     * A goroutine created without a P is about to run on the writer's M (which has no
     * goroutine yet): its creation is traced now, by an M that holds a P, as the parser
     * requires (Differences from Go: Go creates goroutines only on a P).
     */
    static void goCreateIfPending(TraceThread w, G gp) {
        TraceSched t = gp.trace();
        if (t != null && TraceSched.status(t.last) == PENDING && w.m != null && w.m.p != null) {
            goCreate(w, gp, null, stack(w, TraceStack.startStack(gp.fn, null)));
        }
    }

    /** Go's GoStart: the writer's M runs its curg (set), which was runnable. */
    static void goStart(TraceThread w, G gp) {
        TraceSched t = traceOf(gp);
        TraceBuf b = eventWriter(w, GoRunnable, ProcRunning);
        ev(b, EvGoStart);
        b.varint(gp.goid);
        b.varint(t.nextSeq(w.gen));
        t.last = TraceSched.enc(GoRunning, w.id);
    }

    /** Go's GoEnd: the writer's curg ends. */
    static void goEnd(TraceThread w, G gp) {
        TraceBuf b = eventWriter(w, GoRunning, ProcRunning);
        ev(b, EvGoDestroy);
        traceOf(gp).last = TraceSched.enc(DEAD, -1);
    }

    /** Go's GoStop: the writer's curg yields (reason "runtime.Gosched" or "preempted"), runnable. */
    static void goStop(TraceThread w, G gp, String reason, TraceStack.Stack pcs) {
        TraceBuf b = eventWriter(w, GoRunning, ProcRunning);
        ev(b, EvGoStop);
        b.varint(string(w, reason));
        b.varint(stack(w, pcs));
        traceOf(gp).last = TraceSched.enc(GoRunnable, -1);
    }

    /** Go's GoPark: the writer's curg blocks. */
    static void goPark(TraceThread w, G gp, String reason, TraceStack.Stack pcs) {
        TraceBuf b = eventWriter(w, GoRunning, ProcRunning);
        ev(b, EvGoBlock);
        b.varint(string(w, reason));
        b.varint(stack(w, pcs));
        traceOf(gp).last = TraceSched.enc(GoWaiting, -1);
    }

    /** Go's GoUnpark: gp, waiting, is made runnable by the writer (any thread). */
    static void goUnpark(TraceThread w, G gp, TraceStack.Stack pcs) {
        TraceSched t = traceOf(gp);
        if (t.acquireStatus(w.gen, TraceSched.enc(GoWaiting, -1))) { // Go: emitUnblockStatus
            TraceBuf b = Tracer.buf(w, SMALL);
            ev(b, EvGoStatus);
            b.varint(gp.goid);
            b.varint(-1L);
            b.varint(GoWaiting);
        }
        TraceBuf b = eventWriter(w, GoRunning, ProcRunning);
        ev(b, EvGoUnblock);
        b.varint(gp.goid);
        b.varint(t.nextSeq(w.gen));
        b.varint(stack(w, pcs));
        t.last = TraceSched.enc(GoRunnable, -1);
    }

    /** Go's GoSysCall: the writer's curg enters a syscall, keeping the P. */
    static void goSysCall(TraceThread w, G gp, TraceStack.Stack pcs) {
        P pp = w.m.p;
        TraceBuf b = eventWriter(w, GoRunning, ProcRunning);
        ev(b, EvGoSyscallBegin);
        b.varint(pp.trace.nextSeq(w.gen));
        b.varint(stack(w, pcs));
        pp.trace.mSyscallID = w.id;
        pp.trace.last = TraceSched.enc(ProcSyscall, w.id);
        traceOf(gp).last = TraceSched.enc(GoSyscall, w.id);
    }

    /** Go's GoSysExit: the writer's curg leaves its syscall; lostP: its P was taken meanwhile. */
    static void goSysExit(TraceThread w, G gp, boolean lostP) {
        TraceBuf b;
        if (lostP) {
            b = eventWriter(w, GoSyscall, ProcRunning);
            ev(b, EvGoSyscallEndBlocked);
            traceOf(gp).last = TraceSched.enc(GoRunnable, -1);
        } else {
            P pp = w.m.p;
            pp.trace.mSyscallID = -1;
            b = eventWriter(w, GoSyscall, ProcSyscall);
            ev(b, EvGoSyscallEnd);
            pp.trace.last = TraceSched.enc(ProcRunning, w.id);
            traceOf(gp).last = TraceSched.enc(GoRunning, w.id);
        }
    }

    // ---- user annotations ----

    /** Go's trace_userTaskCreate, trace_userTaskEnd, trace_userRegion and trace_userLog. */
    static void userAnnotation(TraceThread w, int ev, long id, long parent, String s1, String s2, TraceStack.Stack pcs) {
        TraceBuf b = eventWriter(w, GoRunning, ProcRunning);
        int size = 1 + 6 * TraceBuf.BYTES_PER_NUMBER;
        if (!b.available(size)) {
            b = Tracer.buf(w, size);
        }
        ev(b, ev);
        b.varint(id);
        switch (ev) {
            case EvUserTaskBegin -> {
                b.varint(parent);
                b.varint(string(w, s1));
            }
            case EvUserRegionBegin, EvUserRegionEnd -> b.varint(string(w, s1));
            case EvUserLog -> {
                b.varint(string(w, s1));
                b.varint(Tracer.strings[(int) (w.gen & 1)].emit(s2));
            }
            default -> { }
        }
        b.varint(stack(w, pcs));
    }

    /** Go's STWStart: the writer's goroutine stops the world (kind: Go's stwReason text). */
    static void stwStart(TraceThread w, String kind) {
        TraceBuf b = eventWriter(w, GoRunning, ProcRunning);
        ev(b, EvSTWBegin);
        b.varint(string(w, kind));
        b.varint(0);
    }

    /** Go's STWDone. */
    static void stwDone(TraceThread w) {
        TraceBuf b = eventWriter(w, GoRunning, ProcRunning);
        ev(b, EvSTWEnd);
    }
}
