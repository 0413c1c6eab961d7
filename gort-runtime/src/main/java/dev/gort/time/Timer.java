package dev.gort.time;

import dev.gort.Chan;
import dev.gort.runtime.TimeRt;

import java.time.Duration;
import java.time.Instant;

/**
 * Go's {@code time.Timer}, with Go 1.23 semantics: the channel is unbuffered as far as
 * anyone can see ({@code cap() == 0}); after {@link #stop} or {@link #reset} returns, no
 * value from the old setting is ever received; a timer nobody references is garbage even
 * if it was never stopped.
 */
public final class Timer {
    /** The runtime's timer (an opaque handle). */
    private final Object t;
    private final Chan<Instant> c;

    private Timer(Object t, Chan<Instant> c) {
        this.t = t;
        this.c = c;
    }

    /** {@code time.NewTimer}: sends the current time on {@link #c()} after at least d. */
    public static Timer newTimer(Duration d) {
        Chan<Instant> c = Chan.make(1);
        Object t = TimeRt.newTimer(TimeRt.when(Durations.nanos(d)), 0, TimeRt.SEND_TIME, null, c);
        return new Timer(t, c);
    }

    static Timer afterFunc(Duration d, Runnable f) {
        Object t = TimeRt.newTimer(TimeRt.when(Durations.nanos(d)), 0, TimeRt.GO_FUNC, f, null);
        return new Timer(t, null);
    }

    /** {@code t.C}: the timer's channel; null for an {@code afterFunc} timer. */
    public Chan<Instant> c() {
        return c;
    }

    /**
     * {@code t.Stop}: prevents the timer from firing. Returns true if the call stopped it,
     * false if it had already expired or been stopped. For an afterFunc timer, false means
     * the function has already been started in its own goroutine.
     */
    public boolean stop() {
        return TimeRt.stopTimer(t);
    }

    /**
     * {@code t.Reset}: changes the timer to expire after d. Returns true if it had been
     * active, false if it had expired or been stopped. No value from the old setting is
     * received after reset returns.
     */
    public boolean reset(Duration d) {
        return TimeRt.resetTimer(t, TimeRt.when(Durations.nanos(d)), 0);
    }
}
