package dev.gort.agentit;

import dev.gort.Chan;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * Run by AgentIT: as {@link LockAfterMove}, for the application's own synchronizer on AQS
 * (no {@code Lock}, so no pinning hook takes it in a frame of its own): its tryAcquire
 * names {@code Thread.currentThread()} as the owner, and inlined into a method that parked
 * and resumed on another M, C2 would hand it the thread of before the park, unless the agent
 * routes that read through its hook. Its tryRelease then throws IllegalMonitorStateException.
 *
 * <p>Prints "owner right after N moves" or what went wrong.
 */
public final class AqsAfterMove {
    static final Mutex MUTEX = new Mutex();

    /** A mutex written on AQS as its javadoc shows. */
    static final class Mutex extends AbstractQueuedSynchronizer {
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
                throw new IllegalMonitorStateException("owner " + getExclusiveOwnerThread());
            }
            setExclusiveOwnerThread(null);
            setState(0);
            return true;
        }

        Thread owner() {
            return getExclusiveOwnerThread();
        }
    }

    public static void main(String[] args) {
        AfterMove.run(args, "owner", AqsAfterMove::step);
    }

    /** One round trip, then the mutex: the shape that would record a stale owner. */
    static void step(Chan<Integer> ping, Chan<Integer> pong, int i) {
        Thread before = AfterMove.here();
        ping.send(i);
        pong.recv(); // parks: may resume on another M
        MUTEX.acquire(1);
        try {
            if (AfterMove.here() != before) {
                AfterMove.moves++;
            }
            if (ownerOf() != AfterMove.here()) {
                AfterMove.failure = "round " + i + ": the mutex names " + ownerOf().getName() + " as its owner, the goroutine runs on "
                        + AfterMove.here().getName();
            }
        } finally {
            try {
                MUTEX.release(1);
            } catch (IllegalMonitorStateException e) {
                if (AfterMove.failure == null) {
                    AfterMove.failure = "round " + i + ": release threw " + e;
                }
                System.out.println(AfterMove.failure);
                System.exit(3); // the mutex stays held by a thread that no longer runs the goroutine
            }
        }
    }

    /** The mutex's owner, read in a frame of its own. */
    static Thread ownerOf() {
        return MUTEX.owner();
    }
}
