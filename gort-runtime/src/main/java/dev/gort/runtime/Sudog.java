package dev.gort.runtime;

/**
 * A G in a wait list: Go's {@code sudog} (runtime2.go). One G may wait on many objects
 * (select), and one object may have many waiters, so each (G, object) pair has its own
 * sudog. Fields are protected by the lock of the channel the sudog waits on.
 *
 * <p>{@code elem}: for a sender, the value to send; for a receiver, the slot the sender
 * fills in (Go: a pointer to the receiver's stack slot; here the value itself); for a
 * semaphore waiter, the {@link Sema} it waits on (Go's semaRoot.queue: the semaphore's
 * address), which a frozen waiter's hand-on needs ({@code Park.freeze}).
 *
 * <p>Every parked goroutine holds one sudog: fields are added only when a wait cannot do
 * without them (64 bytes now: the header, six references, two longs, two ints, two flags).
 */
final class Sudog {
    G g;
    Sudog next;
    Sudog prev;
    Object elem;
    /** True if g is participating in a select, so g.selectDone must be CASed to win the wake-up. */
    boolean isSelect;
    /** True if the G was woken because a value was delivered over channel c; false if c was closed. */
    boolean success;
    /** Go: g.waiting list link (select, in lock order). */
    Sudog waitlink;
    /** The channel this sudog waits on. */
    HChan c;
    /**
     * Go: sudog.releasetime: 0, or -1 while a goroutine whose block is profiled waits; the
     * waker stamps it with {@link MProf#cputicks} when it is not 0 (Go's send, recv,
     * closechan, readyWithTime). Written by the waiter before it queues and by the waker
     * under the lock that dequeued it (or before goready); read by the waiter after it woke.
     */
    long releasetime;
    /**
     * Go: sudog.acquiretime: when a mutex-profiled semaphore waiter began to wait (0: not
     * profiled); the head's and tail's are rewritten by each dequeue (Go's semaRoot.dequeue).
     * The semaphore's lock.
     */
    long acquiretime;
    /** Go: sudog.waiters: on the head of a semaphore's list, how many wait behind it. The semaphore's lock. */
    int waiters;
    /** Go: sudog.ticket: a semaphore handed over (1), or a Cond's ticket number. */
    int ticket;

    @Override
    public String toString() {
        return "sudog{" + g + (isSelect ? ", select" : "") + "}";
    }
}
