package dev.gort.runtime;

import dev.gort.runtime.ProfRt.Stack;

/**
 * The stacks of block and mutex events (Go's saveblockevent's traceback), remembered per
 * goroutine and site so that an event does not always pay for a stack walk.
 *
 * <p>Go unwinds frame pointers at every event (~100 ns for the whole event on its
 * ping-pong); a Java stack walk costs 2-5 us ({@link ProfStack#here}, measured inside a
 * goroutine 2 to 30 frames deep), ten times a whole gort round trip. So each goroutine keeps
 * the last {@link #N} sites it recorded an event at, a site being what it blocked in
 * ({@code what}: the wait reason, or {@link MProf#UNLOCK} for the unlocker of a mutex
 * event) and on what ({@code on}: the channel, semaphore or notify list; a select's first
 * case's channel), with the bucket record of the stack walked there. An event at a known
 * site takes that record; the stack is walked again after a random number of uses (uniform
 * in 1..2*period, so that no alternation of two call sites can hide one from every
 * verification), and a walk that finds another stack than the one remembered marks the
 * site <em>unstable</em>: from then on every event there walks, and is exact. The period
 * starts at {@link #REFRESH_MIN} and, after {@link #SETTLE_WALKS} agreeing verifications,
 * doubles with each verification that agrees, up to
 * {@link #REFRESH_MAX}: a site with two call sites is caught early (the first
 * verifications come within tens of events), and a site that has shown one stack for
 * thousands of events costs a walk per thousand or so. What can be wrong: the events at a
 * site that reaches one object from two call sites, before a verification walk tells them
 * apart (typically the first few dozen per goroutine and site; up to about
 * {@link #REFRESH_MAX} when a second call site appears after a long stable run).
 *
 * <p>The frames: the goroutine's own ({@link ProfStack}: gort's runtime frames dropped),
 * then of gort's API frames on top only the outermost, the one the program called
 * ({@code dev.gort.sync.Mutex.lock}, not its {@code lockSlow} below it), as Go's skip
 * counts leave {@code sync.(*Mutex).Lock} and {@code runtime.chanrecv1} on top.
 *
 * <p>Only the goroutine itself touches its cache (plain fields): events are recorded by
 * the goroutine that blocked, after it woke, or by the unlocker, on its own stack. The
 * cache goes with the goroutine's death (goexit0), so a reused G starts afresh.
 *
 * <p>Rejected: a walk per event (2.5 us each: the ping-pong at block rate 1 would be 10x
 * slower, Go's own is 1.8x); re-walking at a fixed period, as the tracer's cache does
 * (TraceStack): a goroutine alternating two call sites on one channel would be verified at
 * the same one every time; a fixed mean period of 64 (a walk's share, ~40 ns an event,
 * was a third of what the profile added to the ping-pong).
 */
final class BlockStacks {
    /** Sites remembered per goroutine, replaced round-robin. */
    static final int N = 4;
    /** The first mean number of uses of a remembered stack between two verification walks. */
    static final int REFRESH_MIN = 16;
    /**
     * The largest: a walk costs ~2.5 us, so an event at a stable site pays ~2.5 ns for it
     * (Go's whole event costs ~100 ns).
     */
    static final int REFRESH_MAX = 1024;
    /**
     * Verifications that must agree at {@link #REFRESH_MIN} before the period grows: a site
     * whose events alternate between two call sites passes them all with probability
     * 2^-8, so its disagreement is almost always found within ~250 events (found by the
     * alternating test: doubling from the first agreement let one in thirty runs charge
     * hundreds of events to the wrong stack).
     */
    static final int SETTLE_WALKS = 8;

    private final Object[] what = new Object[N];
    private final Object[] on = new Object[N];
    private final MProf.Record[] rec = new MProf.Record[N];
    private final int[] left = new int[N];
    private final int[] period = new int[N];
    private final int[] agreed = new int[N];
    private final boolean[] unstable = new boolean[N];
    private int next;

    /** Uses before the next verification walk: uniform in 1..2*period. */
    private static int interval(int period) {
        return 1 + Rand.cheaprandn(2 * period);
    }

    /**
     * The record in {@code which} of gp's stack at the site (what, on); gp is the calling
     * goroutine (its stack is the one walked). Null if the stack could not be walked.
     */
    static MProf.Record record(G gp, Object what, Object on, MProf.Buckets which) {
        BlockStacks c = gp.blockStacks();
        if (c == null) {
            gp.setBlockStacks(c = new BlockStacks());
        }
        for (int i = 0; i < N; i++) {
            if (c.what[i] == what && c.on[i] == on && c.rec[i] != null) {
                if (!c.unstable[i] && --c.left[i] > 0) {
                    return c.rec[i];
                }
                Stack st = safeWalk();
                if (st == null) {
                    return null;
                }
                MProf.Record r = which.stkbucket(st);
                if (r != c.rec[i]) {
                    c.unstable[i] = true; // two stacks reach this site: walk every time
                } else if (++c.agreed[i] >= SETTLE_WALKS && c.period[i] < REFRESH_MAX) {
                    c.period[i] *= 2;
                }
                c.left[i] = interval(c.period[i]);
                return c.rec[i] = r;
            }
        }
        Stack st = safeWalk();
        if (st == null) {
            return null;
        }
        int i = c.next;
        c.next = (i + 1) % N;
        MProf.Record r = which.stkbucket(st);
        c.what[i] = what;
        c.on[i] = on;
        c.rec[i] = r;
        c.unstable[i] = false;
        c.period[i] = REFRESH_MIN;
        c.agreed[i] = 0;
        c.left[i] = interval(REFRESH_MIN);
        return r;
    }

    /** Test hook: whether gp's site (what, on) is walked at every event. */
    static boolean isUnstable(G gp, Object what, Object on) {
        BlockStacks c = gp.blockStacks();
        for (int i = 0; c != null && i < N; i++) {
            if (c.what[i] == what && c.on[i] == on && c.rec[i] != null) {
                return c.unstable[i];
            }
        }
        return false;
    }

    /**
     * {@link #walk}, or null if the JDK's walker failed: the event is dropped rather than
     * thrown into the channel or lock operation that has already completed.
     */
    private static Stack safeWalk() {
        try {
            return walk();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The calling goroutine's stack, trimmed to the outermost API frame. Never inlined: a
     * StackWalker reads the current thread at its start and checks it later; inlined into a
     * runtime method that parked the goroutine before (chanrecv), C2 could reuse a read of
     * the thread from before the goroutine moved to another M (see {@link Current}). The
     * padding makes the method too big to inline, as Current's.
     */
    static Stack walk() {
        if (never) {
            switch (sink) {
                case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
                case 10: case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 19:
                case 20: case 21: case 22: case 23: case 24: case 25: case 26: case 27: case 28: case 29:
                case 30: case 31: case 32: case 33: case 34: case 35: case 36: case 37: case 38: case 39:
                case 40: case 41: case 42: case 43: case 44: case 45: case 46: case 47: case 48: case 49:
                case 50: case 51: case 52: case 53: case 54: case 55: case 56: case 57: case 58: case 59:
                case 60: case 61: case 62: case 63: case 64: case 65: case 66: case 67: case 68: case 69:
                case 70: case 71: case 72: case 73: case 74: case 75: case 76: case 77: case 78: case 79:
                case 80: case 81: case 82: case 83: case 84: case 85: case 86: case 87: case 88: case 89:
                case 90: case 91: case 92: case 93: case 94: case 95: case 96: case 97: case 98: case 99:
                    sink++;
                    break;
                default:
                    break;
            }
        }
        return ProfStack.outermostApi(ProfStack.here());
    }

    /** Always false; guards the padding. Volatile so the compiler cannot drop the block. */
    private static volatile boolean never;
    private static int sink;
}
