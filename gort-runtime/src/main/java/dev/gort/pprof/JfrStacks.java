package dev.gort.pprof;

import dev.gort.runtime.ProfRt;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JFR's stack traces as the frames of Go's profiles: what Go's profileBuilder makes of the
 * PCs in a CPU or heap sample (appendLocsForStack), for the samples gort gets from JFR
 * ({@link CpuProfile}, {@link AllocProfile}).
 *
 * <p>A frame is a {@link ProfRt.Frame} (function {@code pkg.Class.method}, file, line), one
 * per distinct (function, file, line) for the life of the JVM, with an id that stands for
 * Go's PC (the location's address), so a frame keeps its address from one profile to the
 * next, as a PC does. Frames are innermost first, as Go's.
 *
 * <p>Which frames: a goroutine's, down to (not including) its entry {@code G.run}: a
 * carrier thread running a continuation shows the continuation's frames above the
 * carrier's own (the continuation's entry, then the M's loop), and Go's goroutine stacks
 * hold no g0 frames (they end at runtime.goexit), so the carrier's part is cut there, as
 * gort's goroutine profile cuts it. A thread that runs no goroutine (a plain Java thread,
 * an M in its scheduler loop: Go's g0) keeps all its frames. The JDK's lambda proxies
 * (hidden classes, {@code Foo$$Lambda.0x...}) are dropped, as stack traces and
 * StackWalker drop them. Runtime frames otherwise stay: Go's CPU profile shows time in
 * the runtime (runtime.chansend, runtime.mallocgc) too.
 *
 * <p>Differences from Go: JFR records no source file, so the file is the outermost
 * class's simple name with {@code .java} ({@code a.b.Foo$Bar} is in {@code Foo.java}),
 * right for Java sources, not for other JVM languages. A frame with no line (native) has
 * line 0. JFR keeps 64 frames by default ({@code -XX:FlightRecorderOptions:stackdepth=N});
 * a deeper stack is cut at the bottom, as Go's at 128 (debug.profstackdepth).
 */
final class JfrStacks {
    private JfrStacks() {}

    /** The goroutine's entry, where a carrier's stack stops being the goroutine's. */
    private static final String ENTRY = "dev.gort.runtime.G";
    private static final String ENTRY_METHOD = "run";

    private record Key(String cls, String method, int line) {}

    private static final ConcurrentHashMap<Key, ProfRt.Frame> frames = new ConcurrentHashMap<>();
    /** Addresses: distinct from the goroutine profile's (which start at 0x1000), for a reader comparing the two. */
    private static final AtomicLong nextId = new AtomicLong(0x100000);

    /** The stack's frames, innermost first (an empty list for a sample without a stack). */
    static List<ProfRt.Frame> frames(RecordedStackTrace st) {
        if (st == null) {
            return List.of();
        }
        List<RecordedFrame> in = st.getFrames();
        List<ProfRt.Frame> out = new ArrayList<>(in.size());
        for (RecordedFrame f : in) {
            RecordedMethod m = f.getMethod();
            if (m == null || m.getType() == null) {
                continue;
            }
            String cls = m.getType().getName();
            if (cls.equals(ENTRY) && m.getName().equals(ENTRY_METHOD)) {
                break; // below: the continuation's entry and the carrier (Go's g0)
            }
            if (cls.contains("$$Lambda")) {
                continue;
            }
            out.add(frame(cls, m.getName(), f.getLineNumber()));
        }
        return List.copyOf(out);
    }

    static ProfRt.Frame frame(String cls, String method, int line) {
        Key k = new Key(cls, method, Math.max(line, 0));
        ProfRt.Frame f = frames.get(k);
        if (f == null) {
            f = frames.computeIfAbsent(k, key -> new ProfRt.Frame(nextId.getAndIncrement(), cls + "." + method,
                    file(cls), key.line(), false));
        }
        return f;
    }

    /** {@code a.b.Foo$Bar} -> {@code Foo.java}: javac's file for a class (JFR records none). */
    static String file(String cls) {
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        int dollar = simple.indexOf('$');
        if (dollar > 0) {
            simple = simple.substring(0, dollar);
        }
        return simple + ".java";
    }

    /** Whether the frame is gort's runtime's (Go's {@code runtime.} functions). */
    static boolean isRuntime(ProfRt.Frame f) {
        return f.func().startsWith("dev.gort.runtime.");
    }
}
