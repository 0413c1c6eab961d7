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

    static boolean isRuntimePackage(String pkg) {
        return RUNTIME_PACKAGES.contains(pkg);
    }

    private static boolean isGoroutineEntry(StackTraceElement f) {
        return f.getClassName().equals(G.class.getName()) && f.getMethodName().equals("run");
    }

    static void header(StringBuilder b, G gp, String state) {
        SynctestBubble bubble = gp.bubble();
        if (bubble != null && (G.readgstatus(gp) & ~G._Gscan) == G._Gwaiting && gp.waitreason.idleInSynctest
                && state.equals(gp.waitreason.text) && !state.endsWith("(durable)")) {
            // Go 1.26: if this isn't a status where the name includes a (durable) suffix to
            // distinguish it from the non-durable form, add it here.
            state = state + " (durable)";
        }
        header(b, gp.goid, state, waitMinutes(gp, System.nanoTime()), lockedToThread(gp),
                bubble != null ? bubble.id : 0);
    }

    /**
     * Go's {@code gp.lockedm != 0} in goroutineheader: locked by LockOSThread. Not a
     * goroutine that gort parked on its M because it was pinned (it has lockedm too, for the
     * time of the park). Racy reads of the M's plain fields: a hint, as in Go.
     */
    static boolean lockedToThread(G gp) {
        M m = gp.lockedm();
        return m != null && m.lockedExt > 0 && m.lockedg == gp;
    }

    /**
     * Go's goroutineheader: {@code goroutine N [state, M minutes, locked to thread]:}. The
     * minutes are shown from 1 on, as Go's.
     */
    static void header(StringBuilder b, long goid, String state, long minutes, boolean locked) {
        header(b, goid, state, minutes, locked, 0);
    }

    /** ... and {@code , synctest bubble ID} for a goroutine of a bubble (bubble > 0), as Go 1.26's. */
    static void header(StringBuilder b, long goid, String state, long minutes, boolean locked, long bubble) {
        b.append("goroutine ").append(goid).append(" [").append(state);
        if (minutes >= 1) {
            b.append(", ").append(minutes).append(" minutes");
        }
        if (locked) {
            b.append(", locked to thread");
        }
        if (bubble > 0) {
            b.append(", synctest bubble ").append(bubble);
        }
        b.append("]:\n");
    }

    /**
     * How long gp has been blocked, in whole minutes, from {@code g.waitsince}; stamps it
     * when unset (Go's markroot stamps it at the first GC that sees the goroutine blocked:
     * "approx time when the g become blocked"). Only meaningful while gp cannot run
     * (parked, and its status held or the world dead). Cleared by execute.
     */
    static long waitMinutes(G gp, long now) {
        int s = G.readgstatus(gp) & ~G._Gscan;
        if (s != G._Gwaiting && s != G._Gsyscall) {
            return 0;
        }
        long since = gp.waitsince();
        if (since == 0) {
            gp.setWaitsince(now);
            return 0;
        }
        return (now - since) / 60_000_000_000L;
    }

    /**
     * Go's printcreatedby: {@code created by pkg.Class.method in goroutine P} and the site's
     * file and line; nothing for a run's main goroutine (as Go's main) or an unknown site.
     */
    static void createdBy(StringBuilder b, ProfRt.Frame site, long parentGoid) {
        if (site == null) {
            return;
        }
        b.append("created by ").append(site.func());
        if (parentGoid != 0) {
            b.append(" in goroutine ").append(parentGoid);
        }
        b.append("\n\t").append(site.file()).append(':').append(site.line()).append('\n');
    }

    static void createdBy(StringBuilder b, G gp) {
        createdBy(b, gp.createdBy, gp.parentGoid);
    }

    /** One goroutine's traceback: header, frames, creation (Go's traceback1 for one g). */
    static void goroutine(StringBuilder b, ProfRt.Goroutine g) {
        header(b, g.goid(), g.state(), g.waitMinutes(), g.locked());
        frames(b, g.stack());
        createdBy(b, g.createdBy(), g.parentGoid());
    }

    /** Go's runtime.Stack(all): the goroutines' tracebacks, a blank line between two. */
    static String goroutines(java.util.List<ProfRt.Goroutine> gs) {
        StringBuilder b = new StringBuilder(gs.size() * 160);
        boolean first = true;
        for (ProfRt.Goroutine g : gs) {
            if (!first) {
                b.append('\n');
            }
            first = false;
            goroutine(b, g);
        }
        return b.toString();
    }

    /** A profile stack's frames for a traceback (gort's API frames hidden, as Go hides runtime frames). */
    static void frames(StringBuilder b, ProfRt.Stack st) {
        int n = 0;
        for (ProfRt.Frame f : st.frames) {
            if (f.api()) {
                continue;
            }
            if (n++ == MAX_FRAMES) {
                b.append("...additional frames elided...\n");
                break;
            }
            b.append(f.func()).append("(...)\n\t").append(f.file()).append(':').append(f.line()).append('\n');
        }
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

    /** st from its first (innermost) runtime frame on. */
    private static StackTraceElement[] fromRuntime(StackTraceElement[] st) {
        for (int i = 0; i < st.length; i++) {
            if (isRuntimeFrame(st[i])) {
                return java.util.Arrays.copyOfRange(st, i, st.length);
            }
        }
        return st;
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
            // A pinned goroutine parks with its continuation mounted on its blocked M, and one
            // stuck in the VM (an implicit syscall) is mounted on its M too: then the M's
            // thread has the frames. Its continuation must not be asked: for a mounted one the
            // JDK's walk neither fails nor finds the frames (it walks the continuation's empty
            // heap copy), so such reports printed no stack.
            M m = gp.lockedm() != null ? gp.lockedm() : gp.m;
            if (m != null) {
                StackTraceElement[] st = m.getStackTrace();
                for (StackTraceElement f : st) {
                    if (isGoroutineEntry(f)) {
                        // Mounted there (a goroutine locked to m but parked is not). A parked
                        // one's top frames are the runtime's sleep (LockSupport.park under
                        // M.notesleep): start at the runtime's frames, which frames() hides.
                        return status == G._Gwaiting ? fromRuntime(st) : st;
                    }
                }
            }
            try {
                return s.getStackTrace();
            } catch (IllegalStateException mounted) {
                return null; // mounted after all (not expected while we hold the scan bit)
            }
        } finally {
            G.casfromGscanstatus(gp, status);
        }
    }
}
