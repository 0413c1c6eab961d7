package dev.gort.runtime;

import java.time.Instant;

/**
 * The one place the clock hooks ask which clock applies to the caller: its synctest
 * bubble's ({@link SynctestBubble#now}), else its controlled run's ({@link Controlled#now}),
 * else the real ones (Go's time_runtimeNano and time_runtimeNow, time.go, which test
 * {@code getg().bubble}). New timers ({@link TimeRt#when}) and {@code Time.now} read the
 * caller's clock; a timer that runs ({@link RuntimeTimer#maybeRunChan}, the value its
 * channel sends: {@link #timerInstant}) reads its own: its bubble's if it was made in one
 * (Go's {@code t.isFake}), else the controlled run's or the real one. (sync.Mutex's
 * starvation clock is the real one in a bubble, as Go's: SyncRt.)
 *
 * <p>Both fake clocks count nanoseconds since the Unix epoch from Go's synctestBaseTime
 * (midnight UTC 2000-01-01), so that a fake reading is also a wall-clock time: inside a
 * bubble Go's time.Now has no monotonic reading, and its wall clock is the bubble's now.
 * The real clock of timers is the monotonic {@link Clock#nanotime}; the two never meet,
 * since a fake timer lives in its bubble's or controller's own heap.
 *
 * <p>Cost: while a bubble exists, the caller's clock needs the current goroutine, read
 * afresh ({@link Current#m}: a bubble's goroutine moves between Ms), then two plain fields
 * of it, on paths that arm timers or read the time ({@link #nanotime(G)} when the
 * goroutine is at hand); while none does, a plain static read more than before. A running
 * timer's clock costs a field of the timer and, as before bubbles, a read of the thread.
 */
final class FakeTime {
    private FakeTime() {}

    /** Go's synctestBaseTime (synctest.go): midnight UTC 2000-01-01, in nanoseconds since the Unix epoch. */
    static final long BASE_TIME = 946_684_800_000_000_000L;

    /** The fake clock's reading for gp on mp, or 0 if no fake clock applies (a reading is never 0). */
    static long fake(M mp, G gp) {
        if (gp != null) {
            SynctestBubble b = gp.bubble();
            if (b != null) {
                return b.now;
            }
        }
        return controlled(mp, gp);
    }

    /** The controlled run's clock for gp on mp, or 0. */
    private static long controlled(M mp, G gp) {
        if (gp != null) {
            Controlled c = gp.ctl();
            if (c != null) {
                return c.now;
            }
        }
        if (mp != null && mp.ctl != null) {
            return mp.ctl.now; // the controller's own loop, running its timers
        }
        return 0;
    }

    /** Go's nanotime as the caller sees it (time_runtimeNano): a fake clock, or the monotonic one. */
    static long nanotime() {
        long f = fake();
        return f != 0 ? f : Clock.nanotime();
    }

    /**
     * The caller's fake clock, or 0. While no bubble exists (one plain static read,
     * {@link SynctestBubble#current}), only a controlled run's can apply: the thread read
     * directly ({@link Controlled#controllerM}), as before bubbles existed.
     */
    private static long fake() {
        if (!SynctestBubble.anyLive()) {
            M mp = Controlled.controllerM();
            return mp != null ? mp.ctl.now : 0;
        }
        M mp = Current.m();
        return fake(mp, mp != null ? mp.curg : null);
    }

    /** {@link #nanotime()} for gp, the caller's goroutine, at hand. */
    static long nanotime(G gp) {
        long f = fake(gp.m, gp);
        return f != 0 ? f : Clock.nanotime();
    }

    /** Go's time.Now (time_runtimeNow): a fake clock's reading as a wall-clock time, or the wall clock. */
    static Instant now() {
        long f = fake();
        return f != 0 ? Instant.ofEpochSecond(0, f) : Instant.now();
    }

    /**
     * The clock of timer t as it runs: a fake timer's is its bubble's (Go's maybeRunChan:
     * {@code if t.isFake { now = bubble.now }}), whoever runs it; any other timer's is the
     * controlled run's (its timers run on its controller's M, and its goroutines never
     * leave that M: the thread read directly cannot be stale, {@link Controlled#controllerM}),
     * or the monotonic clock, also when a goroutine of a bubble runs it.
     */
    static long timerNanotime(RuntimeTimer t) {
        SynctestBubble b = t.bubble;
        if (b != null) {
            return b.now;
        }
        M mp = Controlled.controllerM();
        return mp != null ? mp.ctl.now : Clock.nanotime();
    }

    /**
     * The time timer t's channel sends (Go's sendTime: {@code Now().Add(-delay)}, where Now
     * is the bubble's for a fake timer, which runs in its bubble, and the real one for
     * another, which Go runs on g0 even when a bubble's goroutine runs it).
     */
    static Instant timerInstant(RuntimeTimer t, long delay) {
        SynctestBubble b = t.bubble;
        if (b != null) {
            return Instant.ofEpochSecond(0, b.now - delay);
        }
        M mp = Controlled.controllerM();
        return mp != null ? Instant.ofEpochSecond(0, mp.ctl.now - delay) : Instant.now().minusNanos(delay);
    }
}
