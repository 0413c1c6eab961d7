package dev.gort.runtime;

import java.util.function.Supplier;

/**
 * The runtime's entry points for {@code dev.gort.explore}: controlled runs
 * ({@link Controlled}) and synctest bubbles ({@link SynctestBubble}: Go's linknamed
 * internal/synctest.Run and Wait). A facade: public only because the API lives in another
 * package.
 *
 * <p>A session ({@link #session}) starts a controller M and runs its work there; the work
 * calls {@link #runOnce} for each controlled run. Strategies live in dev.gort.explore and
 * answer the controller's question through {@link Scheduler}.
 */
public final class ExploreRt {
    private ExploreRt() {}

    /** Outcome kinds of a controlled run. */
    public static final int PASS = 0;
    /** A throwable that no goroutine caught ({@link Outcome#thrown()} is it). */
    public static final int PANIC = 1;
    /** A fatal error: a deadlock (Go's text), or one such as unlock of an unlocked mutex ({@link Outcome#thrown()} is a FatalError). */
    public static final int FATAL = 2;
    /** The step budget ran out. */
    public static final int MAX_STEPS = 3;
    /** Goroutines still blocked after main returned. */
    public static final int LEAK = 4;
    /** Something outside the run's control touched it, or it touched something outside. */
    public static final int UNCONTROLLED = 5;

    /** The strategy's side of the controller: which goroutine runs next. */
    public interface Scheduler {
        /**
         * An index into {@code goids[0..n)}, asked at every step. By default: the run's
         * runnable goroutines (their goids, the run's own, main being 1), in the order they
         * became runnable. {@code prev} is the goroutine that ran the last step (0 before
         * the first); it is among them unless it blocked or ended, so picking another one
         * is a preemption. Under gomaxprocs(1), Go's single P decides who runs next and the
         * only choice is preemption: at a preemption point {@code goids} is
         * {@code {prev, the goroutine the P's queues would run if prev were preempted}}
         * (n = 2: 0 lets prev run on, 1 preempts it); elsewhere it is the one goroutine
         * that runs (n = 1).
         */
        int next(long[] goids, int n, long prev);

        /**
         * A choice among n > 1 alternatives that are not goroutines: each draw of select's
         * random poll order (Go's Fisher-Yates over the cases), which decides the case
         * taken among ready ones, and which of the timers due at the same instant fires
         * next.
         */
        int random(int n);
    }

    /**
     * What a controlled run did: its kind, a message (null if it passed), the throwable for
     * PANIC and FATAL, the number of steps, and the goid chosen at each step.
     */
    public record Outcome(int kind, String message, Throwable thrown, int steps, int[] choices) {}

    /**
     * Runs work on a new controller M and returns its result (work's exceptions and errors
     * are rethrown here). The calling thread waits; a goroutine waits as in a syscall.
     *
     * @throws IllegalStateException inside a controlled run (sessions do not nest)
     */
    public static <T> T session(Supplier<T> work) {
        if (inControlledRun()) {
            throw new IllegalStateException("Explore.run inside a controlled run: explorations do not nest");
        }
        Rt.start();
        Controlled c = new Controlled(work);
        long id;
        Sched.lock.lock();
        try {
            id = Sched.mReserveID(); // counted as a running M until the session ends (Controlled.loop)
        } finally {
            Sched.lock.unlock();
        }
        M mp = new M(id);
        mp.ctl = c;
        c.m = mp;
        mp.setName("gort-explore-m" + id);
        mp.start();
        if (Current.thread() instanceof M me && me.curg != null) {
            Rt.syscallBlock(() -> {
                join(mp);
                return null;
            });
        } else {
            join(mp);
        }
        Throwable t = c.thrown;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
        @SuppressWarnings("unchecked")
        T r = (T) c.result;
        return r;
    }

    private static void join(Thread t) {
        boolean interrupted = false;
        for (;;) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One controlled run of main, from a session's work: sched picks every step, seed
     * starts the M's generator (select's order), maxSteps bounds the steps.
     */
    public static Outcome runOnce(Runnable main, Scheduler sched, long seed, int maxSteps) {
        return runOnce(main, sched, seed, maxSteps, 0);
    }

    /**
     * {@link #runOnce(Runnable, Scheduler, long, int)}, with {@code gomaxprocs} 1 for the
     * orders of Go's single-P scheduler (any other value: any runnable goroutine may run
     * next).
     */
    public static Outcome runOnce(Runnable main, Scheduler sched, long seed, int maxSteps, int gomaxprocs) {
        if (main == null) {
            throw new NullPointerException("go of nil func value");
        }
        if (!(Current.thread() instanceof M mp) || mp.ctl == null || mp.curg != null) {
            throw new IllegalStateException("ExploreRt.runOnce outside a session's controller");
        }
        return mp.ctl.runOnce(main, sched, seed, maxSteps, gomaxprocs);
    }

    /** Whether the caller is a goroutine of a controlled run (or its controller). */
    public static boolean inControlledRun() {
        return Controlled.inControlledRun();
    }

    /**
     * Go's synctestRun (internal/synctest.Run): runs f in a new goroutine of a new bubble
     * and returns once every goroutine of the bubble has exited. The caller is the root: a
     * goroutine parks meanwhile; a plain thread runs the root as the main goroutine of a run
     * of its own ({@code Gort.run}) and waits for it, so that a throwable escaping a goroutine
     * of the bubble kills that run, as it would the Go program ({@code FatalError}).
     *
     * @throws NullPointerException "go of nil func value" if f is null
     * @throws dev.gort.Panic Go's texts: nested bubbles, deadlocks
     */
    public static void synctestRun(Runnable f) {
        if (f == null) {
            throw new NullPointerException("go of nil func value");
        }
        Rt.start();
        M mp = Current.m();
        if (mp != null && mp.curg != null) {
            SynctestBubble.run(f);
            return;
        }
        Throwable[] thrown = new Throwable[1];
        Rt.run(() -> {
            try {
                SynctestBubble.run(f);
            } catch (Throwable t) {
                thrown[0] = t; // the root's panic (a deadlock) is the caller's
            }
        });
        Throwable t = thrown[0];
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    /**
     * Go's synctestWait (internal/synctest.Wait): blocks until every other goroutine of the
     * caller's bubble is durably blocked.
     *
     * @throws dev.gort.Panic "goroutine is not in a bubble", "wait already in progress"
     */
    public static void synctestWait() {
        SynctestBubble.await();
    }
}
