package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Go's TestPreemption (proc_test.go), run by AgentIT under {@code preempt=prologue} and
 * {@code maxprocs=1}: two goroutines take turns through a shared word, each spinning on a
 * call until it is its turn. Only the checks in the prologues of the called methods can
 * make the spinner give up the one P.
 */
public final class PreemptAtCalls {
    static final AtomicInteger x = new AtomicInteger();
    static int sink;

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        Gort.main(() -> {
            Chan<Boolean> c = Chan.make();
            for (int g = 0; g < 2; g++) {
                int me = g;
                Gort.go(() -> {
                    for (int i = 0; i < n; i++) {
                        while (x.get() != me) {
                            preempt(me);
                        }
                        x.set(1 - me);
                    }
                    c.send(true);
                });
            }
            c.recv();
            c.recv();
            System.out.println("alternated " + n + " times");
        });
    }

    /** A method that calls (so it gets a prologue check): Go's noinline preempt(). */
    static void preempt(int g) {
        sink += leaf(g);
    }

    static int leaf(int g) {
        return g * 31 + 1;
    }
}
