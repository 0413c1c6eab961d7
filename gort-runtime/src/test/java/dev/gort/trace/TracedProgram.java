package dev.gort.trace;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.sync.WaitGroup;

/**
 * A program run by {@link TraceSwitchTest} in a fresh JVM under {@code -Dgort.trace=FILE}:
 * goroutines ping-pong, then the program ends as its argument says: {@code exit} (main
 * returns), {@code panic} (a goroutine throws), {@code deadlock} (every goroutine blocks),
 * {@code halt} (a deadlock in {@code Gort.run}, then {@code Runtime.halt}: no shutdown hook
 * runs, so only the death hook can have completed the trace).
 */
public final class TracedProgram {
    private TracedProgram() {}

    static void pingPong() {
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
    }

    static void deadlock() {
        pingPong();
        Chan<Integer> c = Chan.make();
        Gort.go(() -> Chan.<Integer>make().send(1)); // blocked in chan send
        c.recv(); // main: blocked in chan receive
    }

    public static void main(String[] args) {
        switch (args[0]) {
            case "exit" -> Gort.main(() -> {
                pingPong();
                System.out.println("done");
            });
            case "panic" -> Gort.main(() -> {
                pingPong();
                Chan<Integer> c = Chan.make();
                Gort.go(() -> {
                    throw new IllegalStateException("boom");
                });
                c.recv();
            });
            case "deadlock" -> Gort.main(TracedProgram::deadlock);
            case "halt" -> {
                try {
                    Gort.run(TracedProgram::deadlock);
                } catch (FatalError e) {
                    Runtime.getRuntime().halt(3);
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
