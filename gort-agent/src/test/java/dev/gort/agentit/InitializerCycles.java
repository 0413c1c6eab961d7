package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.sync.WaitGroup;

/**
 * Run by ClassInitIT: true cycles through static initializers, which must end in Go's
 * deadlock report (exit status 2) rather than hang. {@code channel}: the main goroutine
 * initializes K, whose initializer waits for a value that only another goroutine sends,
 * after it has read K. {@code classes}: two goroutines initialize A and B, whose
 * initializers need each other (the JVM alone hangs there, reporting nothing).
 */
public final class InitializerCycles {
    static final Chan<Integer> C = Chan.make();

    static final class K {
        static final int VALUE = C.recv();
    }

    static final class A {
        static final int X;

        static {
            pause();
            X = B.Y + 1;
        }
    }

    static final class B {
        static final int Y;

        static {
            pause();
            Y = A.X + 1;
        }
    }

    /** Long enough that both initializations have begun before either needs the other. */
    static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) {
        Gort.main(() -> {
            if (args[0].equals("channel")) {
                Gort.go(() -> C.send(K.VALUE + 1));
                System.out.println(K.VALUE);
            } else {
                WaitGroup wg = new WaitGroup();
                wg.go(() -> System.out.println(A.X));
                wg.go(() -> System.out.println(B.Y));
                wg.await();
            }
        });
    }
}
