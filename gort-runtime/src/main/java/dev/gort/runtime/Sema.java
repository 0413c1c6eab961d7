package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A semaphore for the sync package: Go's semacquire1/semrelease1 (sema.go). The count
 * is taken without locks when positive; otherwise the caller queues a sudog and parks.
 * Waiters queue FIFO, or at the head (LIFO) when they have waited before (a woken
 * Mutex waiter that lost the race again). A release in handoff mode (a starving Mutex)
 * passes the count directly to the first waiter ({@code ticket = 1}) and yields its P to
 * it, so no newcomer can take the semaphore in between.
 *
 * <p>Differences from Go: Go's semaphores are bare uint32 addresses, mapped to wait lists
 * by a global table of treaps keyed by address (semtable). A gort semaphore is an object,
 * so it holds its count, its lock (Go's semaRoot.lock) and its own wait list.
 *
 */
final class Sema extends SpinLock {
    private static final VarHandle COUNT;
    private static final VarHandle NWAIT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNT = l.findVarHandle(Sema.class, "count", int.class);
            NWAIT = l.findVarHandle(Sema.class, "nwait", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Go: *addr, the semaphore's count. */
    @SuppressWarnings("unused") // through COUNT
    private volatile int count;
    /** Go: root.nwait, waiters queued (or about to); lets release skip the lock when 0. */
    @SuppressWarnings("unused") // through NWAIT
    private volatile int nwait;
    // Wait list. Sema lock.
    private Sudog head;
    private Sudog tail;

    /** Go's active_spin and active_spin_cnt: how sync.Mutex spins (procyield(30), 4 times). */
    static final int ACTIVE_SPIN = 4;
    static final int ACTIVE_SPIN_CNT = 30;

    private static final Unlockf UNLOCK = (gp, l) -> {
        ((SpinLock) l).unlock();
        return true;
    };

    /** A semaphore with a count of 0 (sync's semaphores start there). */
    Sema() {}

    /** A semaphore with an initial count (Go: {@code var worldsema uint32 = 1}). */
    Sema(int count) {
        this.count = count;
    }

    /** The count now (jcstress checks that hand-offs neither lose nor duplicate one). */
    int count() {
        return count;
    }

    /** The waiters now (queued or about to queue). */
    int nwait() {
        return nwait;
    }

    /** Go's cansemacquire: take one from the count if positive. */
    private boolean cansemacquire() {
        for (;;) {
            int v = count;
            if (v == 0) {
                return false;
            }
            if (COUNT.compareAndSet(this, v, v - 1)) {
                return true;
            }
        }
    }

    /** Go's semacquire1 with no profile: wait until the count is positive, then decrement it. */
    void acquire(boolean lifo, WaitReason reason) {
        acquire(lifo, 0, reason);
    }

    /**
     * Go's semacquire1: wait until the count is positive, then decrement it. profile:
     * {@link MProf#SEMA_BLOCK_PROFILE} (a wait is a block event) and
     * {@link MProf#SEMA_MUTEX_PROFILE} (the releaser is charged for the wait), Go's
     * semaProfileFlags.
     */
    void acquire(boolean lifo, int profile, WaitReason reason) {
        G gp = Entry.enter();
        try {
            acquire0(lifo, profile, reason, gp);
        } finally {
            Entry.exit(gp);
        }
    }

    /**
     * {@link #acquire} for runtime code that has already entered gort (worldsema): no second
     * entry, whose exit would mark the caller as back in user code while it still runs the
     * runtime (sysmon could then take it for blocked and claim its P).
     */
    void acquire0(boolean lifo, int profile, WaitReason reason, G gp) {
        // Easy case.
        if (cansemacquire()) {
            return;
        }
        // Harder case: queue a sudog, sleep; on wake-up, the count was either handed to
        // us (ticket) or is to be raced for again.
        Sudog s = Park.acquireSudog();
        s.g = gp;
        s.ticket = 0;
        s.elem = this; // as Go's semaRoot.queue (s.elem = addr): the semaphore waited on
        long t0 = 0;
        s.releasetime = 0;
        s.acquiretime = 0;
        if ((profile & MProf.SEMA_BLOCK_PROFILE) != 0 && MProf.blockprofilerate > 0) {
            t0 = MProf.cputicks();
            s.releasetime = -1;
        }
        if ((profile & MProf.SEMA_MUTEX_PROFILE) != 0 && MProf.mutexprofilerate > 0) {
            if (t0 == 0) {
                t0 = MProf.cputicks();
            }
            s.acquiretime = t0;
        }
        for (;;) {
            lock();
            // Add ourselves to nwait to disable "easy case" in semrelease.
            NWAIT.getAndAdd(this, 1);
            // Check cansemacquire to avoid missed wakeup.
            if (cansemacquire()) {
                NWAIT.getAndAdd(this, -1);
                unlock();
                break;
            }
            // Any semrelease after the cansemacquire knows we're waiting (we set nwait
            // above), so go to sleep.
            queue(s, lifo);
            Park.gopark(UNLOCK, this, reason);
            gp.param = null;
            if (s.ticket != 0 || cansemacquire()) {
                break;
            }
        }
        if (s.releasetime > 0) {
            MProf.blockevent(s.releasetime - t0, gp, reason, this);
        }
        s.ticket = 0;
        s.elem = null;
        Park.releaseSudog(s);
    }

    /**
     * Go's semrelease1: increment the count and wake a waiter. With handoff, hand the count
     * straight to the first waiter and yield the P to it.
     */
    void release(boolean handoff) {
        // A hand-off yields the P to the waiter (goyield): a pending preemption request is
        // not honoured on the way in too, or the caller would yield twice.
        G gp = handoff ? Entry.enterNosplit() : Entry.enter();
        try {
            semrelease1(handoff, gp);
        } finally {
            Entry.exit(gp);
        }
    }

    /** {@link #release} for runtime code that has already entered gort (worldsema). */
    void release0(boolean handoff) {
        semrelease1(handoff, Park.getg());
    }

    /** Go's semrelease1 proper; gp is the caller's G. */
    private void semrelease1(boolean handoff, G gp) {
        COUNT.getAndAdd(this, 1);
        // Easy case: no waiters? This check must happen after the increment, to avoid a
        // missed wakeup (see loop in semacquire).
        if ((int) NWAIT.getVolatile(this) == 0) {
            return;
        }
        // Harder case: search for a waiter and wake it.
        lock();
        if ((int) NWAIT.getVolatile(this) == 0) {
            // The count is already consumed by another goroutine, so no need to wake up
            // another goroutine.
            unlock();
            return;
        }
        Sudog s = dequeue();
        long dt = -1;
        if (s != null) {
            NWAIT.getAndAdd(this, -1);
            dt = dequeuedDelay;
        }
        unlock();
        if (s != null) { // May be slow or even yield, so unlock first
            if (dt >= 0 && gp != null) {
                // Charge contention that this (delayed) unlock caused (computed by dequeue).
                MProf.mutexevent(dt, gp, this);
            }
            if (s.ticket != 0) {
                throw Throw.fatalThrow("corrupted semaphore ticket");
            }
            if (handoff && cansemacquire()) {
                s.ticket = 1;
            }
            s.g.param = s; // what woke it, should its run die before it runs (passOn)
            readyWithTime(s);
            if (s.ticket == 1 && gp != null && gp.m != null) {
                // Direct G handoff: goready put the waiter in runnext; yield so it runs
                // now, inheriting our time slice (so a highly contended semaphore cannot
                // hog the P). goyield puts us on the local run queue, not the global one.
                Park.goyield();
            }
        }
    }

    /**
     * Not in Go: s's goroutine was woken by a release of this semaphore but will never run
     * (its run died, and execute froze it before it could take the count). Pass the wake-up
     * on, so that a semaphore shared with other runs is not left with a wake-up nobody acts
     * on: a hand-off's count goes back (a release), a plain wake lets the next waiter race
     * for the count still there (a release without the increment). For a Mutex, the next
     * waiter then takes over the "woken" role the frozen one had.
     */
    void passOn(Sudog s) {
        if (s.ticket != 0) {
            semrelease1(false, null);
            return;
        }
        if ((int) NWAIT.getVolatile(this) == 0) {
            return;
        }
        lock();
        Sudog next = (int) NWAIT.getVolatile(this) == 0 ? null : dequeue();
        if (next != null) {
            NWAIT.getAndAdd(this, -1);
        }
        unlock();
        if (next != null) {
            next.g.param = next;
            readyWithTime(next);
        }
    }

    /** Go's readyWithTime: stamp the release time of a profiled waiter, then ready it. */
    static void readyWithTime(Sudog s) {
        if (s.releasetime != 0) {
            s.releasetime = MProf.cputicks();
        }
        Park.goready(s.g);
    }

    /**
     * Go's semaRoot.queue: add s to the wait list, at the head if lifo. Lock held. The
     * head's {@code waiters} counts those behind it; a lifo newcomer takes over the old
     * head's acquiretime ("preserve head acquiretime as oldest time"), so the head's is
     * always the longest wait and the tail's the shortest.
     */
    private void queue(Sudog s, boolean lifo) {
        s.next = null;
        s.waiters = 0;
        if (head == null) {
            head = tail = s;
        } else if (lifo) {
            Sudog t = head;
            s.acquiretime = t.acquiretime;
            s.waiters = t.waiters + 1;
            s.next = t;
            head = s;
        } else {
            head.waiters++;
            tail.next = s;
            tail = s;
        }
    }

    /**
     * The delay the last {@link #dequeue} charges to the releaser (Go's semrelease1 from
     * dequeue's now and tailtime), or -1 when the waiter was not mutex-profiled. Lock held.
     */
    private long dequeuedDelay = -1;

    /**
     * Go's semaRoot.dequeue: the first waiter, or null. Lock held. For a mutex-profiled
     * waiter, also computes the delay semrelease1 charges ({@link #dequeuedDelay}): the
     * head's wait, plus, for the N others still waiting, N times the mean of the head's and
     * the tail's waits (an O(1) estimate of their total); then the new head's and the
     * tail's acquiretime are set to now, so the next release does not charge the same wait
     * again. As Go's, a new head left alone keeps {@code waiters == 1}.
     */
    private Sudog dequeue() {
        Sudog s = head;
        dequeuedDelay = -1;
        if (s != null) {
            long now = s.acquiretime != 0 ? MProf.cputicks() : 0;
            long tailtime;
            Sudog t = s.next;
            if (t != null) {
                t.waiters = s.waiters;
                if (t.waiters > 1) {
                    t.waiters--;
                }
                // Set head and tail acquire time to 'now', because the caller will take care
                // of charging the delays before now for all entries in the list.
                t.acquiretime = now;
                tailtime = tail.acquiretime;
                tail.acquiretime = now;
            } else {
                tailtime = s.acquiretime;
            }
            head = t;
            if (head == null) {
                tail = null;
            }
            s.next = null;
            if (s.acquiretime != 0) {
                long dt0 = now - s.acquiretime;
                long dt = dt0;
                if (s.waiters != 0) {
                    long dtail = now - tailtime;
                    dt += (dtail + dt0) / 2 * s.waiters;
                }
                dequeuedDelay = dt;
            }
        }
        return s;
    }

    /**
     * Go's sync_runtime_canSpin: whether sync.Mutex may spin (iteration i). Spin only a few
     * times, only on a multicore machine with GOMAXPROCS > 1 and another running P, and
     * only if the local run queue is empty (there is nothing better to do).
     */
    static boolean canSpin(int i) {
        if (i >= ACTIVE_SPIN || NUM_CPU <= 1 || Sched.gomaxprocs <= Sched.npidle + Sched.nmspinning + 1) {
            return false;
        }
        M mp = Current.m();
        // One read of m.p: a goroutine back from a block sysmon took for a syscall runs
        // user code while its P may be retaken under it (Syscall, "Implicit syscalls").
        P pp = mp != null ? mp.p : null;
        // A controlled run has one goroutine running: spinning would wait for nobody.
        return pp != null && mp.ctl == null && RunQueue.runqempty(pp);
    }

    /** Go's sync_runtime_doSpin: procyield(active_spin_cnt). */
    static void doSpin() {
        for (int i = 0; i < ACTIVE_SPIN_CNT; i++) {
            Thread.onSpinWait();
        }
    }

    private static final int NUM_CPU = Runtime.getRuntime().availableProcessors();

}
