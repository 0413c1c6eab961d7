package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.explore.Explore;

/**
 * Run by AgentIT: under the agent, the checks it injects are scheduling points of a
 * controlled run. A goroutine spinning on a plain field lets the goroutine it waits for
 * run (without those yields the controller would wait for the spinner forever), and a
 * lost update split only by a loop (no gort operation between the read and the write) is
 * found and replayed.
 */
public final class ExploreUnderAgent {
    static int counter;
    static int sink;
    static final int[] NEXT = {1, 2, -1};

    public static void main(String[] args) {
        Explore.Result spin = Explore.run(Explore.random().iterations(20).seed(5), () -> {
            boolean[] set = {false};
            Gort.go(() -> set[0] = true);
            while (!set[0]) {
                sink++; // a call-free loop: only its back-edge check yields
            }
        });
        System.out.println("spin: " + (spin.failed() ? "failed " + spin.failure() : "passed " + spin.iterations()));

        Runnable lostUpdate = () -> {
            counter = 0;
            Chan<Object> done = Chan.make(2);
            for (int g = 0; g < 2; g++) {
                Gort.go(() -> {
                    int v = counter;
                    // Back-edges between the read and the write (a loop that is not a counted
                    // one: the agent checks each of its iterations, not once per strip).
                    for (int i = 0; i >= 0; i = NEXT[i]) {
                        sink += i;
                    }
                    counter = v + 1;
                    done.send(Boolean.TRUE);
                });
            }
            done.recv();
            done.recv();
            if (counter != 2) {
                throw new IllegalStateException("lost update: counter is " + counter);
            }
        };
        Explore.Result lost = Explore.run(Explore.random().iterations(200).seed(5), lostUpdate);
        System.out.println("lost update: " + (lost.failed() ? lost.failure().getMessage() : "not found"));
        if (lost.failed()) {
            try {
                Explore.replay(lost.schedule(), lostUpdate);
                System.out.println("replay passed");
            } catch (IllegalStateException e) {
                System.out.println("replayed: " + e.getMessage());
            }
        }
    }
}
