package dev.gort.runtime;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * Go's runtime {@code mutex} ({@code lock}/{@code unlock} in lock_spinbit.go) for the
 * scheduler's global lock: a short spin, then the waiting M sleeps until the holder
 * releases. Not reentrant and not owned: like Go's, it is released by whoever holds it,
 * which matters because a goroutine's lock may be released on g0 ({@code park_m}).
 *
 * <p>The sleeping part is the JDK's {@link AbstractQueuedSynchronizer} (a well-kept FIFO
 * queue of parked threads). Holders never block while holding it, so the spin phase
 * wins almost always.
 *
 * <p>Channels do not use this class: their lock is an int inside {@link HChan} (one
 * fewer object per channel), see {@link HChan#lock()}.
 */
final class RMutex extends AbstractQueuedSynchronizer {
    /** Spins before sleeping: a critical section of the scheduler is well under a microsecond. */
    private static final int SPINS = 128;

    void lock() {
        if (compareAndSetState(0, 1)) {
            return;
        }
        for (int i = 0; i < SPINS; i++) {
            Thread.onSpinWait();
            if (getState() == 0 && compareAndSetState(0, 1)) {
                return;
            }
        }
        acquire(1);
    }

    void unlock() {
        release(1);
    }

    @Override
    protected boolean tryAcquire(int arg) {
        return compareAndSetState(0, 1);
    }

    @Override
    protected boolean tryRelease(int arg) {
        if (getState() == 0) {
            throw Throw.fatalThrow("unlock of unlocked lock");
        }
        setState(0);
        return true;
    }
}
