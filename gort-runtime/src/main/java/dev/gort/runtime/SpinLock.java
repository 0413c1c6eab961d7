package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A runtime lock in one int, for objects that exist in large numbers (channels, timers):
 * Go's runtime {@code mutex} spins, yields, then sleeps ({@link Backoff}); critical sections
 * here are short and never block. Not owned: released by whoever holds it, possibly on
 * another stack of the same thread (a goroutine parks holding a channel lock; its M
 * releases it in park_m). Package-private: {@link HChan}, which the API extends, is public,
 * but nothing of this class is visible through it.
 */
abstract class SpinLock {
    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(SpinLock.class, "lockWord", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through LOCK
    private int lockWord;

    SpinLock() {}

    final void lock() {
        if (!LOCK.compareAndSet(this, 0, 1)) {
            lockSlow();
        }
    }

    private void lockSlow() {
        for (int i = 0; ; i++) {
            if ((int) LOCK.getOpaque(this) == 0 && LOCK.compareAndSet(this, 0, 1)) {
                return;
            }
            Backoff.pause(i);
        }
    }

    final void unlock() {
        LOCK.setRelease(this, 0);
    }

    /** A SpinLock with nothing else in it (a timer's sendLock). */
    static final class Plain extends SpinLock {}
}
