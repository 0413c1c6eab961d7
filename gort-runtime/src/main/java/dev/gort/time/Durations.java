package dev.gort.time;

import java.time.Duration;

/** Duration to nanoseconds, saturating like Go's int64 Duration arithmetic. */
final class Durations {
    private Durations() {}

    static long nanos(Duration d) {
        if (d == null) {
            throw new NullPointerException("duration is null");
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
