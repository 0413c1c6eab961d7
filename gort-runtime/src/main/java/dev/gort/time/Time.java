package dev.gort.time;

import dev.gort.Chan;
import dev.gort.runtime.TimeRt;

import java.time.Duration;
import java.time.Instant;

/**
 * Go's package time: sleeping and one-shot timers. Backed by the runtime's per-P timer
 * heaps, so a sleeping goroutine holds no thread. On a plain Java thread, {@link #sleep}
 * blocks the thread (not interruptibly, like every gort wait).
 */
public final class Time {
    private Time() {}

    /**
     * {@code time.Now}: the wall-clock time; inside a {@code Synctest} bubble, the bubble's
     * fake clock (it starts at 2000-01-01T00:00:00Z); inside a controlled run
     * ({@code Explore}), the run's virtual clock.
     */
    public static Instant now() {
        return TimeRt.now();
    }

    /**
     * {@code time.Since}: the time elapsed since t, on the clock of {@link #now} (exact
     * inside a bubble: Go's fake times carry no monotonic reading either).
     *
     * @throws NullPointerException if t is null
     */
    public static Duration since(Instant t) {
        if (t == null) {
            throw new NullPointerException("since of null time");
        }
        return Duration.between(t, TimeRt.now());
    }

    /** {@code time.Sleep}: parks the calling goroutine for at least d (returns at once if d <= 0). */
    public static void sleep(Duration d) {
        TimeRt.sleep(Durations.nanos(d));
    }

    /**
     * {@code time.After}: a channel that receives the time once d has elapsed. Equivalent to
     * {@code Timer.newTimer(d).c()}; an unreferenced timer is garbage (Go 1.23).
     */
    public static Chan<Instant> after(Duration d) {
        return Timer.newTimer(d).c();
    }

    /**
     * {@code time.AfterFunc}: runs f in its own goroutine once d has elapsed (it belongs to
     * the caller's run). The returned timer's {@code c()} is null, as Go's {@code C} is nil.
     */
    public static Timer afterFunc(Duration d, Runnable f) {
        if (f == null) {
            throw new NullPointerException("afterFunc of nil func value");
        }
        return Timer.afterFunc(d, f);
    }
}
