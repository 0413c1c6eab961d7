package dev.gort.runtime;


/**
 * The runtime side of package time (time.go's timeSleep, resetForSleep, newTimer,
 * stopTimer, resetTimer, goroutineReady; sleep.go's sendTime and goFunc), for
 * {@code dev.gort.time}. A facade: public only because the API lives in another package.
 * Timers are handed out as opaque handles (a {@link RuntimeTimer}) that only this class
 * looks into.
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
            Chans.chansend((HChan) arg, Controlled.instant(delay), false, Park.getg());

    /** Go's goFunc: an AfterFunc timer fired; run its function in a new goroutine. */
    private static final RuntimeTimer.Func GO_FUNC_FUNC = (arg, seq, delay) -> {
        GoFunc g = (GoFunc) arg;
        NewProc.newproc(g.fn, g.run);
    };

    private record GoFunc(Runnable fn, Run run) {}

    /** Go's resetForSleep: arm the sleeping goroutine's timer once it is parked. */
    private static final Unlockf RESET_FOR_SLEEP = (gp, unused) -> {
        RuntimeTimer t = gp.timer;
        t.reset(t.sleepWhen, 0);
        return true;
    };

    /** Go's when(d): the clock reading d from now, saturated. */
    public static long when(long d) {
        long now = Controlled.nanotime();
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
            RuntimeTimer t = gp.timer;
            if (t == null) {
                t = new RuntimeTimer(GOROUTINE_READY, gp, null);
                gp.timer = t;
            }
            t.sleepWhen = when(ns);
            Park.gopark(RESET_FOR_SLEEP, null, WaitReason.SLEEP);
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
            if (kind == SEND_TIME) {
                t = new RuntimeTimer(SEND_TIME_FUNC, c, c);
                t.modify(when, period, SEND_TIME_FUNC, c, 0);
            } else {
                Object arg = new GoFunc(fn, gp != null ? gp.run : null);
                t = new RuntimeTimer(GO_FUNC_FUNC, arg, null);
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
            return t.reset(when, period);
        } finally {
            Entry.exit(gp);
        }
    }
}
