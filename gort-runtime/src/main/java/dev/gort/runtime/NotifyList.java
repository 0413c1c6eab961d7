package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The wait list of a {@code sync.Cond}: Go's notifyList (sema.go), a ticket-based list.
 * {@link #notifyListAdd} takes a ticket before the Cond's lock is released; {@link #notifyListWait} sleeps
 * unless its ticket was already notified; {@link #notifyListNotifyOne} wakes the waiter holding the
 * next ticket to be notified, {@link #notifyListNotifyAll} every waiter. Tickets make a signal sent
 * between unlock and sleep count, with no lost wake-up.
 *
 */
final class NotifyList extends SpinLock {
    private static final VarHandle WAIT;
    private static final VarHandle NOTIFY;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WAIT = l.findVarHandle(NotifyList.class, "wait", int.class);
            NOTIFY = l.findVarHandle(NotifyList.class, "notify", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Ticket of the next waiter. Atomic, without the lock. */
    @SuppressWarnings("unused") // through WAIT
    private volatile int wait;
    /** Ticket of the next waiter to be notified. Written under the lock, read without it. */
    @SuppressWarnings("unused") // through NOTIFY
    private volatile int notify;
    private Sudog head;
    private Sudog tail;

    private static final Unlockf UNLOCK = (gp, l) -> {
        ((SpinLock) l).unlock();
        return true;
    };

    /** Go's less: a < b in wrapping ticket arithmetic. */
    private static boolean less(int a, int b) {
        return a - b < 0;
    }

    /** Go's notifyListAdd: a ticket for a waiter-to-be. */
    int notifyListAdd() {
        return (int) WAIT.getAndAdd(this, 1);
    }

    /** Go's notifyListWait: sleep until ticket t is notified (at once if it already was). */
    void notifyListWait(int t) {
        G gp = Entry.enter();
        try {
            lock();
            // Return right away if this ticket has already been notified.
            if (less(t, notify)) {
                unlock();
                return;
            }
            // Enqueue itself.
            Sudog s = Park.acquireSudog();
            s.g = gp;
            s.ticket = t;
            gp.waiting = s;
            s.releasetime = 0;
            long t0 = 0;
            if (MProf.blockprofilerate > 0) {
                t0 = MProf.cputicks();
                s.releasetime = -1;
            }
            if (tail == null) {
                head = s;
            } else {
                tail.next = s;
            }
            tail = s;
            Park.gopark(UNLOCK, this, WaitReason.SYNC_COND_WAIT);
            if (t0 != 0) {
                MProf.blockevent(s.releasetime - t0, gp, WaitReason.SYNC_COND_WAIT, this);
            }
            gp.waiting = null;
            s.ticket = 0;
            Park.releaseSudog(s);
        } finally {
            Entry.exit(gp);
        }
    }

    /**
     * Go's test before readying a Cond waiter: a goroutine durably blocked in a synctest
     * bubble may only be woken from inside it. A field of the waiter's G, which the wake
     * reads anyway.
     */
    private static void checkWake(G gp, G waiter) {
        SynctestBubble b = waiter.bubble();
        if (b != null && (gp == null ? null : gp.bubble()) != b) {
            Panics.print("semaphore wake of synctest goroutine " + waiter.goid + " from outside bubble\n");
            throw Panics.fatal("semaphore wake of synctest goroutine from outside bubble");
        }
    }

    /** Go's notifyListNotifyAll: wake every waiter with a ticket. */
    void notifyListNotifyAll() {
        G gp = Entry.enter();
        try {
            // Fast-path: if there are no new waiters since the last notification we don't
            // need to acquire the lock.
            if (wait == notify) {
                return;
            }
            // Pull the list out into a local variable, waiters will be readied outside the
            // lock.
            lock();
            Sudog s = head;
            head = null;
            tail = null;
            // Update the next ticket to be notified. We can set it to the current value of
            // wait because any previous waiters are already in the list or will notice that
            // they have already been notified when trying to add themselves to the list.
            notify = wait;
            unlock();
            // Go through the local list and ready all waiters.
            while (s != null) {
                Sudog next = s.next;
                s.next = null;
                checkWake(gp, s.g);
                Sema.readyWithTime(s);
                s = next;
            }
        } finally {
            Entry.exit(gp);
        }
    }

    /** Go's notifyListNotifyOne: wake the waiter with the next ticket, if it is waiting. */
    void notifyListNotifyOne() {
        G gp = Entry.enter();
        try {
            // Fast-path: if there are no new waiters since the last notification we don't
            // need to acquire the lock at all.
            if (wait == notify) {
                return;
            }
            lock();
            // Re-check under the lock if we need to do anything.
            int t = notify;
            if (t == wait) {
                unlock();
                return;
            }
            // Update the next notify ticket number.
            notify = t + 1;
            // Try to find the g that needs to be notified. If it hasn't made it to the list
            // yet we won't find it, but it won't park itself once it sees the new notify
            // number. This scan looks linear but essentially always stops quickly: waiters
            // queue in ticket order, modulo the race with notifiers.
            for (Sudog p = null, s = head; s != null; p = s, s = s.next) {
                if (s.ticket == t) {
                    Sudog n = s.next;
                    if (p != null) {
                        p.next = n;
                    } else {
                        head = n;
                    }
                    if (n == null) {
                        tail = p;
                    }
                    unlock();
                    s.next = null;
                    checkWake(gp, s.g);
                    Sema.readyWithTime(s);
                    return;
                }
            }
            unlock();
        } finally {
            Entry.exit(gp);
        }
    }
}
