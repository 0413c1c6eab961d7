package dev.gort.agentit;

import dev.gort.Chan;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Run by AgentIT: a goroutine parks (a channel round trip with another goroutine, after
 * which it often resumes on another M) and then takes a ReentrantLock in the same method.
 * C2 inlines {@code lock()} into that method and treats {@code Thread.currentThread()} as
 * fixed within it, so, unless the agent keeps the lock call out of the caller's compiled
 * frame, the lock names the thread the goroutine ran on <em>before</em> the park as its
 * owner: {@link #ownedHere} (never inlined, so it reads the thread afresh) then says the
 * lock is not the current thread's, and {@code unlock()} throws
 * IllegalMonitorStateException. The injected preemption checks move goroutines the same
 * way, though rarely (MonitorShapes failed so in about one run in 50).
 *
 * <p>Prints "owner right after N moves" (N: the round trips after which the goroutine ran
 * on another thread) or what went wrong. AgentIT runs it with ownedHere and here not
 * inlined and {@code -Xbatch}, so that step is compiled by C2 early.
 */
public final class LockAfterMove {
    static final ReentrantLock LOCK = new ReentrantLock();

    public static void main(String[] args) {
        AfterMove.run(args, "owner", LockAfterMove::step);
    }

    /** One round trip, then the lock: the shape that recorded a stale owner. */
    static void step(Chan<Integer> ping, Chan<Integer> pong, int i) {
        Thread before = AfterMove.here();
        ping.send(i);
        pong.recv(); // parks: may resume on another M
        LOCK.lock();
        try {
            if (AfterMove.here() != before) {
                AfterMove.moves++;
            }
            if (!ownedHere()) {
                AfterMove.failure = "round " + i + ": the lock names " + owner() + " as its owner, the goroutine runs on " + AfterMove.here().getName();
            }
        } finally {
            // A lambda, not LOCK::unlock: the agent rewrites the call in a lambda's body, but
            // not a method reference (it would unlock without unpinning).
            AfterMove.release(i, "unlock", () -> LOCK.unlock());
        }
    }

    /** Whether the lock's owner is the current thread, read in a frame of its own. */
    static boolean ownedHere() {
        return LOCK.isHeldByCurrentThread();
    }

    private static String owner() {
        String s = LOCK.toString(); // "...[Locked by thread NAME]"
        String by = "[Locked by thread ";
        int at = s.indexOf(by);
        return at < 0 ? "nobody" : s.substring(at + by.length(), s.length() - 1);
    }
}
