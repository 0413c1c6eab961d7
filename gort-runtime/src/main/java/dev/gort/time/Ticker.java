package dev.gort.time;

import dev.gort.Chan;
import dev.gort.Panic;
import dev.gort.runtime.TimeRt;

import java.time.Duration;
import java.time.Instant;

/**
 * Go's {@code time.Ticker}: delivers the time on {@link #c()} every period, dropping ticks
 * for slow receivers (the channel holds at most one). Go 1.23 semantics, as {@link Timer}.
 */
public final class Ticker {
    /** The runtime's timer (an opaque handle). */
    private final Object t;
    private final Chan<Instant> c;

    private Ticker(Object t, Chan<Instant> c) {
        this.t = t;
        this.c = c;
    }

    /**
     * {@code time.NewTicker}.
     *
     * @throws Panic "non-positive interval for NewTicker" if d <= 0
     */
    public static Ticker newTicker(Duration d) {
        long ns = Durations.nanos(d);
        if (ns <= 0) {
            throw new Panic("non-positive interval for NewTicker");
        }
        Chan<Instant> c = Chan.make(1);
        Object t = TimeRt.newTimer(TimeRt.when(ns), ns, TimeRt.SEND_TIME, null, c);
        return new Ticker(t, c);
    }

    /** {@code t.C}. */
    public Chan<Instant> c() {
        return c;
    }

    /** {@code t.Stop}: no more ticks will be sent (the channel is not closed). */
    public void stop() {
        TimeRt.stopTimer(t);
    }

    /**
     * {@code t.Reset}: stops the ticker and restarts it with period d; the next tick comes
     * after d.
     *
     * @throws Panic "non-positive interval for Ticker.Reset" if d <= 0
     */
    public void reset(Duration d) {
        long ns = Durations.nanos(d);
        if (ns <= 0) {
            throw new Panic("non-positive interval for Ticker.Reset");
        }
        TimeRt.resetTimer(t, TimeRt.when(ns), ns);
    }
}
