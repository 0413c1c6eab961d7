package dev.gort.bench;

import java.util.Locale;

/**
 * Why a vectorized loop under the agent runs 25-50% slower in a goroutine than on a plain
 * thread (bench/AGENT-RESULTS.md): the agent's strip-mined saxpy written out by hand, with
 * its check's slow path either never taken before C2 compiles it (an uncommon trap) or
 * taken a few times while the code warmed up (a real call, as once sysmon has preempted
 * the goroutine). No agent and no gort: a plain Java program.
 *
 * <pre>
 * java -XX:CompileCommand=quiet -XX:CompileCommand=dontinline,dev.gort.bench.SlowPathShapes::slow \
 *     -cp benchmarks.jar dev.gort.bench.SlowPathShapes SHAPE WARM_MS
 * </pre>
 *
 * {@code slow} stands for {@code Preemption.preempt -> HookRt.preemptSlow}, which C2 does
 * not inline (too big). WARM_MS: for how long a helper thread raises the flag every 0.2 ms
 * at the start (0: never, so the slow path stays an uncommon trap). TICK_MS (optional):
 * then raise it once every TICK_MS for good, as sysmon does to a goroutine that runs on
 * (10 is Go's forcePreemptNS). {@code -Dcaller=fields}: the driving loop reads the arrays
 * from static fields for each call instead of holding them ({@link #workFields}).
 *
 * <p>SHAPE, strip-mined saxpy: {@code tail} (what the agent emits: prologue check, then
 * one check per 4096-iteration strip), {@code prologue} (the prologue check only),
 * {@code exit} (the strip loop left through a break into a block after the loop nest that
 * calls and re-enters at the loop head: issue 15's idea (a)), {@code copy} (after the first
 * slow call the rest of the loop runs in a second copy, so the hot copy is never re-entered
 * after a call), {@code tailcall} (the slow branch passes the loop's state to a copy of the
 * method entered at the loop head and returns its result: nothing of the loop is live
 * across the call), {@code throwcatch} (the slow branch throws a preallocated exception to
 * a handler in the same method, outside the strip loop, which calls and re-enters: issue
 * 15's idea (b), a slow path C2 reaches only through an exception edge), {@code throwcall}
 * (the same with the flag read and the throw in an inlined 3-byte-call method and a handler
 * per site, as the agent would emit it), {@code none} (no check). Matrix multiply (200x200
 * longs, AgentOverheadBench's): {@code mm-tail}, {@code mm-tailcall}, {@code mm-throwcall},
 * {@code mm-none}. Prints the time per call, five rounds.
 *
 * <p>Measured here (JDK 25, AVX-512, 2026-12-02; us per call in the fifth round, WARM_MS 0 /
 * 3000): tail 0.88-0.90 / 1.24-1.41, exit 0.90 / 1.29, copy 0.90 / 1.27, prologue 0.78 /
 * 0.82, none 0.89 / 0.82. Only a slow call after the inner loop costs, in every shape
 * tried: with it compiled, C2's vectorized inner loop keeps the two array bases on the
 * stack and reloads them on every iteration, and its 4x-unrolled main loop is taken only
 * when both arrays are the same one (read from -XX:+PrintAssembly's raw bytes with
 * objdump; no hsdis here). A value live across a call cannot stay in a register (compiled
 * Java code has no callee-saved registers), and C2 puts the reloads inside the loop.
 *
 * <p>Issue 15 (2026-12-05, a machine shared with other benchmarks: load 2-4, so rounds
 * vary up to 2x within a run; rounds 2-5 of one JVM each, WARM_MS 0 / WARM_MS 3000 with
 * TICK_MS 10): tail 1.21-1.23 / 1.91-2.24 and 1.46-1.61 / 1.50-4.20 (two runs); exit
 * 1.26-1.67 / 2.7-6.3; copy 1.24-1.31 / 1.56-2.65; tailcall 1.21 / 1.56-1.57 and 1.16 /
 * 1.34-1.37; throwcatch 1.19-1.34 / 1.20-1.29 and 1.24-1.32 / 1.54-2.51; throwcall 1.20 /
 * 1.34-1.37; none 1.14-1.15 / 1.17-1.18 (0 and 3000 10 are the same code for none).
 * {@code -Dcaller=fields}, 3000 10: tail 1.51-1.60, throwcatch 1.22-1.32, throwcall
 * 1.28-1.43, none 1.25-1.34. Matrix multiply, 3000 10 (rounds 3-5): mm-tail 1347-1365 us,
 * mm-throwcall 1329-1358, mm-tailcall 1100-1207 (1100-1101 in rounds 4-5: 1.13x),
 * mm-none 960-976. The tail call does not help saxpy, because the caller's own loop (here
 * {@link #work}) holds the arrays across the inlined call, and helps the matrix multiply,
 * whose inner loop's arrays (rows of a, b, c) are loaded inside the method, so that after
 * the tail call nothing the loop uses is live; it needs a copy of the method per check
 * site in the agent, which was not built. The throw to a local handler looked like the
 * fix in one run (1.20-1.29 with the flag raised every 10 ms, as never taken) and not in
 * the next. Put into the agent
 * (Preemption.checkLoop throwing to a handler per site, every loop check of a method with
 * a strip-mined loop), it did not move AgentOverheadBench in a goroutine (3 forks x 3 s,
 * one run, old agent / new: saxpy 1.28x / 1.24x, matMul 1.34x / 1.43x without the agent)
 * and was not kept.
 */
public final class SlowPathShapes {
    private SlowPathShapes() {}

    static final long STRIP = 4096;
    static volatile int requested;
    static long slowCalls;

    static void slow() {
        slowCalls++;
        requested = 0;
    }

    static void tail(int a, int[] x, int[] y) {
        if (requested != 0) {
            slow();
        }
        int i = 0;
        for (;;) {
            int end = (int) Math.min(i + STRIP, Integer.MAX_VALUE);
            int n;
            for (; i < Math.min(n = x.length, end); i++) {
                y[i] += a * x[i];
            }
            if (i >= n) {
                return;
            }
            if (requested != 0) {
                slow();
            }
        }
    }

    static void prologue(int a, int[] x, int[] y) {
        if (requested != 0) {
            slow();
        }
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    static void exit(int a, int[] x, int[] y) {
        int i = 0;
        for (;;) {
            int n;
            for (;;) {
                int end = (int) Math.min(i + STRIP, Integer.MAX_VALUE);
                for (; i < Math.min(n = x.length, end); i++) {
                    y[i] += a * x[i];
                }
                if (i >= n) {
                    return;
                }
                if (requested != 0) {
                    break;
                }
            }
            slow();
        }
    }

    static void copy(int a, int[] x, int[] y) {
        int i = 0;
        int n;
        for (;;) {
            int end = (int) Math.min(i + STRIP, Integer.MAX_VALUE);
            for (; i < Math.min(n = x.length, end); i++) {
                y[i] += a * x[i];
            }
            if (i >= n) {
                return;
            }
            if (requested != 0) {
                break;
            }
        }
        slow();
        for (;;) {
            int end = (int) Math.min(i + STRIP, Integer.MAX_VALUE);
            for (; i < Math.min(n = x.length, end); i++) {
                y[i] += a * x[i];
            }
            if (i >= n) {
                return;
            }
            if (requested != 0) {
                slow();
            }
        }
    }

    /**
     * Shape {@code tailcall}: the check's slow branch leaves for a block that passes the
     * loop's whole state (a, x, y, i) to {@link #tailcallRest} and returns what it returns:
     * nothing of the loop is live across that call, so there is nothing to spill. The rest
     * of the call (after the slow path) runs in that second method, a copy of this one
     * entered at the loop head, with the agent's present shape inside.
     */
    static void tailcall(int a, int[] x, int[] y) {
        if (requested != 0) {
            slow();
        }
        int i = 0;
        for (;;) {
            int end = (int) Math.min(i + STRIP, Integer.MAX_VALUE);
            int n;
            for (; i < Math.min(n = x.length, end); i++) {
                y[i] += a * x[i];
            }
            if (i >= n) {
                return;
            }
            if (requested != 0) {
                tailcallRest(a, x, y, i);
                return;
            }
        }
    }

    /** The copy of {@link #tailcall} entered at its loop head: the slow path, then the rest. */
    static void tailcallRest(int a, int[] x, int[] y, int i) {
        slow();
        for (;;) {
            int end = (int) Math.min(i + STRIP, Integer.MAX_VALUE);
            int n;
            for (; i < Math.min(n = x.length, end); i++) {
                y[i] += a * x[i];
            }
            if (i >= n) {
                return;
            }
            if (requested != 0) {
                slow();
            }
        }
    }

    /** Thrown by {@link #throwcatch}'s check: preallocated, no stack trace. */
    static final class Preempt extends RuntimeException {
        Preempt() {
            super(null, null, false, false);
        }
    }

    static final Preempt PREEMPT = new Preempt();

    /**
     * Shape {@code throwcatch}: the check's slow branch throws a preallocated exception,
     * caught by a handler outside the strip loop that makes the slow call and re-enters
     * the loop: inside the loop nest there is no call, only a throw whose handler C2 sees
     * in the same compilation.
     */
    static void throwcatch(int a, int[] x, int[] y) {
        if (requested != 0) {
            slow();
        }
        int i = 0;
        for (;;) {
            try {
                for (;;) {
                    int end = (int) Math.min(i + STRIP, Integer.MAX_VALUE);
                    int n;
                    for (; i < Math.min(n = x.length, end); i++) {
                        y[i] += a * x[i];
                    }
                    if (i >= n) {
                        return;
                    }
                    if (requested != 0) {
                        throw PREEMPT;
                    }
                }
            } catch (Preempt e) {
                slow();
            }
        }
    }

    /** {@link #throwcall}'s check: inlined by C2, the throw lands in the caller's handler. */
    static void checkThrow() {
        if (requested != 0) {
            throw PREEMPT;
        }
    }

    /**
     * Shape {@code throwcall}: as {@link #throwcatch}, with the flag read and the throw in a
     * small method C2 inlines ({@link #checkThrow}; a 3-byte call at the site, as the agent's
     * present check), and a handler of its own around that one call that makes the slow call
     * and goes on after the check, as the agent would emit it.
     */
    static void throwcall(int a, int[] x, int[] y) {
        if (requested != 0) {
            slow();
        }
        int i = 0;
        for (;;) {
            int end = (int) Math.min(i + STRIP, Integer.MAX_VALUE);
            int n;
            for (; i < Math.min(n = x.length, end); i++) {
                y[i] += a * x[i];
            }
            if (i >= n) {
                return;
            }
            try {
                checkThrow();
            } catch (Preempt e) {
                slow();
            }
        }
    }

    static void none(int a, int[] x, int[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    // ---- the matrix multiply of AgentOverheadBench (Kernels.matMul), 200x200 longs ----
    //
    // The agent checks its two outer loops at their headers and strip-mines the two
    // innermost ones (whose strips never fill: 200 < 4096, so their tail checks never run).
    // The header check of the k loop, once taken, is the call that costs.

    static final int MATRIX = 200;

    /** Shape {@code mm-tail}: what the agent emits today (the checks written out). */
    static long mmTail(long[][] a, long[][] b, long[][] c) {
        if (requested != 0) {
            slow();
        }
        int n = a.length;
        for (int i = 0; ; i++) {
            if (requested != 0) {
                slow();
            }
            if (i >= n) {
                break;
            }
            mmRowTail(a, b, c, n, i, 0);
        }
        return c[n - 1][n - 1];
    }

    /**
     * Row i of the product from column k of a on, in the agent's present shape; inlined
     * (small and hot), it stands for the loops written out in the method.
     */
    private static void mmRowTail(long[][] a, long[][] b, long[][] c, int n, int i, int k0) {
        long[] ci = c[i];
        long[] ai = a[i];
        if (k0 == 0) {
            stripZero(ci, n);
        }
        for (int k = k0; ; k++) {
            if (requested != 0) {
                slow();
            }
            if (k >= n) {
                break;
            }
            long aik = ai[k];
            long[] bk = b[k];
            int j = 0;
            for (;;) {
                int s = (int) Math.min((long) j + STRIP, Integer.MAX_VALUE);
                int t;
                for (; j < Math.min(t = n, s); j++) {
                    ci[j] += aik * bk[j];
                }
                if (j >= t) {
                    break;
                }
                if (requested != 0) {
                    slow();
                }
            }
        }
    }

    private static void stripZero(long[] ci, int n) {
        int j = 0;
        for (;;) {
            int s = (int) Math.min((long) j + STRIP, Integer.MAX_VALUE);
            int t;
            for (; j < Math.min(t = n, s); j++) {
                ci[j] = 0;
            }
            if (j >= t) {
                break;
            }
            if (requested != 0) {
                slow();
            }
        }
    }

    /**
     * Shape {@code mm-tailcall}: each header check's slow branch passes the loop state to a
     * copy of the method entered at that header ({@link #mmFromI}, {@link #mmFromK}) and
     * returns its result; the strip tails keep their call (never reached at 200 columns).
     */
    static long mmTailcall(long[][] a, long[][] b, long[][] c) {
        if (requested != 0) {
            slow();
        }
        int n = a.length;
        for (int i = 0; ; i++) {
            if (requested != 0) {
                return mmFromI(a, b, c, n, i);
            }
            if (i >= n) {
                break;
            }
            long[] ci = c[i];
            long[] ai = a[i];
            stripZero(ci, n);
            for (int k = 0; ; k++) {
                if (requested != 0) {
                    return mmFromK(a, b, c, n, i, k);
                }
                if (k >= n) {
                    break;
                }
                long aik = ai[k];
                long[] bk = b[k];
                int j = 0;
                for (;;) {
                    int s = (int) Math.min((long) j + STRIP, Integer.MAX_VALUE);
                    int t;
                    for (; j < Math.min(t = n, s); j++) {
                        ci[j] += aik * bk[j];
                    }
                    if (j >= t) {
                        break;
                    }
                    if (requested != 0) {
                        slow();
                    }
                }
            }
        }
        return c[n - 1][n - 1];
    }

    /** The copy entered at the i loop's header: the slow path, then the rest in the agent's present shape. */
    static long mmFromI(long[][] a, long[][] b, long[][] c, int n, int i) {
        slow();
        return mmRows(a, b, c, n, i, 0);
    }

    /** The copy entered at the k loop's header. */
    static long mmFromK(long[][] a, long[][] b, long[][] c, int n, int i, int k) {
        slow();
        return mmRows(a, b, c, n, i, k);
    }

    private static long mmRows(long[][] a, long[][] b, long[][] c, int n, int i, int k) {
        for (; ; i++) {
            if (i >= n) {
                break;
            }
            mmRowTail(a, b, c, n, i, k);
            k = 0;
            if (requested != 0) {
                slow();
            }
        }
        return c[n - 1][n - 1];
    }

    /**
     * Shape {@code mm-throwcall}: {@link #mmTail} with each header check in the shape of
     * {@link #throwcall} (the strip tails' checks never run at 200 columns).
     */
    static long mmThrowcall(long[][] a, long[][] b, long[][] c) {
        if (requested != 0) {
            slow();
        }
        int n = a.length;
        for (int i = 0; ; i++) {
            try {
                checkThrow();
            } catch (Preempt e) {
                slow();
            }
            if (i >= n) {
                break;
            }
            long[] ci = c[i];
            long[] ai = a[i];
            stripZero(ci, n);
            for (int k = 0; ; k++) {
                try {
                    checkThrow();
                } catch (Preempt e) {
                    slow();
                }
                if (k >= n) {
                    break;
                }
                long aik = ai[k];
                long[] bk = b[k];
                int j = 0;
                for (;;) {
                    int s = (int) Math.min((long) j + STRIP, Integer.MAX_VALUE);
                    int t;
                    for (; j < Math.min(t = n, s); j++) {
                        ci[j] += aik * bk[j];
                    }
                    if (j >= t) {
                        break;
                    }
                    if (requested != 0) {
                        slow();
                    }
                }
            }
        }
        return c[n - 1][n - 1];
    }

    /** Shape {@code mm-none}: no check. */
    static long mmNone(long[][] a, long[][] b, long[][] c) {
        int n = a.length;
        for (int i = 0; i < n; i++) {
            long[] ci = c[i];
            long[] ai = a[i];
            for (int j = 0; j < n; j++) {
                ci[j] = 0;
            }
            for (int k = 0; k < n; k++) {
                long aik = ai[k];
                long[] bk = b[k];
                for (int j = 0; j < n; j++) {
                    ci[j] += aik * bk[j];
                }
            }
        }
        return c[n - 1][n - 1];
    }

    /** 20 matrix multiplies of one shape (see {@link #work}). */
    static long mmWork(int shape, long[][] a, long[][] b, long[][] c) {
        long r = 0;
        for (int k = 0; k < 20; k++) {
            r += switch (shape) {
                case 0 -> mmTail(a, b, c);
                case 1 -> mmTailcall(a, b, c);
                case 2 -> mmThrowcall(a, b, c);
                default -> mmNone(a, b, c);
            };
        }
        return r;
    }

    static long[][] MA, MB, MC;

    /** {@link #mmWork}, the matrices read from static fields for each call (as {@link #workFields}). */
    static long mmWorkFields(int shape) {
        long r = 0;
        for (int k = 0; k < 20; k++) {
            r += switch (shape) {
                case 0 -> mmTail(MA, MB, MC);
                case 1 -> mmTailcall(MA, MB, MC);
                case 2 -> mmThrowcall(MA, MB, MC);
                default -> mmNone(MA, MB, MC);
            };
        }
        return r;
    }

    static final String[] MM_SHAPES = {"mm-tail", "mm-tailcall", "mm-throwcall", "mm-none"};

    static final String[] SHAPES = {"tail", "prologue", "exit", "copy", "none", "tailcall", "throwcatch", "throwcall"};

    /**
     * 2000 calls of one shape, called again and again by main: C2 compiles it as a whole
     * with the shape inlined, as a caller's loop around an instrumented kernel would be.
     * (The shape of this method matters too: C2's code for the same kernel differs with
     * the caller, so compare the two WARM_MS values of one shape, not shapes.)
     */
    static long work(int shape, int[] x, int[] y) {
        switch (shape) {
            case 0:
                for (int r = 0; r < 2000; r++) {
                    tail(3, x, y);
                }
                break;
            case 1:
                for (int r = 0; r < 2000; r++) {
                    prologue(3, x, y);
                }
                break;
            case 2:
                for (int r = 0; r < 2000; r++) {
                    exit(3, x, y);
                }
                break;
            case 3:
                for (int r = 0; r < 2000; r++) {
                    copy(3, x, y);
                }
                break;
            case 5:
                for (int r = 0; r < 2000; r++) {
                    tailcall(3, x, y);
                }
                break;
            case 6:
                for (int r = 0; r < 2000; r++) {
                    throwcatch(3, x, y);
                }
                break;
            case 7:
                for (int r = 0; r < 2000; r++) {
                    throwcall(3, x, y);
                }
                break;
            default:
                for (int r = 0; r < 2000; r++) {
                    none(3, x, y);
                }
                break;
        }
        return y[7];
    }

    /**
     * {@link #work} with a caller that holds no array across the calls: it reads the arrays
     * from static fields for each call (run with {@code -Dcaller=fields}), as
     * AgentOverheadBench's lambda reads its state's fields. A call compiled into the loop
     * nest then leaves the caller nothing of the loop's to keep on the stack.
     */
    static int[] FX, FY;

    static long workFields(int shape) {
        switch (shape) {
            case 0:
                for (int r = 0; r < 2000; r++) {
                    tail(3, FX, FY);
                }
                break;
            case 1:
                for (int r = 0; r < 2000; r++) {
                    prologue(3, FX, FY);
                }
                break;
            case 2:
                for (int r = 0; r < 2000; r++) {
                    exit(3, FX, FY);
                }
                break;
            case 3:
                for (int r = 0; r < 2000; r++) {
                    copy(3, FX, FY);
                }
                break;
            case 5:
                for (int r = 0; r < 2000; r++) {
                    tailcall(3, FX, FY);
                }
                break;
            case 6:
                for (int r = 0; r < 2000; r++) {
                    throwcatch(3, FX, FY);
                }
                break;
            case 7:
                for (int r = 0; r < 2000; r++) {
                    throwcall(3, FX, FY);
                }
                break;
            default:
                for (int r = 0; r < 2000; r++) {
                    none(3, FX, FY);
                }
                break;
        }
        return FY[7];
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2 && args.length != 3) {
            System.err.println("usage: SlowPathShapes " + String.join("|", SHAPES) + "|" + String.join("|", MM_SHAPES) + " WARM_MS [TICK_MS]");
            System.exit(2);
        }
        int shape = java.util.Arrays.asList(SHAPES).indexOf(args[0]);
        int mmShape = java.util.Arrays.asList(MM_SHAPES).indexOf(args[0]);
        if (shape < 0 && mmShape < 0) {
            throw new IllegalArgumentException("unknown shape " + args[0]);
        }
        long warmNs = Long.parseLong(args[1]) * 1_000_000L;
        long tickMs = args.length == 3 ? Long.parseLong(args[2]) : 0;
        Thread raiser = new Thread(() -> {
            long end = System.nanoTime() + warmNs;
            try {
                while (System.nanoTime() < end) {
                    requested = 1;
                    Thread.sleep(0, 200_000);
                }
                // TICK_MS: then once every TICK_MS for good, as sysmon preempts a goroutine
                // that has run for 10 ms.
                while (tickMs > 0) {
                    Thread.sleep(tickMs);
                    requested = 1;
                }
            } catch (InterruptedException e) {
                return;
            }
        });
        raiser.setDaemon(true);
        raiser.start();
        int[] x = new int[1 << 14];
        int[] y = new int[1 << 14];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 1000 - 500;
            y[i] = i % 777;
        }
        long[][] ma = new long[MATRIX][MATRIX];
        long[][] mb = new long[MATRIX][MATRIX];
        long[][] mc = new long[MATRIX][MATRIX];
        for (int i = 0; i < MATRIX; i++) {
            for (int j = 0; j < MATRIX; j++) {
                ma[i][j] = (i * 31 + j) % 17 - 8;
                mb[i][j] = (i + j * 7) % 13 - 6;
            }
        }
        boolean fields = "fields".equals(System.getProperty("caller"));
        FX = x;
        FY = y;
        MA = ma;
        MB = mb;
        MC = mc;
        long sink = 0;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            long calls = 0;
            while (System.nanoTime() - t0 < 1_500_000_000L) {
                if (mmShape >= 0) {
                    sink += fields ? mmWorkFields(mmShape) : mmWork(mmShape, ma, mb, mc);
                    calls += 20;
                } else {
                    sink += fields ? workFields(shape) : work(shape, x, y);
                    calls += 2000;
                }
            }
            System.out.printf(Locale.ROOT, "shape=%s caller=%s warm_ms=%s round=%d us_per_call=%.3f%n",
                    args[0], fields ? "fields" : "args", args[1], round, (System.nanoTime() - t0) / 1e3 / calls);
        }
        if (tickMs == 0) {
            raiser.join();
        }
        System.out.println("slow_calls=" + slowCalls + " sink=" + sink);
    }
}
