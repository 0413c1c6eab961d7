package dev.gort.tests;

import dev.gort.Chan;

/**
 * Call sites outside gort's runtime package, for tests inside it whose own frames a
 * profile's stack leaves out (ProfStack hides {@code dev.gort.runtime}).
 */
public final class Sites {
    private Sites() {}

    public static Object recvA(Chan<Object> c) {
        return c.recv();
    }

    public static Object recvB(Chan<Object> c) {
        return c.recv();
    }
}
