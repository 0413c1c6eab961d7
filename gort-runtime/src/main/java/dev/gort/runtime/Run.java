package dev.gort.runtime;

import dev.gort.FatalError;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@code Gort.run}/{@code Gort.main} call: Go's program, of which a JVM may have many,
 * one after another or at once (API.md, "Details of the contract").
 *
 * <p>A goroutine belongs to the run whose goroutines (transitively) started it. The run
 * ends when its main goroutine returns, or dies: an uncaught throwable in any of its
 * goroutines, a fatal error, or a deadlock. Death is decided once (CAS); the report is
 * printed before the caller of {@code run} is woken, so it precedes the exception.
 *
 * <p>The caller waits with gopark, so a goroutine calling {@code Gort.run} parks like any
 * waiter, and a plain thread blocks (as an {@link ExternalG} marked {@code inRun}, which
 * the deadlock rule sets aside).
 */
final class Run {
    /** Runs that have started and not ended; the deadlock detector kills the blocked ones. */
    static final Set<Run> active = ConcurrentHashMap.newKeySet();

    private static final VarHandle DEATH;

    static {
        try {
            DEATH = MethodHandles.lookup().findVarHandle(Run.class, "death", FatalError.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The main goroutine and its goid (the G object is reused after it exits). */
    volatile G main;
    volatile long mainGoid;
    /** Set when the main goroutine called Goexit: the run then ends only by deadlock. */
    volatile boolean mainGoexited;
    @SuppressWarnings("unused") // through DEATH
    private volatile FatalError death;

    private final RMutex lock = new RMutex();
    private boolean ended; // lock
    private G waiter; // lock

    private static final Unlockf UNLOCK = (gp, l) -> {
        ((RMutex) l).unlock();
        return true;
    };

    FatalError death() {
        return death;
    }

    /** Whether g is still this run's main goroutine (G objects are reused). */
    boolean isMain(G g) {
        return g == main && g.goid == mainGoid;
    }

    /**
     * Kill the run with e; print the report first. Returns false (printing nothing) if
     * the run already died or ended.
     */
    boolean die(FatalError e, String report) {
        if (!DEATH.compareAndSet(this, null, e)) {
            return false;
        }
        Panics.print(report);
        end();
        return true;
    }

    /** The run is over (main returned, or death): wake the caller of run. */
    void end() {
        lock.lock();
        if (ended) {
            lock.unlock();
            return;
        }
        ended = true;
        G w = waiter;
        waiter = null;
        lock.unlock();
        active.remove(this);
        if (w != null) {
            Park.goready(w);
        }
    }

    /** Block the caller (a goroutine or a plain thread) until the run is over. */
    void await() {
        G gp = Park.getg();
        lock.lock();
        if (ended) {
            lock.unlock();
            return;
        }
        waiter = gp;
        Park.gopark(UNLOCK, lock, WaitReason.GORT_RUN);
    }
}
