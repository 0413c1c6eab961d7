package dev.gort.runtime;

import java.util.List;

/**
 * Go-shaped goroutine tracebacks (traceback.go): a header {@code goroutine N [state]:},
 * then for each frame a line naming the method and a tab-indented {@code File.java:LINE}.
 * As Go hides runtime frames by default (GOTRACEBACK=single), gort's own frames and the
 * continuation machinery are left out, and the listing stops at the goroutine's entry.
 */
final class Traceback {
    private Traceback() {}

    /** Go's tracebackInnerFrames+tracebackOuterFrames: deeper stacks are elided. */
    static final int MAX_FRAMES = 100;

    /** Packages of gort's runtime (frames hidden like Go's runtime.* frames). */
    private static final List<String> RUNTIME_PACKAGES = List.of(
            "dev.gort", "dev.gort.runtime", "dev.gort.sync", "dev.gort.time", "jdk.internal.vm");

    static boolean isRuntimeFrame(StackTraceElement f) {
        String c = f.getClassName();
        int dot = c.lastIndexOf('.');
        return dot > 0 && RUNTIME_PACKAGES.contains(c.substring(0, dot));
    }

    private static boolean isGoroutineEntry(StackTraceElement f) {
        return f.getClassName().equals(G.class.getName()) && f.getMethodName().equals("run");
    }

    static void header(StringBuilder b, G gp, String state) {
        b.append("goroutine ").append(gp.goid).append(" [").append(state).append("]:\n");
    }

    static void frame(StringBuilder b, StackTraceElement f) {
        b.append(f.getClassName()).append('.').append(f.getMethodName()).append("(...)\n\t")
                .append(f.getFileName() != null ? f.getFileName() : "?").append(':')
                .append(Math.max(f.getLineNumber(), 0)).append('\n');
    }

    /** The user frames of a goroutine's stack, innermost first, up to its entry. */
    static void frames(StringBuilder b, StackTraceElement[] stack) {
        int n = 0;
        for (StackTraceElement f : stack) {
            if (isGoroutineEntry(f)) {
                break;
            }
            if (isRuntimeFrame(f)) {
                continue;
            }
            if (n++ == MAX_FRAMES) {
                b.append("...additional frames elided...\n");
                break;
            }
            frame(b, f);
        }
    }

    /** A throwable's frames, then its causes' (Go has no causes; Java users need them). */
    static void throwable(StringBuilder b, Throwable t) {
        frames(b, t.getStackTrace());
        for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
            b.append("caused by: ").append(c).append('\n');
            frames(b, c.getStackTrace());
        }
    }

    /**
     * The stack of a goroutine parked in status {@code status}, or null if it changed
     * meanwhile. Holds the {@code _Gscan} bit while walking, so the goroutine cannot be
     * resumed (its continuation mounted elsewhere) under the walk.
     */
    static StackTraceElement[] parkedStack(G gp, int status) {
        if (!G.castogscanstatus(gp, status)) {
            return null;
        }
        try {
            GoStack s = gp.stack;
            if (s == null) {
                return null;
            }
            try {
                return s.getStackTrace();
            } catch (IllegalStateException mounted) {
                // A pinned goroutine parks with its continuation mounted on its blocked M.
                M m = gp.lockedm;
                return m != null ? m.getStackTrace() : null;
            }
        } finally {
            G.casfromGscanstatus(gp, status);
        }
    }
}
