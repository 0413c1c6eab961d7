package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;

/**
 * The harness of the "after a move" programs AgentIT runs (LockAfterMove, ThreadAfterMove,
 * AqsAfterMove): one goroutine calls a step ROUNDS times; each step makes a channel round
 * trip with a second goroutine (after which it often resumes on another M), then looks at
 * the current thread in the same method. A step counts the rounds that moved it in
 * {@link #moves} and reports the first wrong look in {@link #failure}.
 */
final class AfterMove {
    private AfterMove() {}

    /** One round: round trip i over ping and pong, then the look. */
    interface Step {
        void step(Chan<Integer> ping, Chan<Integer> pong, int i);
    }

    static int moves;
    static String failure;

    /** Runs rounds steps; prints "WHAT right after N moves", or the failure. */
    static void run(String[] args, String what, Step step) {
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
                    step.step(ping, pong, i);
                }
                done.send(true);
            });
            done.recv();
            System.out.println(failure != null ? failure : what + " right after " + moves + " moves");
        });
    }

    /**
     * Runs a step's release (named what); if it throws IllegalMonitorStateException, prints
     * the failure and exits 3: the lock stays held by a thread that no longer runs the
     * goroutine, so nothing after it would end.
     */
    static void release(int i, String what, Runnable release) {
        try {
            release.run();
        } catch (IllegalMonitorStateException e) {
            if (failure == null) {
                failure = "round " + i + ": " + what + " threw " + e;
            }
            System.out.println(failure);
            System.exit(3);
        }
    }

    /** The current thread, read in a frame of its own (not inlined: AgentIT's CompileCommand). */
    static Thread here() {
        return Thread.currentThread();
    }
}
