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

    /** Go's semacquire1: wait until the count is positive, then decrement it. */
    void acquire(boolean lifo, WaitReason reason) {
        G gp = Entry.enter();
        try {
            acquire0(lifo, reason, gp);
        } finally {
            Entry.exit(gp);
        }
    }

    /**
     * {@link #acquire} for runtime code that has already entered gort (worldsema): no second
     * entry, whose exit would mark the caller as back in user code while it still runs the
     * runtime (sysmon could then take it for blocked and claim its P).
     */
    void acquire0(boolean lifo, WaitReason reason, G gp) {
        // Easy case.
        if (cansemacquire()) {
            return;
        }
        // Harder case: queue a sudog, sleep; on wake-up, the count was either handed to
        // us (ticket) or is to be raced for again.
        Sudog s = Park.acquireSudog();
        s.g = gp;
        s.ticket = 0;
        s.sema = this;
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
        s.ticket = 0;
        s.sema = null;
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
        if (s != null) {
            NWAIT.getAndAdd(this, -1);
        }
        unlock();
        if (s != null) { // May be slow or even yield, so unlock first
            if (s.ticket != 0) {
                throw Throw.fatalThrow("corrupted semaphore ticket");
            }
            if (handoff && cansemacquire()) {
                s.ticket = 1;
            }
            s.g.param = s; // what woke it, should its run die before it runs (passOn)
            Park.goready(s.g);
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
            Park.goready(next.g);
        }
    }

    /** Go's semaRoot.queue: add s to the wait list, at the head if lifo. Lock held. */
    private void queue(Sudog s, boolean lifo) {
        s.next = null;
        if (head == null) {
            head = tail = s;
        } else if (lifo) {
            s.next = head;
            head = s;
        } else {
            tail.next = s;
            tail = s;
        }
    }

    /** Go's semaRoot.dequeue: the first waiter, or null. Lock held. */
    private Sudog dequeue() {
        Sudog s = head;
        if (s != null) {
            head = s.next;
            if (head == null) {
                tail = null;
            }
            s.next = null;
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
        return pp != null && RunQueue.runqempty(pp);
    }

    /** Go's sync_runtime_doSpin: procyield(active_spin_cnt). */
    static void doSpin() {
        for (int i = 0; i < ACTIVE_SPIN_CNT; i++) {
            Thread.onSpinWait();
        }
    }

    private static final int NUM_CPU = Runtime.getRuntime().availableProcessors();

}
