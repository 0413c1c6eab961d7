package dev.gort.runtime;

import java.time.Instant;

/**
 * The runtime side of package time (time.go's timeSleep, resetForSleep, newTimer,
 * stopTimer, resetTimer, goroutineReady; sleep.go's sendTime and goFunc), for
 * {@code dev.gort.time}. A facade: public only because the API lives in another package.
 * Timers are handed out as opaque handles (a {@link RuntimeTimer}) that only this class
 * looks into. Inside a synctest bubble the clock is the bubble's and the timers are fake
 * (Go's {@code isFake}): they live in the bubble's heap ({@link SynctestBubble}); inside a
 * controlled run the clock is the run's ({@link FakeTime}).
 */
public final class TimeRt {
    private TimeRt() {}

    /** Timer kinds for {@link #newTimer}. */
    public static final int SEND_TIME = 0;
    public static final int GO_FUNC = 1;

    /** Go's goroutineReady: a sleeping goroutine's timer fired. */
    private static final RuntimeTimer.Func GOROUTINE_READY = (arg, seq, delay) -> Park.goready((G) arg);

    /**
     * Go's sendTime: a channel timer fired; send the time it should have fired at (delay
     * ago), without blocking (the channel has one slot, drained by stop/reset).
     */
    private static final RuntimeTimer.Func SEND_TIME_FUNC = (arg, seq, delay) ->
            Chans.chansend((HChan) arg, FakeTime.timerInstant(((HChan) arg).timer, delay), false, Park.getg());

    /** Go's goFunc: an AfterFunc timer fired; run its function in a new goroutine. */
    private static final RuntimeTimer.Func GO_FUNC_FUNC = (arg, seq, delay) -> {
        GoFunc g = (GoFunc) arg;
        NewProc.newproc(g.fn, g.run);
    };

    private record GoFunc(Runnable fn, Run run) {}

    /** Go's resetForSleep: arm the sleeping goroutine's timer once it is parked. */
    private static final Unlockf RESET_FOR_SLEEP = (gp, unused) -> {
        RuntimeTimer t = gp.timer();
        t.reset(t.sleepWhen, 0);
        return true;
    };

    /** Go's when(d): the clock reading d from now, saturated (the caller's clock: {@link FakeTime}). */
    public static long when(long d) {
        return when(FakeTime.nanotime(), d);
    }

    private static long when(long now, long d) {
        if (d <= 0) {
            return now;
        }
        long t = now + d;
        return t < 0 ? RuntimeTimer.MAX_WHEN : t; // check for overflow
    }

    /** Go's timeSleep: park the caller (a goroutine, or a plain thread) for ns nanoseconds. */
    public static void sleep(long ns) {
        Rt.start(); // the timer goes on a P's heap, and only a started runtime runs them
        G gp = Entry.enter();
        try {
            if (ns <= 0) {
                return;
            }
            if (gp == null) {
                throw new IllegalStateException("sleep on the scheduler's own stack");
            }
            RuntimeTimer t = gp.timer();
            if (t == null || t.bubble != gp.bubble()) {
                // (A bubble's root keeps its timer from before the bubble, a real one;
                // Go's synctestRun throws if it ever has a fake one. A root cannot sleep
                // inside its Run call, and after it, a new timer on the real clock.)
                t = new RuntimeTimer(GOROUTINE_READY, gp, null, gp.bubble());
                gp.setTimer(t);
            }
            t.sleepWhen = when(FakeTime.nanotime(gp), ns);
            if (t.bubble != null) {
                // Go: call timer.reset in this goroutine, since it's the one in a bubble.
                // The timer function cannot run before the goroutine is parked: time does
                // not advance until it parks.
                t.reset(t.sleepWhen, 0);
                Park.gopark(null, null, WaitReason.SLEEP);
            } else {
                Park.gopark(RESET_FOR_SLEEP, null, WaitReason.SLEEP);
            }
        } finally {
            Entry.exit(gp);
        }
    }

    /**
     * Go's newTimer: a timer firing at when (and every period after, if > 0). SEND_TIME sends
     * on c (a one-slot channel that becomes this timer's); GO_FUNC starts fn in a goroutine
     * of the caller's run.
     */
    public static Object newTimer(long when, long period, int kind, Runnable fn, HChan c) {
        Rt.start(); // as sleep: a timer armed before the runtime starts must not be lost
        G gp = Entry.enter();
        try {
            RuntimeTimer t;
            SynctestBubble bubble = gp != null ? gp.bubble() : null; // Go: t.isFake
            if (kind == SEND_TIME) {
                t = new RuntimeTimer(SEND_TIME_FUNC, c, c, bubble);
                t.modify(when, period, SEND_TIME_FUNC, c, 0);
            } else {
                Object arg = new GoFunc(fn, gp != null ? gp.run : null);
                t = new RuntimeTimer(GO_FUNC_FUNC, arg, null, bubble);
                t.modify(when, period, GO_FUNC_FUNC, arg, 0);
            }
            return t;
        } finally {
            Entry.exit(gp);
        }
    }

    /** Go's stopTimer. */
    public static boolean stopTimer(Object timer) {
        RuntimeTimer t = (RuntimeTimer) timer;
        G gp = Entry.enter();
        try {
            if (t.bubble != null && (gp == null || gp.bubble() == null)) {
                throw Panics.fatal("stop of synctest timer from outside bubble");
            }
            return t.stop();
        } finally {
            Entry.exit(gp);
        }
    }

    /** Go's resetTimer. */
    public static boolean resetTimer(Object timer, long when, long period) {
        RuntimeTimer t = (RuntimeTimer) timer;
        G gp = Entry.enter();
        try {
            if (t.bubble != null && (gp == null || gp.bubble() == null)) {
                throw Panics.fatal("reset of synctest timer from outside bubble");
            }
            return t.reset(when, period);
        } finally {
            Entry.exit(gp);
        }
    }

    /**
     * Go's time_runtimeNow (time.Now): the wall clock; inside a synctest bubble, its fake
     * clock (with no monotonic reading, as Go's); inside a controlled run, its virtual clock.
     */
    public static Instant now() {
        return FakeTime.now();
    }
}
