package dev.gort.runtime;

import dev.gort.runtime.ProfRt.Frame;
import dev.gort.runtime.ProfRt.Stack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Stacks in goroutine profiles and tracebacks: Go's {@code saveg} (mprof.go) and the PCs it
 * records, as interned Java frames.
 *
 * <p>A {@link Frame} ({@link ProfRt.Frame}) plays the part of Go's PC: one per distinct (function, file, line),
 * made once and kept for the life of the JVM, with an {@link Frame#id} that the profile
 * writes as the location's address. A {@link Stack} ({@link ProfRt.Stack}) is interned too, so the 100k goroutines
 * parked at one place share one stack object, and grouping them for the count profile
 * (debug=0, 1) is a hash lookup of an object whose hash is computed once.
 *
 * <p>Which frames: the goroutine's own, innermost first, from the innermost frame outside
 * gort's runtime package and the continuation machinery ({@code dev.gort.runtime},
 * {@code jdk.internal.vm}), down to (not including) the goroutine's entry ({@link G#run});
 * gort's API frames ({@code dev.gort.Chan.recv}, {@code dev.gort.sync.Mutex.lock}) stay,
 * as Go's profiles keep {@code runtime.chanrecv1} and {@code sync.(*Mutex).Lock}; tracebacks
 * hide them ({@link Frame#api}), as Go's hide runtime frames. At most {@link #MAX_FRAMES}.
 *
 * <h2>Measured (bench/ParkedStackCost: 20k bare continuations parked 10 frames deep, JDK 25,
 * a shared 2-core machine)</h2>
 * {@code Continuation.getStackTrace()} 3.2-10 us and 2.3 KB a walk; the continuation's
 * {@code stackWalker} reading class, method name and bci 3.0-7 us and 2.0 KB, bci only
 * 1.7-4.5 us and 1.5 KB, the first frame only (the walk's fixed cost) 1.0-2.8 us and 0.75 KB;
 * {@code Thread.getStackTrace} of a running thread (a handshake) 83-126 us. Warm, the walker
 * with names is no faster than getStackTrace; it is used because interning by (class,
 * method, bci) makes equal stacks one object without building a StackTraceElement per frame,
 * and leaves file and line to be looked up once per distinct frame. Most of the time and
 * allocation is the JDK's own walk; what really saves is not walking (the per-goroutine
 * cache in {@link GoroutineProfile}). Running goroutines (at most one per M) are read from
 * their M's thread.
 *
 * <p>Rejected: keying frames by the StackTraceElement (builds names and looks the line up
 * for every frame of every goroutine, the slower half of getStackTrace); walking lazily
 * only the top frames (a profile must be exact).
 */
final class ProfStack {
    private ProfStack() {}

    /** Go's default profile stack depth is 128 (debug.profstackdepth); Java frames are many more per Go call, 64 is plenty for a goroutine's own code. */
    static final int MAX_FRAMES = 64;

    static final Stack EMPTY = new Stack(new Frame[0]);


    /** Frame kinds, by class. */
    private static final int SHOWN = 0;
    private static final int API = 1;
    private static final int HIDDEN = 2;
    private static final int ENTRY = 3;

    private static final ClassValue<Integer> KIND = new ClassValue<>() {
        @Override
        protected Integer computeValue(Class<?> c) {
            return kindOf(c.getName());
        }
    };

    static int kindOf(String cls) {
        if (cls.equals(G.class.getName())) {
            return ENTRY;
        }
        if (cls.startsWith("dev.gort.runtime.") || cls.startsWith("jdk.internal.vm.")) {
            return HIDDEN;
        }
        int dot = cls.lastIndexOf('.');
        String pkg = dot > 0 ? cls.substring(0, dot) : "";
        return Traceback.isRuntimePackage(pkg) ? API : SHOWN;
    }

    private record WalkKey(Class<?> cls, String method, int bci) {}

    private record TraceKey(String cls, String method, String file, int line) {}

    private static final ConcurrentHashMap<Object, Frame> frames = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Stack, Stack> stacks = new ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicLong nextId = new java.util.concurrent.atomic.AtomicLong(0x1000);

    private static Frame frame(Object key, String cls, String method, String file, int line, int kind) {
        Frame f = frames.get(key);
        if (f == null) {
            f = frames.computeIfAbsent(key, k -> new Frame(nextId.getAndIncrement(), cls + "." + method,
                    file == null ? "?" : file, Math.max(line, 0), kind == API));
        }
        return f;
    }

    static Stack intern(List<Frame> fs) {
        if (fs.isEmpty()) {
            return EMPTY;
        }
        Stack s = new Stack(fs.toArray(new Frame[0]));
        Stack old = stacks.putIfAbsent(s, s);
        return old != null ? old : s;
    }

    /** A parked, unmounted stack's frames (the caller holds gp's _Gscan bit). */
    static Stack walk(GoStack s) {
        return s.walk(ProfStack::collect);
    }

    /** The calling thread's own stack (a goroutine recording itself). */
    static Stack here() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(ProfStack::collect);
    }

    /**
     * s with gort's API frames on top cut to the outermost one, the one the program called
     * ({@code dev.gort.sync.Mutex.lock} without its {@code lockSlow}): the block and mutex
     * profiles' stacks, as Go's skip counts leave {@code sync.(*Mutex).Lock} on top. A
     * stack of API frames only is left whole.
     */
    static Stack outermostApi(Stack s) {
        Frame[] fs = s.frames;
        int i = 0;
        while (i < fs.length && fs[i].api()) {
            i++;
        }
        if (i <= 1 || i == fs.length) {
            return s;
        }
        return intern(List.of(fs).subList(i - 1, fs.length));
    }

    /**
     * The calling thread's stack with the runtime's frames kept (the threadcreate profile: a
     * thread is created by the runtime, as Go's stacks there are runtime.newm's callers).
     */
    static Stack hereAll() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(s -> {
            List<Frame> out = new ArrayList<>(16);
            var it = s.iterator();
            while (it.hasNext() && out.size() < MAX_FRAMES) {
                StackWalker.StackFrame f = it.next();
                int kind = KIND.get(f.getDeclaringClass());
                if (kind == ENTRY) {
                    break;
                }
                if (kind == HIDDEN && out.isEmpty() && f.getDeclaringClass() == ProfStack.class) {
                    continue; // this walk itself
                }
                out.add(frame(new WalkKey(f.getDeclaringClass(), f.getMethodName(), f.getByteCodeIndex()),
                        f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber(), kind == API ? API : SHOWN));
            }
            return intern(out);
        });
    }

    private static Stack collect(Stream<StackWalker.StackFrame> s) {
        List<Frame> out = new ArrayList<>(16);
        var it = s.iterator();
        while (it.hasNext() && out.size() < MAX_FRAMES) {
            StackWalker.StackFrame f = it.next();
            int kind = KIND.get(f.getDeclaringClass());
            if (kind == ENTRY) {
                break;
            }
            if (kind == HIDDEN) {
                continue; // the runtime's frames (park, yield), as Go's profiles start at the caller of gopark's callers
            }
            WalkKey k = new WalkKey(f.getDeclaringClass(), f.getMethodName(), f.getByteCodeIndex());
            Frame fr = frames.get(k);
            if (fr == null) {
                fr = frame(k, f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber(), kind);
            }
            out.add(fr);
        }
        return intern(out);
    }

    /**
     * A goroutine's frames from its M's thread stack: above its entry ({@link G#run}). With
     * {@code fromRuntime} (a goroutine parked on its M, pinned), the M's own sleep above the
     * runtime's frames is dropped first, as {@link Traceback#parkedStack} does.
     */
    static Stack fromThread(StackTraceElement[] st, boolean fromRuntime) {
        int start = 0;
        if (fromRuntime) {
            for (int i = 0; i < st.length; i++) {
                if (kindOf(st[i].getClassName()) == HIDDEN) {
                    start = i;
                    break;
                }
            }
        }
        List<Frame> out = new ArrayList<>(16);
        for (int i = start; i < st.length && out.size() < MAX_FRAMES; i++) {
            StackTraceElement e = st[i];
            int kind = kindOf(e.getClassName());
            if (kind == ENTRY) {
                break;
            }
            if (kind == HIDDEN) {
                continue;
            }
            out.add(frame(new TraceKey(e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber()),
                    e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber(), kind));
        }
        return intern(out);
    }

    /** Whether st (an M's thread stack) has a goroutine's entry frame, i.e. a goroutine mounted. */
    static boolean hasEntry(StackTraceElement[] st) {
        for (StackTraceElement f : st) {
            if (f.getClassName().equals(G.class.getName()) && f.getMethodName().equals("run")) {
                return true;
            }
        }
        return false;
    }

    // ---- creation sites (Go's g.gopc and g.parentGoid) ----

    /**
     * Where goroutines running a function of this class are created: the innermost frame
     * outside gort's runtime and API (the caller of {@code Gort.go}), found by one stack
     * walk at the class's first creation and kept. Differences from Go: Go records the
     * {@code go} statement's PC at every creation (frame pointers make it free); a JVM
     * stack walk costs microseconds, more than a whole spawn, so the site is per function
     * class. A lambda's class belongs to one lambda expression, so the site's method is
     * exact (its line is that of the first creation); a named Runnable class started from
     * several places names the first.
     */
    private static final ClassValue<Frame> CREATE_SITE = new ClassValue<>() {
        @Override
        protected Frame computeValue(Class<?> c) {
            return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(s -> s
                    .filter(f -> {
                        String n = f.getClassName();
                        int kind = KIND.get(f.getDeclaringClass());
                        // The caller of Gort.go: the program's frame, or gort's own API when
                        // that starts the goroutine (WaitGroup.go, as Go's traceback says
                        // "created by sync.(*WaitGroup).Go"; its lambda class is shared by
                        // every caller, so the site must be WaitGroup.go, not the first one).
                        return (kind == SHOWN || kind == API && f.getDeclaringClass() != dev.gort.Gort.class)
                                && !n.startsWith("java.lang.") && !n.startsWith("jdk.internal.");
                    })
                    .findFirst()
                    .map(f -> frame(new WalkKey(f.getDeclaringClass(), f.getMethodName(), f.getByteCodeIndex()),
                            f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber(), SHOWN))
                    .orElse(null));
        }
    };

    /**
     * The stack of a goroutine that has not started yet: its function, at its entry (Go's
     * saveg shows a new goroutine at its start PC, {@code main.main.func1()}). A lambda has no
     * name of its own: it is named after the method that created it with {@code .func}, as
     * Go names closures, at the creation site's line; a Runnable class by its {@code run}.
     */
    static Stack startStack(Runnable fn, Frame site) {
        String cls = fn.getClass().getName();
        int lambda = cls.indexOf("$$Lambda");
        Frame f;
        if (lambda >= 0 && site != null) {
            f = frame(new TraceKey(site.func(), "func", site.file(), site.line()), site.func(), "func",
                    site.file(), site.line(), SHOWN);
        } else {
            String name = lambda >= 0 ? cls.substring(0, lambda) : cls;
            String method = lambda >= 0 ? "func" : "run";
            f = frame(new TraceKey(name, method, null, 0), name, method, null, 0, kindOf(name) == API ? API : SHOWN);
        }
        return intern(List.of(f));
    }

    /** The creation site of a goroutine running fn (see {@link #CREATE_SITE}); may be null. */
    static Frame createSite(Runnable fn) {
        return CREATE_SITE.get(fn.getClass());
    }
}
