package dev.gort.sync;

import java.lang.reflect.Field;

/** Reads a Mutex's state word (white-box, for the starvation test). */
final class MutexProbe {
    private MutexProbe() {}

    private static final Field STATE;

    static {
        try {
            STATE = Mutex.class.getDeclaredField("state");
            STATE.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static int state(Mutex m) {
        try {
            return STATE.getInt(m);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
