package dev.gort.sync;

import dev.gort.runtime.SyncRt;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Go's {@code sync.RWMutex} (sync/rwmutex.go), the same algorithm: any number of readers
 * or one writer. A blocked writer excludes new readers (so a steady stream of readers
 * cannot starve it). {@link #lock}/{@link #unlock} are the writer's side. Not owned, as
 * in Go; the zero value is unlocked.
 */
public class RWMutex implements Locker {
    /** Go's rwmutexMaxReaders. */
    static final int RWMUTEX_MAX_READERS = 1 << 30;

    private final Mutex w = new Mutex(); // held if there are pending writers
    private final Object writerSem = SyncRt.newSema(); // semaphore for writers to wait for completing readers
    private final Object readerSem = SyncRt.newSema(); // semaphore for readers to wait for completing writers
    private final AtomicInteger readerCount = new AtomicInteger(); // number of pending readers
    private final AtomicInteger readerWait = new AtomicInteger(); // number of departing readers

    public RWMutex() {}

    /** {@code rw.RLock}: locks rw for reading; waits while a writer holds or waits for it. */
    public void rLock() {
        if (readerCount.incrementAndGet() < 0) {
            // A writer is pending, wait for it.
            SyncRt.semacquireRWMutexR(readerSem);
        }
    }

    /** {@code rw.TryRLock}. */
    public boolean tryRLock() {
        for (;;) {
            int c = readerCount.get();
            if (c < 0) {
                return false;
            }
            if (readerCount.compareAndSet(c, c + 1)) {
                return true;
            }
        }
    }

    /**
     * {@code rw.RUnlock}.
     *
     * @throws dev.gort.FatalError "sync: RUnlock of unlocked RWMutex" (it kills the run)
     */
    public void rUnlock() {
        int r = readerCount.decrementAndGet();
        if (r < 0) {
            // Outlined slow-path to allow the fast-path to be inlined
            rUnlockSlow(r);
        }
    }

    private void rUnlockSlow(int r) {
        if (r + 1 == 0 || r + 1 == -RWMUTEX_MAX_READERS) {
            readerCount.incrementAndGet(); // leave the state as it was
            throw SyncRt.fatal("sync: RUnlock of unlocked RWMutex");
        }
        // A writer is pending.
        if (readerWait.decrementAndGet() == 0) {
            // The last reader unblocks the writer.
            SyncRt.semrelease(writerSem, false);
        }
    }

    /** {@code rw.Lock}: locks rw for writing; waits for every reader and writer to leave. */
    @Override
    public void lock() {
        // First, resolve competition with other writers.
        w.lock();
        // Announce to readers there is a pending writer.
        int r = readerCount.addAndGet(-RWMUTEX_MAX_READERS) + RWMUTEX_MAX_READERS;
        // Wait for active readers.
        if (r != 0 && readerWait.addAndGet(r) != 0) {
            SyncRt.semacquireRWMutex(writerSem);
        }
    }

    /** {@code rw.TryLock}. */
    public boolean tryLock() {
        if (!w.tryLock()) {
            return false;
        }
        if (!readerCount.compareAndSet(0, -RWMUTEX_MAX_READERS)) {
            w.unlock();
            return false;
        }
        return true;
    }

    /**
     * {@code rw.Unlock}.
     *
     * @throws dev.gort.FatalError "sync: Unlock of unlocked RWMutex" (it kills the run)
     */
    @Override
    public void unlock() {
        // Announce to readers there is no active writer.
        int r = readerCount.addAndGet(RWMUTEX_MAX_READERS);
        if (r >= RWMUTEX_MAX_READERS) {
            readerCount.addAndGet(-RWMUTEX_MAX_READERS); // leave the state as it was
            throw SyncRt.fatal("sync: Unlock of unlocked RWMutex");
        }
        // Unblock blocked readers, if any.
        for (int i = 0; i < r; i++) {
            SyncRt.semrelease(readerSem, false);
        }
        // Allow other writers to proceed.
        w.unlock();
    }

    /** {@code rw.RLocker}: a Locker whose lock/unlock are rLock/rUnlock. */
    public Locker rLocker() {
        return new Locker() {
            @Override
            public void lock() {
                rLock();
            }

            @Override
            public void unlock() {
                rUnlock();
            }
        };
    }
}
