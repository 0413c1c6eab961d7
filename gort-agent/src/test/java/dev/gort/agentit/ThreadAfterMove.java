package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;

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
    static int moves;
    static String failure;

    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        Gort.main(() -> {
            Chan<Integer> ping = Chan.make(0);
            Chan<Integer> pong = Chan.make(0);
            Chan<Boolean> done = Chan.make(1);
            Gort.go(() -> {
                for (int i = 0; i < rounds; i++) {
                    pong.send(ping.recv());
                }
            });
            Gort.go(() -> {
                for (int i = 0; i < rounds && failure == null; i++) {
                    step(ping, pong, i);
                }
                done.send(true);
            });
            done.recv();
            System.out.println(failure != null ? failure : "thread right after " + moves + " moves");
        });
    }

    /** A read, one round trip, a read: the shape that saw a stale thread. */
    static void step(Chan<Integer> ping, Chan<Integer> pong, int i) {
        Thread before = Thread.currentThread();
        ping.send(i);
        pong.recv(); // parks: may resume on another M
        Thread after = Thread.currentThread();
        Thread fresh = here();
        if (fresh != before) {
            moves++;
        }
        if (after != fresh) {
            failure = "round " + i + ": Thread.currentThread() said " + after.getName() + " (before the park: "
                    + before.getName() + "), the goroutine runs on " + fresh.getName();
        }
    }

    /** The current thread, read in a frame of its own (not inlined: AgentIT's CompileCommand). */
    static Thread here() {
        return Thread.currentThread();
    }
}
