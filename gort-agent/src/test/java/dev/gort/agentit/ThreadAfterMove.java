package dev.gort.agentit;

import dev.gort.Chan;

/**
 * Run by AgentIT: a goroutine reads {@code Thread.currentThread()}, parks (a channel round
 * trip with another goroutine, after which it often resumes on another M), and reads it
 * again in the same method. C2 treats {@code Thread.currentThread()} as fixed within one
 * compiled method, so, unless the agent routes the application's reads through a frame of
 * their own, the second read returns the thread the goroutine ran on <em>before</em> the
 * park: it then differs from {@link #here} (never inlined, so it reads the thread afresh).
 *
 * <p>Prints "thread right after N moves" (N: the round trips after which the goroutine ran
 * on another thread) or the first round that saw a stale thread. AgentIT runs it with here
 * not inlined and {@code -Xbatch}, so that step is compiled by C2 early.
 */
public final class ThreadAfterMove {

    public static void main(String[] args) {
        AfterMove.run(args, "thread", ThreadAfterMove::step);
    }

    /** A read, one round trip, a read: the shape that saw a stale thread. */
    static void step(Chan<Integer> ping, Chan<Integer> pong, int i) {
        Thread before = Thread.currentThread();
        ping.send(i);
        pong.recv(); // parks: may resume on another M
        Thread after = Thread.currentThread();
        Thread fresh = AfterMove.here();
        if (fresh != before) {
            AfterMove.moves++;
        }
        if (after != fresh) {
            AfterMove.failure = "round " + i + ": Thread.currentThread() said " + after.getName() + " (before the park: "
                    + before.getName() + "), the goroutine runs on " + fresh.getName();
        }
    }
}
