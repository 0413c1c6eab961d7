package dev.gort.sync;

import dev.gort.runtime.SyncRt;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Go's {@code sync.Mutex} (internal/sync/mutex.go, Go 1.24+), the same algorithm.
 *
 * <h2>Mutex fairness (Go's design)</h2>
 * A Mutex can be in 2 modes of operation: normal and starvation. In normal mode waiters
 * are queued in FIFO order, but a woken up waiter does not own the mutex and competes
 * with new arriving goroutines over the ownership. New arriving goroutines have an
 * advantage: they are already running on CPU and there can be lots of them, so a woken
 * up waiter has good chances of losing. In such case it is queued at the front of the
 * wait queue. If a waiter fails to acquire the mutex for more than 1ms, it switches the
 * mutex to starvation mode.
 *
 * <p>In starvation mode ownership of the mutex is directly handed off from the unlocking
 * goroutine to the waiter at the front of the queue. New arriving goroutines don't try to
 * acquire the mutex even if it appears to be unlocked, and don't try to spin. Instead they
 * queue themselves at the tail of the wait queue. If a waiter receives ownership and sees
 * that either it is the last waiter in the queue, or it waited for less than 1 ms, it
 * switches the mutex back to normal mode.
 *
 * <p>Normal mode has considerably better performance as a goroutine can acquire a mutex
 * several times in a row even if there are blocked waiters. Starvation mode is important
 * to prevent pathological cases of tail latency.
 *
 * <p>Locks are not owned (as in Go): one goroutine may unlock what another locked. Blocking
 * parks the goroutine, never the M; on a plain Java thread it blocks the thread. The zero
 * value ({@code new Mutex()}) is an unlocked mutex.
 *
 * <h2>In a controlled run (dev.gort.explore)</h2>
 * A mutex made by a goroutine of a controlled run starts with {@link #MUTEX_CONTROLLED}
 * (the sign bit) set, so both fast paths fail (the lock CAS expects 0, the unlock's result
 * is not 0) and the slow paths, seeing the bit, take the controlled path: every lock and
 * unlock is a scheduling point, and waiters wait on the semaphore, free to be overtaken
 * (the orders of Go's normal mode; starvation mode only narrows them). Normal mutexes pay
 * nothing: the bit is tested on values the slow paths and tryLock read anyway. A mutex
 * made outside the run and used inside it keeps Go's algorithm, whose uncontended
 * operations are then not scheduling points.
 */
public class Mutex implements Locker {
    static final int MUTEX_LOCKED = 1; // mutex is locked
    static final int MUTEX_WOKEN = 2;
    static final int MUTEX_STARVING = 4;
    static final int MUTEX_WAITER_SHIFT = 3;
    /** Not in Go: the mutex belongs to a controlled run (see the class comment). */
    static final int MUTEX_CONTROLLED = Integer.MIN_VALUE;
    /** Go's starvationThresholdNs: a waiter that waited 1ms switches to starvation mode. */
    static final long STARVATION_THRESHOLD_NS = 1_000_000;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Mutex.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    private final Object sema = SyncRt.newSema();

    /** An unlocked mutex. */
    public Mutex() {
        if (SyncRt.controlled()) {
            state = MUTEX_CONTROLLED;
        }
    }

    private boolean cas(int old, int nw) {
        return STATE.compareAndSet(this, old, nw);
    }

    /** {@code m.Lock}: locks m, waiting (parked) while it is locked. */
    @Override
    public void lock() {
        // Fast path: grab unlocked mutex.
        if (cas(0, MUTEX_LOCKED)) {
            return;
        }
        // Slow path (outlined so that the fast path can be inlined)
        lockSlow();
    }

    /** {@code m.TryLock}: locks m if it is unlocked, without waiting. */
    public boolean tryLock() {
        int old = state;
        if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) != 0) {
            if (old < 0) {
                SyncRt.yieldPoint(); // controlled: a scheduling point, failing or not
            }
            return false;
        }
        if (old < 0) {
            SyncRt.yieldPoint();
            old = state;
            if ((old & MUTEX_LOCKED) != 0) {
                return false;
            }
        }
        // There may be a goroutine waiting for the mutex, but we are running now and can
        // try to grab the mutex before that goroutine wakes up.
        return cas(old, old | MUTEX_LOCKED);
    }

    private void lockSlow() {
        if (state < 0) {
            lockControlled();
            return;
        }
        long waitStartTime = 0;
        boolean starving = false;
        boolean awoke = false;
        int iter = 0;
        int old = state;
        for (;;) {
            // Don't spin in starvation mode, ownership is handed off to waiters so we won't
            // be able to acquire the mutex anyway.
            if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == MUTEX_LOCKED && SyncRt.canSpin(iter)) {
                // Active spinning makes sense. Try to set mutexWoken flag to inform Unlock
                // to not wake other blocked goroutines.
                if (!awoke && (old & MUTEX_WOKEN) == 0 && (old >> MUTEX_WAITER_SHIFT) != 0
                        && cas(old, old | MUTEX_WOKEN)) {
                    awoke = true;
                }
                SyncRt.doSpin();
                iter++;
                old = state;
                continue;
            }
            int nw = old;
            // Don't try to acquire starving mutex, new arriving goroutines must queue.
            if ((old & MUTEX_STARVING) == 0) {
                nw |= MUTEX_LOCKED;
            }
            if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) != 0) {
                nw += 1 << MUTEX_WAITER_SHIFT;
            }
            // The current goroutine switches mutex to starvation mode. But if the mutex is
            // currently unlocked, don't do the switch. Unlock expects that starving mutex
            // has waiters, which will not be true in this case.
            if (starving && (old & MUTEX_LOCKED) != 0) {
                nw |= MUTEX_STARVING;
            }
            if (awoke) {
                // The goroutine has been woken from sleep, so we need to reset the flag in
                // either case.
                if ((nw & MUTEX_WOKEN) == 0) {
                    throw SyncRt.fatal("sync: inconsistent mutex state");
                }
                nw &= ~MUTEX_WOKEN;
            }
            if (cas(old, nw)) {
                if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == 0) {
                    break; // locked the mutex with CAS
                }
                // If we were already waiting before, queue at the front of the queue.
                boolean queueLifo = waitStartTime != 0;
                if (waitStartTime == 0) {
                    waitStartTime = SyncRt.nanotime();
                }
                SyncRt.semacquireMutex(sema, queueLifo);
                starving = starving || SyncRt.nanotime() - waitStartTime > STARVATION_THRESHOLD_NS;
                old = state;
                if ((old & MUTEX_STARVING) != 0) {
                    // If this goroutine was woken and mutex is in starvation mode, ownership
                    // was handed off to us but mutex is in somewhat inconsistent state:
                    // mutexLocked is not set and we are still accounted as waiter. Fix that.
                    if ((old & (MUTEX_LOCKED | MUTEX_WOKEN)) != 0 || (old >> MUTEX_WAITER_SHIFT) == 0) {
                        throw SyncRt.fatal("sync: inconsistent mutex state");
                    }
                    int delta = MUTEX_LOCKED - (1 << MUTEX_WAITER_SHIFT);
                    if (!starving || (old >> MUTEX_WAITER_SHIFT) == 1) {
                        // Exit starvation mode. Critical to do it here and consider wait
                        // time. Starvation mode is so inefficient, that two goroutines can
                        // go lock-step infinitely once they switch mutex to starvation mode.
                        delta -= MUTEX_STARVING;
                    }
                    STATE.getAndAdd(this, delta);
                    break;
                }
                awoke = true;
                iter = 0;
            } else {
                old = state;
            }
        }
    }

    /**
     * {@code m.Unlock}. A locked Mutex is not associated with a particular goroutine: one
     * goroutine may lock it and another unlock it.
     *
     * @throws dev.gort.FatalError "sync: unlock of unlocked mutex" (it kills the run)
     */
    @Override
    public void unlock() {
        // Fast path: drop lock bit.
        int nw = (int) STATE.getAndAdd(this, -MUTEX_LOCKED) - MUTEX_LOCKED;
        if (nw != 0) {
            // Outlined slow path to allow inlining the fast path.
            unlockSlow(nw);
        }
    }

    private void unlockSlow(int nw) {
        if (nw < 0) {
            unlockControlled(nw + MUTEX_LOCKED);
            return;
        }
        if (((nw + MUTEX_LOCKED) & MUTEX_LOCKED) == 0) {
            STATE.getAndAdd(this, MUTEX_LOCKED); // leave the state as it was
            throw SyncRt.fatal("sync: unlock of unlocked mutex");
        }
        if ((nw & MUTEX_STARVING) == 0) {
            int old = nw;
            for (;;) {
                // If there are no waiters or a goroutine has already been woken or grabbed
                // the lock, no need to wake anyone. In starvation mode ownership is directly
                // handed off from unlocking goroutine to the next waiter. We are not part of
                // this chain, since we did not observe mutexStarving when we unlocked the
                // mutex above. So get off the way.
                if ((old >> MUTEX_WAITER_SHIFT) == 0 || (old & (MUTEX_LOCKED | MUTEX_WOKEN | MUTEX_STARVING)) != 0) {
                    return;
                }
                // Grab the right to wake someone.
                nw = (old - (1 << MUTEX_WAITER_SHIFT)) | MUTEX_WOKEN;
                if (cas(old, nw)) {
                    SyncRt.semrelease(sema, false);
                    return;
                }
                old = state;
            }
        } else {
            // Starving mode: handoff mutex ownership to the next waiter, and yield our time
            // slice so that the next waiter can start to run immediately. Note: mutexLocked
            // is not set, the waiter will set it after wakeup. But mutex is still considered
            // locked if mutexStarving is set, so new coming goroutines won't acquire it.
            SyncRt.semrelease(sema, true);
        }
    }

    // ---- controlled runs (see the class comment): one goroutine runs at a time ----

    /** Lock in a controlled run: a scheduling point, then take the lock or wait on the semaphore. */
    private void lockControlled() {
        SyncRt.yieldPoint();
        for (;;) {
            int old = state;
            if ((old & MUTEX_LOCKED) == 0) {
                if (cas(old, old | MUTEX_LOCKED)) {
                    return;
                }
                continue;
            }
            if (cas(old, old + (1 << MUTEX_WAITER_SHIFT))) {
                SyncRt.semacquireMutex(sema, false); // the unlocker took us off the count
            }
        }
    }

    /** Unlock in a controlled run; old is the state before unlock's fast path took the lock bit off. */
    private void unlockControlled(int old) {
        if ((old & MUTEX_LOCKED) == 0) {
            STATE.getAndAdd(this, MUTEX_LOCKED); // leave the state as it was
            throw SyncRt.fatal("sync: unlock of unlocked mutex");
        }
        // The fast path has already unlocked: lock again, so that the unlock happens at the
        // scheduling point (after it, another goroutine may take the lock before any waiter
        // is woken, as in Go's normal mode).
        STATE.getAndAdd(this, MUTEX_LOCKED);
        SyncRt.yieldPoint();
        STATE.getAndAdd(this, -MUTEX_LOCKED);
        for (;;) {
            int cur = state;
            if (((cur & ~MUTEX_CONTROLLED) >> MUTEX_WAITER_SHIFT) == 0) {
                return;
            }
            if (cas(cur, cur - (1 << MUTEX_WAITER_SHIFT))) {
                SyncRt.semrelease(sema, false);
                return;
            }
        }
    }
}
