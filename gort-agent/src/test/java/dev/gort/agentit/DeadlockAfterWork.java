package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.sync.WaitGroup;

/**
 * Run by AgentIT under {@code trace=} and {@code flight=}: goroutines ping-pong, then the
 * run deadlocks. {@code main} (no argument) deadlocks as a program (Gort.main: status 2);
 * {@code twice} has two runs deadlock in Gort.run and exits normally.
 */
public final class DeadlockAfterWork {
    private DeadlockAfterWork() {}

    static void deadlock() {
        Chan<Integer> ping = Chan.make();
        Chan<Integer> pong = Chan.make();
        WaitGroup wg = new WaitGroup();
        wg.go(() -> {
            for (int i = 0; i < 200; i++) {
                ping.send(i);
                pong.recv();
            }
        });
        wg.go(() -> {
            for (int i = 0; i < 200; i++) {
                pong.send(ping.recv());
            }
        });
        wg.await();
        Gort.go(() -> Chan.<Integer>make().send(1)); // blocked in chan send
        Chan.<Integer>make().recv(); // main: blocked in chan receive
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("twice")) {
            for (int i = 0; i < 2; i++) {
                try {
                    Gort.run(DeadlockAfterWork::deadlock);
                } catch (FatalError e) {
                    System.out.println("died: " + e.getMessage());
                }
            }
            return;
        }
        Gort.main(DeadlockAfterWork::deadlock);
    }
}
