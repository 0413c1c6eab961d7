package dev.gort.runtime;

import dev.gort.FatalError;

/**
 * Go's {@code throw}: a broken invariant of the runtime itself (a bug in gort, never the
 * user's). As in Go, the process cannot go on with corrupted scheduler state: the report
 * ({@code fatal error: ...} and the stack) is printed and the JVM halts with status 2.
 * Errors the user causes (deadlock, unlock of an unlocked mutex) are Go's {@code fatal}
 * instead: {@link Panics#fatal}, which kills only the run.
 *
 * <p>Returns an Error so call sites read {@code throw Throw.fatalThrow(...)}; it never
 * actually returns.
 */
final class Throw {
    private Throw() {}

    static Error fatalThrow(String s) {
        return fatalThrow(s, null);
    }

    static Error fatalThrow(String s, Throwable cause) {
        FatalError e = new FatalError(s, cause);
        StringBuilder b = new StringBuilder();
        b.append("fatal error: ").append(s).append("\n\n");
        b.append("runtime stack (").append(Current.thread().getName()).append("):\n");
        for (StackTraceElement f : e.getStackTrace()) {
            Traceback.frame(b, f);
        }
        if (cause != null) {
            b.append("caused by: ").append(cause).append('\n');
            for (StackTraceElement f : cause.getStackTrace()) {
                Traceback.frame(b, f);
            }
        }
        // Straight to file descriptor 2, as Go writes: System.err may be replaced or buffered,
        // and the JVM halts right after.
        try {
            java.io.FileOutputStream fd2 = new java.io.FileOutputStream(java.io.FileDescriptor.err);
            fd2.write(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            fd2.flush();
        } catch (java.io.IOException | RuntimeException ignored) {
            System.err.print(b);
            System.err.flush();
        }
        if (Jfr.fatal) {
            try {
                JfrEvents.fatal(b.toString()); // lost unless a recording is dumped (halt runs no dump on exit)
            } catch (Throwable ignored) {
                // the report is out; JFR must not stand between it and the halt
            }
        }
        DeathHooks.run(); // halt runs no shutdown hook: the trace is saved now, if it can be
        Runtime.getRuntime().halt(2);
        return e;
    }
}
