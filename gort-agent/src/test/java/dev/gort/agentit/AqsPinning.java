package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.time.Time;

import java.time.Duration;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * Run by AgentIT with {@code maxprocs=1}: as LockPinning, for owner-based locks written
 * directly on AQS that are no {@code java.util.concurrent.locks.Lock}: one records its owner
 * with setExclusiveOwnerThread, the other in a field of its own (the shape of Groovy's
 * LockableObject, which failed under the agent before it pinned such locks). The holder
 * is asked to yield (its time slice ends) and parks on a timer while it holds the lock, and
 * other goroutines wait for it. Unpinned, the holder comes back on another M and its
 * unlock throws IllegalMonitorStateException. Prints "exclusive" or what went wrong.
 *
 * <p>The two locks repeat InstrumenterTest's fixtures ({@code Shapes.OwnableMutex},
 * {@code Shapes.OwnerFieldMutex}) on purpose: those live in the agent's own package, which
 * the agent never instruments.
 */
public final class AqsPinning {
    interface Mutex {
        void lock();

        void unlock();
    }

    /** Non-reentrant; its owner is the thread given to setExclusiveOwnerThread. */
    static final class OwnerSetMutex extends AbstractQueuedSynchronizer implements Mutex {
        @Override
        protected boolean tryAcquire(int arg) {
            if (compareAndSetState(0, 1)) {
                setExclusiveOwnerThread(Thread.currentThread());
                return true;
            }
            return false;
        }

        @Override
        protected boolean tryRelease(int arg) {
            if (getExclusiveOwnerThread() != Thread.currentThread()) {
                throw new IllegalMonitorStateException("released by a thread that does not own it");
            }
            setExclusiveOwnerThread(null);
            setState(0);
            return true;
        }

        /** Its owner (AqsAfterMove reads it; getExclusiveOwnerThread is protected). */
        Thread owner() {
            return getExclusiveOwnerThread();
        }

        @Override
        public void lock() {
            acquire(1);
        }

        @Override
        public void unlock() {
            release(1);
        }
    }

    /** Non-reentrant; its owner is in a field of its own, set on a fast path outside AQS. */
    static final class OwnerFieldMutex extends AbstractQueuedSynchronizer implements Mutex {
        transient Thread owner;

        @Override
        protected boolean tryAcquire(int arg) {
            if (compareAndSetState(0, 1)) {
                owner = Thread.currentThread();
                return true;
            }
            return false;
        }

        @Override
        protected boolean tryRelease(int arg) {
            if (owner != Thread.currentThread()) {
                throw new IllegalMonitorStateException("released by a thread that does not own it");
            }
            owner = null;
            setState(0);
            return true;
        }

        @Override
        public void lock() {
            if (compareAndSetState(0, 1)) {
                owner = Thread.currentThread();
            } else {
                acquire(1);
            }
        }

        @Override
        public void unlock() {
            release(1);
        }
    }

    static volatile boolean inside;
    static volatile String failure;

    public static void main(String[] args) {
        Gort.main(() -> {
            exclusive(new OwnerSetMutex());
            exclusive(new OwnerFieldMutex());
            System.out.println(failure == null ? "exclusive" : failure);
        });
    }

    static void exclusive(Mutex mutex) {
        Chan<Boolean> done = Chan.make(3);
        Chan<Boolean> holding = Chan.make(1);
        String kind = mutex.getClass().getSimpleName();
        Gort.go(() -> {
            mutex.lock();
            try {
                Thread before = Thread.currentThread();
                inside = true;
                holding.send(true);
                LockPinning.spin(30); // past the 10 ms time slice: sysmon asks for preemption
                Time.sleep(Duration.ofMillis(5)); // parks: pinned, it blocks its M
                if (Thread.currentThread() != before) {
                    failure = "the holder of the " + kind + " moved to another thread";
                }
                inside = false;
            } finally {
                mutex.unlock();
            }
            done.send(true);
        });
        holding.recv();
        for (int i = 0; i < 2; i++) {
            Gort.go(() -> {
                mutex.lock();
                try {
                    if (inside) {
                        failure = "two goroutines held the " + kind + " at once";
                    }
                } finally {
                    mutex.unlock();
                }
                done.send(true);
            });
        }
        for (int i = 0; i < 3; i++) {
            done.recv();
        }
    }
}
