package dev.gort.runtime;

import dev.gort.FatalError;
import dev.gort.Panic;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * How goroutines die: Go's fatalpanic (an unrecovered panic, panic.go) and fatal (a user
 * error the runtime cannot continue past, such as unlock of an unlocked mutex).
 *
 * <p>Go ends the process; gort ends the goroutine's run (docs/api.md, "Runs, deaths and
 * deadlocks"): the run is frozen (its goroutines never run again: {@link Run#die}), the
 * report is printed to stderr, the run's {@code Gort.run} throws {@link FatalError}, and
 * other runs and the runtime go on. A goroutine that belongs to no run (started from a
 * plain thread) only gets its report printed; a fatal error there, or on a plain thread,
 * is thrown to the caller.
 *
 * <p>Each death is reported once: a fatal error thrown (run-less) and left uncaught ends
 * its goroutine without a second, "panic:" report, and a goroutine of a run that is
 * already dead dies silently (Go prints nothing after the first report: the process is
 * gone).
 */
final class Panics {
    private Panics() {}

    /** Fatal errors whose report fatal has printed and that were then thrown (run-less). */
    private static final Set<Throwable> reported = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    /** Go's fatalpanic: gp's function threw t. */
    static void fatalpanic(G gp, Throwable t) {
        try {
            Run r = gp.run;
            if (reported.remove(t) || (r != null && r.dead())) {
                return;
            }
            if (r != null && r.ctl != null) {
                r.ctl.panicked(gp, t); // a controlled run: the failure is the exploration's result
                return;
            }
            StringBuilder b = new StringBuilder();
            b.append("panic: ").append(t instanceof Panic ? t.getMessage() : t.toString()).append("\n\n");
            Traceback.header(b, gp, "running");
            Traceback.throwable(b, t);
            Traceback.createdBy(b, gp);
            if (t instanceof SynctestBubble.DeadlockError d) {
                // Go's dopanic_m: this panic is caused by a synctest bubble deadlock; print
                // the goroutines of the deadlocked bubble too.
                d.bubble.tracebackOthers(b, gp);
            }
            b.append('\n');
            if (r == null || !r.die(new FatalError(t.toString(), t), b.toString())) {
                print(b.toString());
            }
        } catch (Throwable e) {
            throw Throw.fatalThrow("fatalpanic failed: " + e, e);
        }
    }

    /**
     * Go's fatal: kill the run of the current goroutine at once. The goroutine stops where
     * it is, for good, running no {@code finally} (Go runs no deferred call after a fatal
     * error), so this returns only on a plain thread or in a goroutine of no run, where the
     * caller throws the result.
     */
    static FatalError fatal(String msg) {
        FatalError e = new FatalError(msg);
        G gp = Entry.enter(); // the goroutine may have been in an implicit syscall
        StringBuilder b = new StringBuilder();
        b.append("fatal error: ").append(msg).append("\n\n");
        if (gp != null && !(gp instanceof ExternalG)) {
            Traceback.header(b, gp, "running");
            Traceback.frames(b, e.getStackTrace());
            Traceback.createdBy(b, gp);
        } else {
            b.append("thread ").append(Current.thread().getName()).append(":\n");
            Traceback.frames(b, e.getStackTrace());
        }
        b.append('\n');
        Run r = gp != null && !(gp instanceof ExternalG) ? gp.run : null;
        if (r == null) {
            print(b.toString());
            reported.add(e);
            Entry.exit(gp);
            return e;
        }
        if (r.ctl != null) {
            r.ctl.fatal(e); // a controlled run: no report, the error is the exploration's result
        } else {
            r.die(e, b.toString()); // false: the run was already dead, and reported
        }
        Park.gopark(null, null, WaitReason.FROZEN);
        throw Throw.fatalThrow("unreachable: a goroutine frozen by a fatal error was woken");
    }

    /** Prints a death's report to stderr, and records it for JFR (dev.gort.Fatal) while a recording runs. */
    static void print(String report) {
        System.err.print(report);
        System.err.flush();
        if (Jfr.fatal) {
            JfrEvents.fatal(report);
        }
    }
}
