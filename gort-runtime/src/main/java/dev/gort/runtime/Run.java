package dev.gort.runtime;

import dev.gort.FatalError;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One {@code Gort.run}/{@code Gort.main} call: Go's program, of which a JVM may have many,
 * one after another or at once (docs/api.md, "Runs, deaths and deadlocks").
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
final class Run implements ChanAssoc {
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
    /**
     * Set by the main goroutine when its function has returned; the goexit0 that follows
     * on its M (the same thread) ends the run, once the goroutine is gone (Park.goexit0).
     */
    boolean mainReturned;
    @SuppressWarnings("unused") // through DEATH
    private volatile FatalError death;

    /**
     * The run's goroutines parked on the network poller, plus {@link #NET_ENDED} once the run
     * has ended: from then on they are {@link Netpoll#abandonedWaiters}. One word, so that a
     * waiter added or removed around the end is counted exactly once.
     */
    private final AtomicLong netWaiters = new AtomicLong();
    private static final long NET_ENDED = 1L << 62;

    /** The controller of a controlled run (dev.gort.explore), or null for a normal run. */
    final Controlled ctl;

    Run() {
        this(null);
    }

    Run(Controlled ctl) {
        this.ctl = ctl;
    }

    /** Controlled.checkUse's words for the ChanAssoc operations. */
    private static final String[] USE = {"sent on", "received from", "closed", "selected on"};

    /**
     * A channel made by one of this controlled run's goroutines (only a controlled run's
     * channels are associated with their run): see {@link Controlled#checkUse}.
     */
    @Override
    public void checkUse(HChan c, G gp, int op) {
        Controlled.checkUse(this, gp, USE[op]);
    }

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

    /** Whether the run has died: its goroutines are frozen (never scheduled again). */
    boolean dead() {
        return death != null;
    }

    /**
     * Kill the run with e: freeze its goroutines, print the report, run the death hooks,
     * wake the caller of run. Returns false (printing nothing) if the run already died or ended.
     */
    boolean die(FatalError e, String report) {
        if (!DEATH.compareAndSet(this, null, e)) {
            return false;
        }
        freeze();
        SynctestBubble.runEnded(this); // its bubbles' roots are frozen in synctest.Run
        Panics.print(report);
        DeathHooks.run(); // the trace leading here is saved before run's caller hears of it
        end();
        return true;
    }

    /**
     * A controlled run is over: mark it dead without a report, so that a goroutine of it
     * left blocked is frozen if anything ever wakes it (execute refuses it). Its controller
     * has already stopped running it.
     */
    void retire(FatalError e) {
        DEATH.compareAndSet(this, null, e);
        SynctestBubble.runEnded(this);
    }

    /** Go's freezetheworld rounds: ask this often, this many times, for the run's goroutines to stop. */
    static final long FREEZE_POLL_NANOS = 1_000_000;
    static final int FREEZE_ROUNDS = 5;

    /**
     * Go's freezetheworld, for one run: from now on execute refuses the run's goroutines
     * ({@link #dead()}); those running now are asked to yield (a preemption request, which
     * also catches one coming back from a syscall), and the report waits a few
     * milliseconds for them, as Go's does, so that none of them prints over it. One that
     * makes no runtime call meanwhile (a loop without the agent's checks) cannot be
     * stopped, in Go either (Go waits 5ms and prints).
     */
    private void freeze() {
        M me = Current.m(); // not Park.getg: a plain thread (the deadlock watcher) must not register as a gort user
        G self = me != null ? me.curg : null;
        boolean interrupted = Current.interrupted(); // parkNanos must wait, interrupted or not
        for (int round = 0; round <= FREEZE_ROUNDS; round++) {
            boolean running = false;
            for (M mp : Sched.allm()) {
                G gp = mp.curg;
                if (gp != null && gp != self && gp.run == this) {
                    int st = G.readgstatus(gp) & ~G._Gscan;
                    if (st == G._Grunning || st == G._Gsyscall) {
                        gp.preempt = true;
                        running = true;
                    }
                }
            }
            if (!running && round > 0) {
                break; // Go's freezetheworld waits once more after the last request, "to be sure"
            }
            if (running) {
                Preempt.raisePreemptFlag();
            }
            LockSupport.parkNanos(FREEZE_POLL_NANOS);
            interrupted |= Current.interrupted();
        }
        if (interrupted) {
            Current.thread().interrupt();
        }
    }

    /** The run is over (main exited, or death): wake the caller of run. */
    void end() {
        lock.lock();
        if (ended) {
            lock.unlock();
            return;
        }
        ended = true;
        long net = netWaiters.getAndAdd(NET_ENDED);
        if (net != 0) {
            Netpoll.abandonedWaiters.addAndGet((int) net);
            // An M blocked in the poller for them decided it was busy before they were
            // abandoned: make it look again (it then counts as idle to checkdead).
            Netpoll.netpollBreak();
        }
        G w = waiter;
        waiter = null;
        lock.unlock();
        active.remove(this);
        if (w != null) {
            Park.goready(w);
        }
    }

    /** One of the run's goroutines committed its park on the poller (PollDesc's netpollblockcommit). */
    void netWaiterAdded() {
        if ((netWaiters.getAndIncrement() & NET_ENDED) != 0) {
            Netpoll.abandonedWaiters.incrementAndGet();
        }
    }

    /** One of the run's goroutines left the poller (netpollunblock), or its park was refused. */
    void netWaiterRemoved() {
        if ((netWaiters.getAndDecrement() & NET_ENDED) != 0) {
            Netpoll.abandonedWaiters.decrementAndGet();
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
