package dev.gort.runtime;

import java.util.function.LongSupplier;

/**
 * Go's nanotime: the monotonic clock of timers, sysmon and schedtrace. Tests may install
 * another source to drive time by hand (the style guide's injectable clock).
 */
final class Clock {
    private Clock() {}

    private static final LongSupplier SYSTEM = System::nanoTime;
    private static volatile LongSupplier source = SYSTEM;

    static long nanotime() {
        LongSupplier s = source;
        return s == SYSTEM ? System.nanoTime() : s.getAsLong();
    }

    /** Installs a clock (tests); null restores the system clock. */
    static void set(LongSupplier s) {
        source = s == null ? SYSTEM : s;
    }
}
