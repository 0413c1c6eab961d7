package dev.gort.tests;

import dev.gort.Chan;
import dev.gort.Gort;

/**
 * Run by ClassInitTest in a fresh JVM: the main goroutine initializes K, whose initializer
 * waits for a value that only another goroutine sends, after it has read K: a true cycle.
 * Must end with Go's deadlock report (exit status 2), not hang.
 */
public final class ClassInitCycle {
    static final Chan<Integer> C = Chan.make();

    static final class K {
        static final int VALUE = C.recv();
    }

    public static void main(String[] args) {
        Gort.main(() -> {
            Gort.go(() -> C.send(K.VALUE + 1));
            System.out.println(K.VALUE);
        });
    }
}
