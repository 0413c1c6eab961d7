package dev.gort.sync;

import dev.gort.runtime.SyncRt;

import java.util.Objects;

/**
 * Go's {@code sync.Cond}: a rendezvous point for goroutines waiting for an event, with its
 * Locker held while the condition is checked or changed. Waiting takes a ticket before
 * releasing the lock, so a signal sent between the unlock and the sleep is not lost.
 */
public class Cond {
    private final Locker l;
    private final Object notify = SyncRt.newNotifyList();

    /**
     * {@code sync.NewCond(l)}.
     *
     * @throws NullPointerException if l is null
     */
    public Cond(Locker l) {
        this.l = Objects.requireNonNull(l, "sync.Cond needs a Locker");
    }

    /** {@code c.L}. */
    public Locker locker() {
        return l;
    }

    /**
     * {@code c.Wait}: atomically unlocks the locker and suspends the caller; re-locks it
     * before returning. Wake-ups may be spurious for the condition: check it in a loop.
     */
    public void await() {
        int t = SyncRt.notifyListAdd(notify);
        l.unlock();
        SyncRt.notifyListWait(notify, t);
        l.lock();
    }

    /** {@code c.Signal}: wakes one waiting goroutine, if any. */
    public void signal() {
        SyncRt.notifyListNotifyOne(notify);
    }

    /** {@code c.Broadcast}: wakes every waiting goroutine. */
    public void broadcast() {
        SyncRt.notifyListNotifyAll(notify);
    }
}
