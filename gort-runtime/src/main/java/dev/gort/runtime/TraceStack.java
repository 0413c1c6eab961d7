package dev.gort.runtime;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Stacks in an execution trace: Go's traceStack and traceStackTable (tracestack.go).
 *
 * <p>A stack is captured as an array of frame ids ({@link #capture}), independent of the
 * generation; an event interns it into its generation's table ({@link Table#put}), which
 * gives the id the event carries. A frame id plays the part of Go's PC: one per distinct
 * (class, method, file, line), kept for the life of the JVM, so the frames' descriptions
 * ({@code pkg.Class.method}, file, line) are written once per generation, with the table.
 *
 * <p>Capture walks the Java stack with {@link StackWalker}, skipping the runtime's own
 * frames ({@code dev.gort.runtime}) as Go's stacks start at the caller of the runtime's
 * entry points, down to {@link #depth} frames (system property {@code gort.trace.stackdepth},
 * default 32; 0: no stacks). Differences from Go: Go unwinds frame pointers, a few
 * nanoseconds a frame; a Java stack walk costs far more (see bench/RESULTS.md), hence the
 * bounded depth.
 */
final class TraceStack {
    private TraceStack() {}

    static final int depth = Env.intProperty("gort.trace.stackdepth", 32, 0, 128);

    private static final StackWalker WALKER = StackWalker.getInstance();
    /**
     * A captured stack: frame ids, innermost first, with the id it has in the stack table
     * of the last generation that used it (so an event reusing a cached stack does not
     * hash it again).
     */
    static final class Stack {
        final long[] pcs;
        final int hash;
        /** (generation << 32) | id in that generation's table; written racily (a miss only costs a lookup). */
        volatile long idInGen;

        Stack(long[] pcs) {
            this.pcs = pcs;
            this.hash = Arrays.hashCode(pcs);
        }
    }

    private static final Stack NONE = new Stack(new long[0]);

    /** A frame as the trace describes it. */
    record Frame(long pc, String func, String file, long line) {}

    private record FrameKey(String cls, String method, String file, int line) {}

    private static final ConcurrentHashMap<FrameKey, Frame> frames = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Long, Frame> byPc = new ConcurrentHashMap<>();
    private static final AtomicLong nextPc = new AtomicLong(0x1000);

    /** The calling thread's stack as frame ids, innermost first (empty when stacks are off). */
    static Stack capture() {
        if (never) {
            // Padding that keeps this method from being inlined (see Current): StackWalker
            // checks that the thread walking is the one that began, reading the current
            // thread; inlined into a runtime method that parked the goroutine earlier, that
            // read could be merged with one from before the goroutine moved to another M.
            switch (sink) {
                case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
                case 10: case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 19:
                case 20: case 21: case 22: case 23: case 24: case 25: case 26: case 27: case 28: case 29:
                case 30: case 31: case 32: case 33: case 34: case 35: case 36: case 37: case 38: case 39:
                case 40: case 41: case 42: case 43: case 44: case 45: case 46: case 47: case 48: case 49:
                case 50: case 51: case 52: case 53: case 54: case 55: case 56: case 57: case 58: case 59:
                case 60: case 61: case 62: case 63: case 64: case 65: case 66: case 67: case 68: case 69:
                case 70: case 71: case 72: case 73: case 74: case 75: case 76: case 77: case 78: case 79:
                case 80: case 81: case 82: case 83: case 84: case 85: case 86: case 87: case 88: case 89:
                case 90: case 91: case 92: case 93: case 94: case 95: case 96: case 97: case 98: case 99:
                    sink++;
                    break;
                default:
                    break;
            }
        }
        if (depth == 0) {
            return NONE;
        }
        return new Stack(WALKER.walk(TraceStack::collect));
    }

    /** Always false; guards the padding. Volatile so the compiler cannot drop the block. */
    private static volatile boolean never;
    private static int sink;

    private static long[] collect(Stream<StackWalker.StackFrame> s) {
        long[] pcs = new long[depth];
        int[] n = {0};
        s.filter(f -> !f.getClassName().startsWith("dev.gort.runtime.") && !f.getClassName().startsWith("jdk.internal.vm."))
                .limit(depth)
                .forEach(f -> pcs[n[0]++] = pc(f));
        return n[0] == depth ? pcs : Arrays.copyOf(pcs, n[0]);
    }

    private static long pc(StackWalker.StackFrame f) {
        return pc(new FrameKey(f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber()));
    }

    private static long pc(FrameKey k) {
        Frame fr = frames.get(k);
        if (fr == null) {
            fr = frames.computeIfAbsent(k, key -> {
                Frame nf = new Frame(nextPc.getAndIncrement(), key.cls() + "." + key.method(),
                        key.file() == null ? "?" : key.file(), Math.max(key.line(), 0));
                byPc.put(nf.pc(), nf);
                return nf;
            });
        }
        return fr.pc();
    }

    /**
     * Stacks a goroutine walked recently, by what it blocked on: a goroutine blocking
     * again for the same reason on the same object (a channel, a lock) is almost always at
     * the same place (a loop), so its stack is reused, and walked again every
     * {@link #REFRESH} uses, or every {@link #REFRESH_UNKEYED} when there is no object to
     * tell sites apart (select, sleep, Gosched). Four per goroutine, replaced round-robin.
     * Written only by the goroutine itself.
     */
    static final class Cache {
        final Object[] reason = new Object[4];
        final Object[] on = new Object[4];
        final Stack[] pcs = new Stack[4];
        final int[] uses = new int[4];
        int next;
    }

    static final int REFRESH = 64;
    /**
     * How often a stack shared by a function's goroutines is walked again: one goroutine in
     * this many, chosen by id (no counter shared between Ms).
     */
    static final int REFRESH_SHARED = 1024;
    static final int REFRESH_UNKEYED = 16;

    /** gp's stack for an event about it, walked or taken from its cache (see {@link Cache}). */
    static Stack cached(G gp, Object reason, Object on) {
        if (depth == 0) {
            return NONE;
        }
        TraceSched ts = TraceEv.traceOf(gp);
        Cache c = ts.stacks;
        int limit = on == null ? REFRESH_UNKEYED : REFRESH;
        for (int i = 0; c != null && i < 4; i++) {
            if (c.reason[i] == reason && c.on[i] == on && c.pcs[i] != null) {
                if (++c.uses[i] < limit) {
                    return c.pcs[i];
                }
                c.uses[i] = 0;
                return c.pcs[i] = capture();
            }
        }
        // A goroutine's first block of its kind: goroutines of one function blocking for one
        // reason are almost always at one place (a million goroutines of skynet's closure
        // each block once, on a channel of their own); walked again every REFRESH uses.
        Runnable fn = gp.fn;
        FirstKey fk = fn == null || isGortClass(fn.getClass()) ? null : new FirstKey(fn.getClass(), reason);
        if (fk != null) {
            Stack first = firstBlocks.get(fk);
            if (first != null && (gp.goid & (REFRESH_SHARED - 1)) != 0) {
                return first;
            }
        }
        if (c == null) {
            ts.stacks = c = new Cache();
        }
        int i = c.next;
        c.next = (i + 1) & 3;
        c.reason[i] = reason;
        c.on[i] = on;
        c.uses[i] = 0;
        Stack st = capture();
        if (fk != null) {
            firstBlocks.put(fk, st);
        }
        return c.pcs[i] = st;
    }

    private record FirstKey(Class<?> fn, Object reason) {}

    private static final ConcurrentHashMap<FirstKey, Stack> firstBlocks = new ConcurrentHashMap<>();

    /** A creation site: its stack, and the start stack naming the new goroutine's function. */
    record Create(Stack stack, Stack start) {}

    private static final ConcurrentHashMap<Class<?>, Create> createStacks = new ConcurrentHashMap<>();

    /**
     * The creation stack of a goroutine running fn: one lambda (or Runnable class) is almost
     * always created at one place, so the stack is kept per class, and walked again for one
     * goroutine in {@link #REFRESH_SHARED} (Go unwinds frame pointers at every creation).
     */
    static Create forCreate(Runnable fn, long goid) {
        if (depth == 0) {
            return NO_CREATE;
        }
        Class<?> k = fn.getClass();
        if (isGortClass(k)) {
            // gort's own wrapper (WaitGroup.go's, a run's main): one class for every
            // function it wraps, so nothing is shared by class; walked each time.
            Stack st = capture();
            return new Create(st, startStack(fn, st.pcs));
        }
        Create c = createStacks.get(k);
        if (c == null || (goid & (REFRESH_SHARED - 1)) == 0) {
            Stack st = capture();
            c = new Create(st, startStack(fn, st.pcs));
            createStacks.put(k, c);
        }
        return c;
    }

    private static final Create NO_CREATE = new Create(NONE, NONE);

    /**
     * The one-frame stack naming a new goroutine's function (Go's startPC stack): the
     * Runnable's class and {@code run}; for a lambda, which has no name of its own, the
     * creating method with {@code .func}, as Go names a closure ({@code main.main.func1}).
     */
    static Stack startStack(Runnable fn, long[] creator) {
        if (depth == 0 || fn == null) {
            return NONE;
        }
        String cls = fn.getClass().getName();
        int slash = cls.indexOf('/');
        if (slash >= 0) {
            cls = cls.substring(0, slash);
        }
        FrameKey k;
        int lambda = cls.indexOf("$$Lambda");
        Frame caller = creator == null ? null : firstUserFrame(creator);
        if (lambda >= 0 && caller != null) {
            k = new FrameKey(caller.func(), "func", caller.file(), (int) caller.line());
        } else {
            k = new FrameKey(lambda >= 0 ? cls.substring(0, lambda) : cls, lambda >= 0 ? "func" : "run", null, 0);
        }
        return new Stack(new long[] {pc(k)});
    }

    /**
     * A one-frame stack naming a function with no Java frame of its own, cls.method (the
     * JVM's collector's goroutine, {@link TraceGC}); empty when stacks are off.
     */
    static Stack named(String cls, String method) {
        return depth == 0 ? NONE : new Stack(new long[] {pc(new FrameKey(cls, method, null, 0))});
    }

    /** The innermost frame outside gort's own classes (dev.gort.Gort, sync, time, ...). */
    private static Frame firstUserFrame(long[] pcs) {
        for (long pc : pcs) {
            Frame f = byPc.get(pc);
            String fn = f.func();
            int last = fn.lastIndexOf('.');
            if (!isGortClass(last > 0 ? fn.substring(0, last) : fn)) {
                return f;
            }
        }
        return null;
    }

    /** Whether a class is gort's own (its API, runtime, sync, time, trace, pprof), not the program's. */
    static boolean isGortClass(Class<?> c) {
        return isGortClass(c.getName());
    }

    private static boolean isGortClass(String cls) {
        return cls.startsWith("dev.gort.") && (cls.indexOf('.', 9) < 0 || cls.startsWith("dev.gort.sync.")
                || cls.startsWith("dev.gort.time.") || cls.startsWith("dev.gort.trace.")
                || cls.startsWith("dev.gort.pprof.") || cls.startsWith("dev.gort.runtime."));
    }

    /** One generation's stack table (Go: trace.stackTab[gen%2]). */
    static final class Table {
        private record Key(long[] pcs, int hash) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && k.hash == hash && Arrays.equals(k.pcs, pcs);
            }

            @Override
            public int hashCode() {
                return hash;
            }
        }

        private final ConcurrentHashMap<Key, Long> ids = new ConcurrentHashMap<>();
        private final AtomicLong nextId = new AtomicLong();

        /** The stack's id in this generation (gen); 0 for no stack. */
        long put(Stack st, long gen) {
            if (st == null || st.pcs.length == 0) {
                return 0;
            }
            long v = st.idInGen;
            if (v >>> 32 == gen) {
                return v & 0xffffffffL;
            }
            Key k = new Key(st.pcs, st.hash);
            Long id = ids.get(k);
            if (id == null) {
                id = ids.computeIfAbsent(k, key -> nextId.incrementAndGet());
            }
            st.idInGen = (gen << 32) | id;
            return id;
        }

        /** Writes the table as stack batches of gen, its strings into strings (Go: traceStackTable.dump). */
        void dump(Tracer.Batches out, long gen, TraceStrings strings) {
            TraceBuf buf = null;
            for (var e : ids.entrySet()) {
                long[] pcs = e.getKey().pcs();
                int need = 1 + (2 + 4 * pcs.length) * TraceBuf.BYTES_PER_NUMBER;
                if (buf == null || !buf.available(need)) {
                    if (buf != null) {
                        out.flush(buf);
                    }
                    buf = out.newBuf(gen, -1);
                    buf.b(TraceEvents.EvStacks);
                }
                buf.b(TraceEvents.EvStack);
                buf.varint(e.getValue());
                buf.varint(pcs.length);
                for (long pc : pcs) {
                    Frame f = byPc.get(pc);
                    buf.varint(pc);
                    buf.varint(strings.put(f.func()));
                    buf.varint(strings.put(f.file()));
                    buf.varint(f.line());
                }
            }
            if (buf != null) {
                out.flush(buf);
            }
            ids.clear();
            nextId.set(0);
        }
    }
}
