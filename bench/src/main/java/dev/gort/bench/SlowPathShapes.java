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
 * at the start (0: never, so the slow path stays an uncommon trap). SHAPE:
 * {@code tail} (what the agent emits: prologue check, then one check per 4096-iteration
 * strip), {@code prologue} (the prologue check only), {@code exit} (the strip loop left
 * through a break and re-entered after the call), {@code copy} (after the first slow call
 * the rest of the loop runs in a second copy, so the hot copy is never re-entered after a
 * call), {@code none} (no check). Prints the time per saxpy of 16K ints, five rounds.
 *
 * <p>Measured here (JDK 25, AVX-512, 2026-12-02; us per call in the fifth round, WARM_MS 0 /
 * 3000): tail 0.88-0.90 / 1.24-1.41, exit 0.90 / 1.29, copy 0.90 / 1.27, prologue 0.78 /
 * 0.82, none 0.89 / 0.82. Only a slow call after the inner loop costs, in every shape
 * tried: with it compiled, C2's vectorized inner loop keeps the two array bases on the
 * stack and reloads them on every iteration, and its 4x-unrolled main loop is taken only
 * when both arrays are the same one (read from -XX:+PrintAssembly's raw bytes with
 * objdump; no hsdis here). A value live across a call cannot stay in a register (compiled
 * Java code has no callee-saved registers), and C2 puts the reloads inside the loop.
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

    static void none(int a, int[] x, int[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    static final String[] SHAPES = {"tail", "prologue", "exit", "copy", "none"};

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
            default:
                for (int r = 0; r < 2000; r++) {
                    none(3, x, y);
                }
                break;
        }
        return y[7];
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: SlowPathShapes tail|prologue|exit|copy|none WARM_MS");
            System.exit(2);
        }
        int shape = java.util.Arrays.asList(SHAPES).indexOf(args[0]);
        if (shape < 0) {
            throw new IllegalArgumentException("unknown shape " + args[0]);
        }
        long warmNs = Long.parseLong(args[1]) * 1_000_000L;
        Thread raiser = new Thread(() -> {
            long end = System.nanoTime() + warmNs;
            while (System.nanoTime() < end) {
                requested = 1;
                try {
                    Thread.sleep(0, 200_000);
                } catch (InterruptedException e) {
                    return;
                }
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
        long sink = 0;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            long calls = 0;
            while (System.nanoTime() - t0 < 1_500_000_000L) {
                sink += work(shape, x, y);
                calls += 2000;
            }
            System.out.printf(Locale.ROOT, "shape=%s warm_ms=%s round=%d us_per_call=%.3f%n",
                    args[0], args[1], round, (System.nanoTime() - t0) / 1e3 / calls);
        }
        raiser.join();
        System.out.println("slow_calls=" + slowCalls + " sink=" + sink);
    }
}
