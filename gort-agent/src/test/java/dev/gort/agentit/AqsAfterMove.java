package dev.gort.agentit;

import dev.gort.Chan;


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
    /** A mutex written on AQS as its javadoc shows (AqsPinning's). */
    static final AqsPinning.OwnerSetMutex MUTEX = new AqsPinning.OwnerSetMutex();

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
            AfterMove.release(i, "release", () -> MUTEX.release(1));
        }
    }

    /** The mutex's owner, read in a frame of its own. */
    static Thread ownerOf() {
        return MUTEX.owner();
    }
}
