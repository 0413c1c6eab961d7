package dev.gort.runtime;

import dev.gort.FatalError;
import dev.gort.Panic;

/**
 * How goroutines die: Go's fatalpanic (an unrecovered panic, panic.go) and fatal (a user
 * error the runtime cannot continue past, such as unlock of an unlocked mutex).
 *
 * <p>Go ends the process; gort ends the goroutine's run (API.md, "Details of the
 * contract"): the report is printed to stderr, the run's {@code Gort.run} throws
 * {@link FatalError}, and other runs and the runtime go on. A goroutine that belongs to
 * no run (started from a plain thread) only gets its report printed.
 */
final class Panics {
    private Panics() {}

    /** Go's fatalpanic: gp's function threw t. */
    static void fatalpanic(G gp, Throwable t) {
        try {
            StringBuilder b = new StringBuilder();
            b.append("panic: ").append(t instanceof Panic ? t.getMessage() : t.toString()).append("\n\n");
            Traceback.header(b, gp, "running");
            Traceback.throwable(b, t);
            b.append('\n');
            Run r = gp.run;
            if (r == null || !r.die(new FatalError(t.toString(), t), b.toString())) {
                print(b.toString());
            }
        } catch (Throwable e) {
            throw Throw.fatalThrow("fatalpanic failed: " + e, e);
        }
    }

    /**
     * Go's fatal: kill the run of the current goroutine at once (even if the caller catches
     * the returned error, which the caller throws).
     */
    static FatalError fatal(String msg) {
        FatalError e = new FatalError(msg);
        StringBuilder b = new StringBuilder();
        b.append("fatal error: ").append(msg).append("\n\n");
        G gp = Park.getg();
        if (gp != null && !(gp instanceof ExternalG)) {
            Traceback.header(b, gp, "running");
            Traceback.frames(b, e.getStackTrace());
        } else {
            b.append("thread ").append(Current.thread().getName()).append(":\n");
            Traceback.frames(b, e.getStackTrace());
        }
        b.append('\n');
        Run r = gp != null ? gp.run : null;
        if (r == null || !r.die(e, b.toString())) {
            print(b.toString());
        }
        return e;
    }

    static void print(String report) {
        System.err.print(report);
        System.err.flush();
    }
}
