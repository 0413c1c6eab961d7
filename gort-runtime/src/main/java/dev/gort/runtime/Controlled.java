package dev.gort.runtime;

import dev.gort.FatalError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Controlled runs (dev.gort.explore): one goroutine at a time, every scheduling choice
 * made by a strategy, time virtual, the same choices giving the same run byte for byte.
 *
 * <h2>Shape</h2>
 * A controller owns a dedicated M ({@code m.ctl} set, so its thread runs {@link #loop}
 * instead of {@link Proc#mstart}) and a private P that is in no list of the scheduler
 * ({@code allp}, the idle list): no other M steals from it, sysmon never looks at it,
 * stop-the-world never waits for it. The M is counted as a running M ({@code mReserveID}),
 * so the deadlock detector never sees a controlled goroutine runnable with no M to run it.
 * The controller keeps the run's runnable goroutines itself, in the order they became
 * runnable (under gomaxprocs(1): in a model of one P's queues, below); they are never on
 * a run queue of the scheduler. Each step:
 * <ol>
 *   <li>asks the strategy which runnable goroutine goes on (it sees their goids);</li>
 *   <li>mounts it as {@link Proc#execute} does ({@code gp.stack.run()}) with its
 *       {@code preempt} request set, so that it yields back at its next gort operation
 *       (channel, select, sync, sleep and timers, go, gosched): {@link Entry#enter} already
 *       tests {@code gp.preempt} on every entry and yields through gopreempt_m, so a
 *       controlled goroutine yields there at no cost to other goroutines. The operation
 *       itself runs at the start of the goroutine's next step; so every interleaving of
 *       operations is reachable, even of operations that would not block. The request is
 *       set only while another goroutine is runnable (at the mount, or by {@link #ready}
 *       when one becomes so): a goroutine with no rival has no choice to offer, and runs on
 *       to its next operation that readies one, blocks or yields;</li>
 *   <li>runs on the M's own stack what the goroutine asked for when it yielded: park_m
 *       (it blocked), or back to the runnable set (the preemption yield, Gosched, a
 *       semaphore hand-off's goyield), or goexit0 (its function returned).</li>
 * </ol>
 * When nothing is runnable, the virtual clock jumps to the earliest timer of the private
 * P's heap and the due timers run (sleeps, {@code Timer}, {@code After}, {@code AfterFunc}
 * live in that heap, armed by the controlled goroutines on the controller's P), those due
 * at the same instant in an order the strategy picks ({@link #runDueTimers}). Nothing
 * runnable and no timer: the run is deadlocked.
 *
 * <h2>gomaxprocs(1)</h2>
 * Explore's {@code gomaxprocs(1)} narrows the runs to the orders Go's scheduler can produce
 * with one P. The runnable goroutines then live in a model of that P's queues
 * ({@link SingleP}: runnext, the local FIFO, the global FIFO, schedtick's every-61st check),
 * filled as Go fills them: {@link #ready} with Go's {@code next} (goready and newproc take
 * runnext), Gosched and preemption to the global queue, goyield to the local tail, timers'
 * goroutines to runnext. With one P the only free choice is whether the running goroutine
 * is preempted at a scheduling point (sysmon may preempt a goroutine at any point; one that
 * blocks, yields or ends leaves no choice): the strategy makes it ({@link #pickOneP}), and
 * what runs next follows from the queues. Timers due at the current instant run at each
 * schedule, as findRunnable's {@code pp.timers.check} does. Differences from Go: preemption
 * strikes only at the run's scheduling points (gort operations), never between two of
 * them; the P's tick starts at {@link SingleP#MAIN_SCHEDTICK}; the queues hold no runtime
 * goroutines (GC workers, bgsweep, the finalizer); a preemption that would give the P
 * straight back to the same goroutine is not offered.
 *
 * <h2>Hooks in the normal runtime, and what they cost there</h2>
 * <ul>
 *   <li>{@link Park#ready} and {@link NewProc#newproc}: {@code if (gp.ctl != null)} hands a
 *       readied or new goroutine to its controller instead of a run queue. One plain field
 *       of the G being readied (written just before by newproc1, or next to the status the
 *       CAS just changed): no measurable cost. {@code G.ctl} is set by newproc1 from
 *       {@code run.ctl}, the run being read there already.</li>
 *   <li>{@link Entry#enter}: nothing new; its {@code gp.preempt} test is the yield point.</li>
 *   <li>{@link TimeRt#when}, {@link RuntimeTimer#maybeRunChan}, {@code SyncRt.nanotime},
 *       {@code Time.now}: read the clock through {@link FakeTime}, the one place that
 *       knows which fake clock applies (a synctest bubble's, a controlled run's, or none):
 *       the current goroutine and two of its fields, on paths that arm timers or read the
 *       time; a running timer's clock is a field of the timer, then a thread read and a
 *       field test, as the mutex's starvation clock ({@link #controllerM}).</li>
 *   <li>{@code Chans}/{@code Selects}: {@code if (c.assoc != null)} on each channel
 *       operation ({@link ChanAssoc}), a final field of the channel the operation reads
 *       anyway, which is the run when the maker is a goroutine of a controlled run
 *       ({@link #controllerM} next to the channel's allocation), or the maker's synctest
 *       bubble.</li>
 *   <li>{@link Rand#selectrandn} (select's poll order): one more read of a field of the
 *       M that cheaprand reads anyway, so that select's draws are the strategy's.</li>
 *   <li>{@code dev.gort.sync.Mutex}: a mutex made in a controlled run starts with its sign
 *       bit set, which fails both fast paths; the slow paths test the bit on the state
 *       they read anyway. {@code WaitGroup}: made in a controlled run (or a synctest
 *       bubble), it sets Go 1.25's bubble bit of its state, tested on the state word each
 *       operation reads anyway, and its association field.
 *       Their constructors ask {@code SyncRt.controlled()} ({@link #controllerM}, next to
 *       the allocations of the object and its semaphore).</li>
 *   <li>Paths that cost far more than a field read already, each with one test of
 *       {@code gp.ctl} or {@code mp.ctl}: the end of a goroutine ({@link G#run}: no
 *       scheduling point there), {@link RuntimeTimer#maybeAdd} (no wake-up of the
 *       scheduler's poller for a virtual timer), {@link HookRt#enterSyscall} (the call runs
 *       inline), {@link LockOSThread}, {@code Sema.canSpin} (no spinning), and
 *       {@code Rt.run}/{@code numGoroutine}/{@code gomaxprocs}.</li>
 *   <li>Slow paths only: {@link Panics#fatalpanic} and {@link Panics#fatal} (the failure
 *       becomes the exploration's result, with no report), a pinned park (the controller
 *       cannot sleep with the goroutine on its thread), a controlled goroutine waking a
 *       plain thread ({@link Park#ready}'s ExternalG branch).</li>
 * </ul>
 * No global volatile is added anywhere: a normal run never reads anything the controller
 * writes.
 *
 * <h2>Determinism</h2>
 * The runnable set is ordered by when each goroutine became runnable, goids are the run's
 * own (the private P's goid cache restarts at 1, so main is goroutine 1), the virtual clock
 * starts at the same reading, select's draws and the order of timers due together are the
 * strategy's ({@link #randn}), and the M's own generator (anything else the runtime draws)
 * is seeded from the schedule. So a strategy that makes the same picks gets the same run.
 * The strategy sees, at each step, every runnable goroutine (under gomaxprocs(1): the
 * running one and the one a preemption would run) and which one ran last, which is what a
 * systematic search needs (Explore.exhaustive: depth first, with a preemption bound).
 *
 * <h2>Rejected</h2>
 * Running the controlled goroutines on the scheduler's own Ps and run queues, one at a
 * time by a token: every queue operation and every M's loop would need a test, and the
 * order of run queues, stealing and wake-ups would have to be forced rather than chosen.
 * A scheduler of its own, apart from the runtime: channels, select, semaphores and timers
 * would have to be written twice. Raising the agent's global preemption flag for the
 * duration of a controlled run: every instrumented check in the JVM would take its slow
 * path meanwhile.
 *
 * <h2>Failures</h2>
 * The first failure ends the run: a throwable no goroutine caught ({@link #panicked}), a
 * fatal error such as unlock of an unlocked mutex ({@link #fatal}), a deadlock (Go's
 * text), the step budget, a goroutine still blocked once main returned and every other
 * goroutine exited or blocked (time no longer advances then: a sleeper counts as blocked),
 * waiting on the network (the poller would decide when it wakes), and uncontrolled
 * concurrency: another thread operating on a channel the run made
 * ({@link #checkUse}, from {@code HChan.assoc}), a goroutine of the run woken by another
 * thread, a plain thread woken by the run, or a channel or goroutine of an earlier run. The goroutines left blocked or runnable stay parked for good
 * (the run is marked dead, so execute freezes any that something outside still wakes).
 *
 * <p>Differences from a normal run: one M; no sysmon preemption (under gomaxprocs(1), the
 * strategy's preemptions stand for it); no time slices; syscalls
 * run inline ({@link HookRt#enterSyscall}: there is no other M to hand the P to, and a call
 * that blocks blocks the exploration); LockOSThread does nothing (every goroutine of the
 * run is on the one thread); GOMAXPROCS cannot change; tracing a controlled run is not
 * supported (its goroutines' events would be missing); goids repeat across runs; GOMAXPROCS
 * reads the scheduler's own value, or 1 under gomaxprocs(1). Not yield points: the
 * uncontended fast paths of RWMutex's read lock and of Once (they do not enter the
 * runtime; Mutex and WaitGroup made in the run mark themselves, see them).
 *
 * <h2>Under the agent</h2>
 * The checks the agent injects at method prologues and loop back-edges are yield points
 * too, so a goroutine spinning on a plain field, or a check-then-act split by a method
 * call, is interleaved like a gort operation. The checks read one global flag
 * ({@link Preempt}); a step whose goroutine has a rival raises it for the rest of that step
 * only ({@link Preempt#raiseForControlledStep}, counted so that the slow path does not lower
 * it meanwhile), never for the whole run. What it costs: during such a step, an
 * instrumented check on any other thread takes the slow path (a call and a few field
 * reads, then back); between steps, and in runs without rivals, nothing. Without the agent
 * nothing is raised (there is no flag). Rejected: a per-M flag (what Go's stackguard0
 * is): every injected check in the JVM would have to find its thread first.
 */
final class Controlled {
    /**
     * The virtual clock's reading when a controlled run starts: Go's synctestBaseTime, the
     * start of a synctest bubble's clock (2000-01-01T00:00:00Z in nanoseconds since the Unix
     * epoch), so that the reading is also the run's wall-clock time ({@link FakeTime}).
     */
    static final long VIRTUAL_START = FakeTime.BASE_TIME;

    /** The M whose thread runs {@link #loop}; set before it starts. */
    M m;
    private final Supplier<?> body;
    /** Result of body, or what it threw. Published to the joiner by Thread.join. */
    Object result;
    Throwable thrown;

    // ---- one run's state; the controller's thread only, unless said otherwise ----
    private P pp;
    private Run run;
    private ExploreRt.Scheduler sched;
    /** Runnable goroutines of the run, in the order they became runnable. */
    private final ArrayList<G> runnable = new ArrayList<>();
    /** Under gomaxprocs(1): the one P's run queues, which hold the runnable goroutines instead (null otherwise). */
    private SingleP one;
    /** Under gomaxprocs(1): the goroutine stopped at a preemption point, in no queue while the strategy decides. */
    private G atPoint;
    /** Under gomaxprocs(1): the goroutine whose park was refused (unlockf): it runs on at once, as Go's execute(gp, true). */
    private G resume;
    /** Scratch: the heap positions of the timers due at one instant. */
    private int[] tied = new int[8];
    /** Goroutines of the run that have not exited. */
    private final Map<G, Boolean> live = new IdentityHashMap<>();
    /** Virtual clock ({@link FakeTime}). Written by the controller between steps; read by its goroutines (same thread). */
    long now;
    private boolean mainReturned;
    private int kind;
    private String message;
    private Throwable failure;
    /** Set (first sign wins) by another thread that used the run's channel or woke its goroutine (uncontrolled concurrency). */
    private final java.util.concurrent.atomic.AtomicReference<String> foreign = new java.util.concurrent.atomic.AtomicReference<>();
    private int[] choices = new int[64];
    private int steps;
    private long[] goids = new long[16];
    /** The previous step's goroutine (0 before the first), the strategy's {@code prev}. */
    private long prev;
    /** The run's step budget. */
    private int maxSteps;
    /** What the strategy threw when asked at a yield point, for the loop to throw. */
    private RuntimeException strategyError;
    /** The next step's goroutine, picked at the last one's yield point ({@link #continueWithoutYield}). */
    private G pendingPick;
    /** This step raised the injected checks' flag ({@link #raiseChecks}). */
    private boolean checksRaised;

    Controlled(Supplier<?> body) {
        this.body = body;
    }

    /** The controlled run of the calling goroutine, or null. */
    static Run currentRun() {
        M mp = controllerM();
        return mp != null && mp.curg != null ? mp.curg.run : null;
    }

    /**
     * gp (a goroutine, a plain thread's ExternalG, or null on an M's own stack) operates
     * on a channel made by the controlled run owner: fine from the run's own goroutines
     * and its controller's timers; from anyone else, uncontrolled concurrency. The
     * operation itself goes on (a plain thread must not be stranded); the run fails.
     */
    static void checkUse(Run owner, G gp, String op) {
        if (gp != null && gp.run == owner) {
            return;
        }
        Controlled c = owner.ctl;
        Thread t = Current.thread();
        if (gp == null && t == c.m) {
            return; // the controller's timers (a Timer's channel)
        }
        if (t == c.m && gp != null && gp.ctl() == c && gp.run == c.run) {
            // A goroutine of this run, on a channel an earlier run made (a static field).
            c.fail(ExploreRt.UNCONTROLLED, "uncontrolled concurrency: goroutine " + gp.goid + " " + op
                    + " a channel made by an earlier run: a channel shared between runs", null);
            return;
        }
        if (owner == c.run) { // (racy from another thread: a hint) a channel of the run under way
            String who = gp instanceof ExternalG || gp == null ? "thread \"" + t.getName() + "\""
                    : "goroutine " + gp.goid + " of another run (thread \"" + t.getName() + "\")";
            c.foreign.compareAndSet(null, "uncontrolled concurrency: " + who + " " + op + " a channel of the controlled run");
        }
    }

    /** Whether the current thread is a controller's M (its goroutines or its own loop). */
    static boolean inControlledRun() {
        return controllerM() != null;
    }

    /**
     * The current thread if it is a controller's M, else null. Reads
     * {@code Thread.currentThread()} directly: unlike {@link Current#thread} it may be
     * inlined, and a compiled caller may reuse a reading from before a yield that moved
     * its goroutine to another M. That cannot change this answer: a goroutine of a
     * controlled run never leaves its controller's M, and no other goroutine ever runs on
     * one. So the hooks on object creation and timer paths cost a field read, not a call.
     */
    static M controllerM() {
        return Thread.currentThread() instanceof M mp && mp.ctl != null ? mp : null;
    }

    // ---- the controller's thread ----

    /** The controller M's body: a private P, the session's work, then the M's exit. */
    void loop(M mp) {
        try {
            pp = newP(null);
            mp.p = pp;
            try {
                result = body.get();
            } catch (Throwable t) {
                thrown = t;
            }
        } finally {
            mp.p = null;
            if (pp != null) {
                pp.m = null;
                NewProc.gfpurge(pp); // its free Gs go on serving normal runs
            }
            // Go's mexit, without a P to hand off: the M no longer counts as running. Its
            // trace writer goes too, unless it holds a trace's data (the tracer drops it then).
            TraceThread w = mp.trace;
            Tracer.threads.removeIf(t -> t == w && t.buf[0] == null && t.buf[1] == null && !t.writing());
            Sched.lock.lock();
            Sched.nmfreed++;
            CheckDead.checkdead();
            Sched.lock.unlock();
        }
    }

    /** A fresh private P (fresh timers: one run's timers never fire in the next), keeping old's free Gs. */
    private P newP(P old) {
        P p = new P(-1);
        p.status = P._Prunning;
        p.m = m;
        if (old != null) {
            p.gFree = old.gFree;
            p.gFreeSize = old.gFreeSize;
            old.gFree = null;
            old.gFreeSize = 0;
            old.m = null;
        }
        p.goidcache = 1; // the run's own goids: main is goroutine 1
        p.goidcacheend = Long.MAX_VALUE;
        return p;
    }

    /**
     * One controlled run of main under sched, on this controller's thread. Returns its
     * outcome; never throws for a failure of the run.
     */
    ExploreRt.Outcome runOnce(Runnable main, ExploreRt.Scheduler sched, long seed, int maxSteps, int gomaxprocs) {
        if (Current.thread() != m || m.curg != null) {
            throw new IllegalStateException("a controlled run must be started by its controller");
        }
        pp = newP(pp);
        m.p = pp;
        m.seedCheaprand(seed);
        runnable.clear();
        one = gomaxprocs == 1 ? new SingleP() : null;
        atPoint = null;
        resume = null;
        live.clear();
        now = VIRTUAL_START; // (a synctest bubble inside the run has its own clock)
        mainReturned = false;
        kind = ExploreRt.PASS;
        message = null;
        failure = null;
        foreign.set(null);
        steps = 0;
        this.sched = sched;
        run = new Run(this);
        NewProc.newproc(() -> {
            main.run();
            mainReturned = true;
        }, run, true);
        try {
            loopSteps(maxSteps);
        } finally {
            finish(); // also when the strategy throws (a replayed schedule that does not fit the program)
        }
        return new ExploreRt.Outcome(kind, message, failure, steps, Arrays.copyOf(choices, steps));
    }

    private void loopSteps(int maxSteps) {
        this.maxSteps = maxSteps;
        prev = 0;
        pendingPick = null;
        int timerRounds = 0;
        for (;;) {
            if (strategyError != null) {
                RuntimeException e = strategyError;
                strategyError = null;
                throw e;
            }
            checkForeign();
            if (kind != ExploreRt.PASS) {
                break;
            }
            if (!hasRunnable()) {
                if (mainReturned) {
                    if (!live.isEmpty()) {
                        fail(ExploreRt.LEAK, leakReport(), null);
                    }
                    break;
                }
                if (advanceTime()) {
                    if (++timerRounds > maxSteps) {
                        fail(ExploreRt.MAX_STEPS, "maxSteps exceeded: timers fired " + maxSteps
                                + " times without waking a goroutine", null);
                        break;
                    }
                    continue;
                }
                String msg = run.mainGoexited && live.isEmpty()
                        ? "no goroutines (main called runtime.Goexit) - deadlock!"
                        : "all goroutines are asleep - deadlock!";
                fail(ExploreRt.FATAL, msg, new FatalError(msg));
                break;
            }
            if (pendingPick == null && steps >= maxSteps) { // (a pending pick is a step already counted)
                fail(ExploreRt.MAX_STEPS, "maxSteps exceeded: the run took more than " + maxSteps
                        + " steps (a livelock, or a run longer than maxSteps allows)", null);
                break;
            }
            G gp = pendingPick;
            if (gp != null) {
                pendingPick = null; // picked (and recorded) at the yield point: continueWithoutYield
            } else {
                gp = one == null ? pickAny(prev) : pickOneP(prev);
                record(gp);
            }
            step(gp);
            strayWork();
            timerRounds = 0; // counts timer rounds in a row that woke nobody
        }
    }

    /** Whether a goroutine can run now. */
    private boolean hasRunnable() {
        return one == null ? !runnable.isEmpty() : atPoint != null || resume != null || !one.isEmpty();
    }

    /** Whether a goroutine other than the running one is runnable: a rival to yield to. */
    private boolean hasRival() {
        return one == null ? !runnable.isEmpty() : !one.isEmpty();
    }

    private void record(G gp) {
        if (steps == choices.length) {
            choices = Arrays.copyOf(choices, steps * 2);
        }
        choices[steps++] = (int) gp.goid;
        prev = gp.goid;
    }

    /**
     * gp, the running goroutine, is at a yield point with a rival (a preemption request at a
     * gort operation or an injected check): the next step is picked here, on gp's own stack,
     * exactly as the loop would pick it once gp had yielded (gp joins the end of the
     * runnable set, the strategy sees the same goids and the same prev). If the pick is gp,
     * it goes on at once: the step ends and the next begins without the continuation's
     * yield and resume, which are most of a step's cost (a random walk over two goroutines
     * picks the same one half the time). Otherwise the pick waits in {@link #pendingPick}
     * and gp yields. Not under gomaxprocs(1), whose picks follow the P's queues.
     */
    boolean continueWithoutYield(G gp) {
        if (one != null || pendingPick != null || kind != ExploreRt.PASS || steps >= maxSteps
                || foreign.get() != null || gp.run != run) {
            return false;
        }
        strayWork(); // what the loop does after each step
        if (kind != ExploreRt.PASS) {
            return false;
        }
        runnable.add(gp);
        G pick;
        try {
            pick = pickAny(prev);
        } catch (RuntimeException e) {
            // The strategy's error (a replayed schedule that does not fit the program) is the
            // controller's, not gp's: the loop throws it once gp has yielded.
            runnable.remove(runnable.size() - 1);
            strategyError = e;
            return false;
        }
        record(pick);
        if (pick == gp) {
            gp.preempt = hasRival();
            if (gp.preempt) {
                raiseChecks();
            }
            return true;
        }
        runnable.remove(runnable.size() - 1); // gp: its yield adds it back in the same place
        pendingPick = pick;
        return false;
    }

    /** The default: the strategy picks any runnable goroutine (with enough Ps, any may run next). */
    private G pickAny(long prev) {
        int n = runnable.size();
        if (goids.length < n) {
            goids = new long[Math.max(n, goids.length * 2)];
        }
        for (int i = 0; i < n; i++) {
            goids[i] = runnable.get(i).goid;
        }
        int pick = sched.next(goids, n, prev);
        if (pick < 0 || pick >= n) {
            throw new IllegalStateException("strategy picked " + pick + " of " + n + " runnable goroutines");
        }
        return runnable.remove(pick);
    }

    /**
     * gomaxprocs(1): the orders Go's single-P scheduler can produce. The one free choice is
     * whether the goroutine stopped at a preemption point is preempted there (sysmon's
     * preemption may strike at any point of a goroutine that runs on); what runs next
     * follows the P's queues ({@link SingleP}). A goroutine that blocked, yielded or ended
     * leaves no choice. The strategy is asked at every step all the same: at a preemption
     * point with {@code goids = {running, the goroutine the queues would run instead}}
     * (index 0: it runs on; 1: preempted), elsewhere with the one goroutine that runs.
     */
    private G pickOneP(long prev) {
        G gp = resume;
        if (gp != null) {
            resume = null; // park_m's unlockf refused: execute(gp, true) at once
            offer(gp, null, prev);
            return gp;
        }
        G cur = atPoint;
        if (cur != null) {
            atPoint = null;
            G instead = one.afterPreempt(cur);
            if (instead == cur) {
                // A preemption would hand the P straight back (nothing queued, or cur at the
                // global head at the fairness check): not offered, cur runs on.
                offer(cur, null, prev);
                return cur;
            }
            if (offer(cur, instead, prev) == 0) {
                return cur; // not preempted: runs on in its time slice (no schedule, no tick)
            }
            // gopreempt_m -> goschedImpl(gp, preempted=true): the global queue, then schedule().
            one.globrunqput(cur);
        }
        // schedule -> findRunnable: the P's due timers first (pp.timers.check), then the queues.
        runDueTimers();
        gp = one.findRunnable();
        if (gp == null) {
            throw new IllegalStateException("gomaxprocs(1): no goroutine in the P's queues");
        }
        offer(gp, null, prev);
        return gp;
    }

    /** Asks the strategy to pick a (0) or b (1; null: a alone). */
    private int offer(G a, G b, long prev) {
        int n = b == null ? 1 : 2;
        goids[0] = a.goid;
        if (b != null) {
            goids[1] = b.goid;
        }
        int pick = sched.next(goids, n, prev);
        if (pick < 0 || pick >= n) {
            throw new IllegalStateException("strategy picked " + pick + " of " + n
                    + (n == 1 ? " goroutine" : " alternatives (go on, or preempt)"));
        }
        return pick;
    }

    /** Runs gp until it yields at its next gort operation, blocks or ends (Go's execute, for one step). */
    private void step(G gp) {
        M mp = m;
        if (GoroutineProfile.active) {
            GoroutineProfile.barrier(mp, gp);
        }
        mp.curg = gp;
        gp.m = mp;
        G.casgstatus(gp, G._Grunnable, G._Grunning);
        gp.setWaitsince(0);
        gp.setProfStack(null);
        // The yield point: Entry.enter sends it back here at its next gort operation, if
        // another goroutine is runnable by then (ready raises it); alone, it has no rival.
        gp.preempt = hasRival();
        if (gp.preempt) {
            raiseChecks();
        }
        M.IN_RUNTIME.setRelease(mp, 1);
        try {
            gp.stack.run();
        } finally {
            if (checksRaised) {
                checksRaised = false;
                Preempt.controlledStepDone();
            }
        }
        Thread.interrupted(); // a goroutine's interrupt of "its thread" stays with this step
        if (gp.stack.isDone()) {
            live.remove(gp);
            Park.goexit0(mp, gp);
            return;
        }
        int fn = mp.mcallfn;
        mp.mcallfn = M.MCALL_NONE;
        switch (fn) {
            case M.PARK_M -> {
                mp.traceStack = null;
                G again = Park.park_m(mp, gp);
                if (again != null) {
                    // unlockf refused: runnable at once (Go: execute(gp, true), no choice).
                    if (one == null) {
                        runnable.add(again);
                    } else {
                        resume = again;
                    }
                } else if (gp.waitreason == WaitReason.IO_WAIT) {
                    // The network poller, not the strategy, would decide when it wakes.
                    fail(ExploreRt.UNCONTROLLED, "uncontrolled: goroutine " + gp.goid
                            + " waits on the network [IO wait]: network I/O cannot be controlled", null);
                }
            }
            case M.GOSCHED_M, M.GOPREEMPT_M, M.GOYIELD_M -> {
                gp.preempt = false;
                mp.traceStack = null;
                G.casgstatus(gp, G._Grunning, G._Grunnable);
                Park.dropg(mp, gp);
                if (one == null) {
                    runnable.add(gp);
                } else if (fn == M.GOSCHED_M) {
                    one.globrunqput(gp); // gosched_m -> goschedImpl: the global queue
                } else if (fn == M.GOYIELD_M) {
                    one.runqput(gp, false); // goyield_m: the local queue's tail
                } else {
                    atPoint = gp; // a preemption point: the strategy decides (pickOneP)
                }
            }
            default -> {
                // EXITSYSCALL_NOP: a syscall left without its P, which a controlled run never
                // gives up; or a yield with no function.
                Park.dropg(mp, gp);
                fail(ExploreRt.UNCONTROLLED, "goroutine " + gp.goid + " left the controller (mcall "
                        + fn + "): syscalls are not supported in a controlled run yet", null);
            }
        }
    }

    /** Runs the timers due at the next timer's instant; false if there is none. */
    private boolean advanceTime() {
        long next = pp.timers.wakeTime();
        if (next == 0) {
            return false;
        }
        if (next > now) {
            now = next;
        }
        if (runDueTimers() || hasRunnable()) {
            return true;
        }
        return pp.timers.wakeTime() != next && pp.timers.wakeTime() != 0;
    }

    /**
     * Go's ts.check on the private P: runs every timer due by now, one at a time, earliest
     * first; among timers due at the same instant the strategy picks which fires next
     * ({@link ExploreRt.Scheduler#random}, a choice only when two or more are tied). Their
     * order is the order their goroutines become runnable (under gomaxprocs(1), each one
     * readied takes runnext, so the last to fire runs first, as in Go), the order timer
     * channels receive, and the order AfterFunc's goroutines start (their goids).
     * Returns whether any timer ran.
     *
     * <p>Differences from Go's check: modified and stopped timers are put right
     * ({@code adjust(now, true)}) before each pick rather than lazily, so that the heap's
     * {@code when}s are the timers' own; Go runs tied timers in heap order.
     */
    private boolean runDueTimers() {
        Timers ts = pp.timers;
        boolean ran = false;
        for (;;) {
            long w = ts.wakeTime();
            if (w == 0 || w > now) {
                return ran;
            }
            ts.lock.lock();
            try {
                ts.adjust(now, true);
                if (ts.n == 0 || ts.heapWhen[0] > now) {
                    return ran;
                }
                long when = ts.heapWhen[0];
                int k = 0;
                for (int i = 0; i < ts.n; i++) {
                    if (ts.heapWhen[i] == when) {
                        if (k == tied.length) {
                            tied = Arrays.copyOf(tied, k * 2);
                        }
                        tied[k++] = i;
                    }
                }
                if (k > 1) {
                    // Tied timers swap places without breaking the heap: equal whens.
                    int i = tied[randn(k)];
                    RuntimeTimer t = ts.heap[i];
                    ts.heap[i] = ts.heap[0];
                    ts.heap[0] = t;
                }
                if (ts.run(now) != 0) { // runs the head; may unlock the heap around the timer's function
                    return ran; // (not due after all: cannot happen once adjusted)
                }
                ran = true;
            } finally {
                ts.lock.unlock();
            }
        }
    }

    /** A goroutine of another run readied by this run lands on the private P: uncontrolled. */
    private void strayWork() {
        if (pp.runnext == null && RunQueue.runqempty(pp)) {
            return;
        }
        G gp;
        StringBuilder ids = new StringBuilder();
        while ((gp = RunQueue.runqget(pp, m)) != null) {
            ids.append(ids.isEmpty() ? "" : ", ").append(gp.goid);
            Park.injectNoP(gp); // its own run's Ms run it
        }
        fail(ExploreRt.UNCONTROLLED, "uncontrolled concurrency: the controlled run woke goroutine " + ids
                + ", which belongs to another run (a channel or lock shared with it)", null);
    }

    private void checkForeign() {
        String f = foreign.get();
        if (f != null) {
            fail(ExploreRt.UNCONTROLLED, f, null);
        }
    }

    /** The end of a run: its goroutines never run again. */
    private void finish() {
        if (run == null) {
            return;
        }
        FatalError death = new FatalError("controlled run ended");
        run.retire(death);
        run.end(); // its goroutines left on the network poller are abandoned (no run waits for them)
        if (one != null) {
            one.drain(runnable::add);
        }
        for (G g : new G[] {atPoint, resume}) {
            if (g != null) {
                runnable.add(g);
            }
        }
        atPoint = null;
        resume = null;
        if (pendingPick != null) {
            runnable.add(pendingPick); // picked at a yield point, never run: frozen with the others
            pendingPick = null;
        }
        for (G gp : runnable) {
            // Runnable but never to run: parked for good, so checkdead never counts it.
            gp.waitreason = WaitReason.FROZEN;
            G.casgstatus(gp, G._Grunnable, G._Gwaiting);
        }
        runnable.clear();
        live.clear();
        run = null;
    }

    private void fail(int k, String msg, Throwable t) {
        if (kind == ExploreRt.PASS) {
            kind = k;
            message = msg;
            failure = t;
        }
    }

    private String leakReport() {
        List<G> blocked = new ArrayList<>(live.keySet());
        blocked.sort((a, b) -> Long.compare(a.goid, b.goid));
        StringBuilder b = new StringBuilder();
        b.append("goroutine leak: ").append(blocked.size()).append(blocked.size() == 1 ? " goroutine" : " goroutines")
                .append(" blocked after main returned:");
        String sep = " ";
        for (G gp : blocked) {
            b.append(sep).append("goroutine ").append(gp.goid).append(" [").append(gp.waitreason.text).append(']');
            sep = ", ";
        }
        return b.toString();
    }

    // ---- hooks (see the class comment) ----

    /**
     * gp (new, or woken) is runnable; {@code next} as Go's ready/runqput (newproc and
     * goready: true), which decides its place under gomaxprocs(1). On another thread than
     * the controller's: uncontrolled.
     */
    void ready(G gp, boolean next) {
        if (Current.thread() != m) {
            String why = "uncontrolled concurrency: thread \"" + Current.thread().getName()
                    + "\" woke goroutine " + gp.goid + " [" + gp.waitreason.text + "] of the controlled run"
                    + " (a plain thread or another run touched one of its channels or locks)";
            Run r = gp.run;
            if (r == run) { // (a racy read: a hint; a goroutine of an earlier run is frozen below anyway)
                foreign.compareAndSet(null, why); // the first sign wins
            }
            if (r != null) {
                r.retire(new FatalError(why));
            }
            Park.injectNoP(gp); // execute freezes it: its run is dead
            return;
        }
        if (gp.run != run) {
            // A goroutine an earlier run left blocked, woken through state the runs share (a
            // static channel or lock): it stays parked; the run cannot be reproduced alone.
            gp.waitreason = WaitReason.FROZEN;
            G.casgstatus(gp, G._Grunnable, G._Gwaiting);
            fail(ExploreRt.UNCONTROLLED, "uncontrolled concurrency: goroutine " + gp.goid
                    + " of an earlier run was woken: a channel or lock is shared between runs", null);
            return;
        }
        live.put(gp, Boolean.TRUE); // new, or already there
        if (one != null) {
            one.runqput(gp, next);
        } else {
            runnable.add(gp);
        }
        G cur = m.curg;
        if (cur != null) {
            cur.preempt = true; // a rival: the running goroutine yields at its next gort operation
            raiseChecks();
        }
    }

    /**
     * Under the agent, the running goroutine's request is also seen at the checks the agent
     * injected into its code: the global flag goes up for the rest of the step (see the
     * class comment for what that costs other threads). Once per step.
     */
    private void raiseChecks() {
        if (!checksRaised) {
            checksRaised = Preempt.raiseForControlledStep();
        }
    }

    /** A goroutine of the run woke a plain thread waiting on the run's channel or lock. */
    void uncontrolledWake(ExternalG eg) {
        fail(ExploreRt.UNCONTROLLED, "uncontrolled concurrency: the controlled run woke thread \""
                + eg.thread.getName() + "\", blocked [" + eg.waitreason.text + "] on one of its channels or locks", null);
    }

    /** gp's function threw t, which nothing caught. */
    void panicked(G gp, Throwable t) {
        fail(ExploreRt.PANIC, "goroutine " + gp.goid + " panicked: " + t, t);
    }

    /** A fatal error in the run (Go's fatal: the goroutine then parks for good). */
    void fatal(FatalError e) {
        fail(ExploreRt.FATAL, e.getMessage(), e);
    }

    /** gp must park but its continuation is pinned: the controller cannot go on. */
    RuntimeException pinnedPark(G gp, WaitReason reason) {
        String msg = "uncontrolled: goroutine " + gp.goid + " blocked [" + reason.text
                + "] while pinned (inside synchronized, a held JDK lock or a native frame)";
        fail(ExploreRt.UNCONTROLLED, msg, null);
        return new IllegalStateException(msg);
    }

    /** Select's poll order inside the run: the strategy's choice among n. */
    int randn(int n) {
        if (n <= 1) {
            return 0;
        }
        int r = sched.random(n);
        if (r < 0 || r >= n) {
            throw new IllegalStateException("strategy picked " + r + " of " + n + " alternatives");
        }
        return r;
    }

    /** Whether the run models Go's single P (Explore's gomaxprocs(1)): GOMAXPROCS reads 1 inside it. */
    boolean singleP() {
        return one != null;
    }

    /** Goroutines of the run that exist now (Go's NumGoroutine inside it). */
    int numGoroutine() {
        return live.size();
    }
}
