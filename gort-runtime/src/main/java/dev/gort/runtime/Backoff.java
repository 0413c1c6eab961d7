package dev.gort.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * The waiting part of a spin lock (Go's lock2: procyield, then osyield, then sleep).
 * Holders of the locks that use it never block, so the first phase almost always wins;
 * the later phases only matter when a holder's thread was descheduled by the OS.
 */
final class Backoff {
    /** Busy-wait rounds: a channel critical section is ~100 ns. */
    static final int SPIN = 64;
    /** Rounds of {@link Thread#yield()} after spinning (Go: passive_spin = 1; the JVM has more threads per core). */
    static final int YIELD = 16;
    /** Sleep once yielding failed; short because the holder is running, only descheduled. */
    static final long SLEEP_NANOS = 10_000;

    private Backoff() {}

    static void pause(int round) {
        if (round < SPIN) {
            Thread.onSpinWait();
        } else if (round < SPIN + YIELD) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(SLEEP_NANOS);
        }
    }
}
