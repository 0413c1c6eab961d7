package dev.gort.bench.cpu;

/**
 * CPU-bound workloads for {@code AgentOverheadBench}: what the agent's preemption checks
 * cost where they are hardest to hide. Each kernel stands for one shape the agent treats
 * differently (gort-agent's PreemptChecks and StripMining):
 *
 * <ul>
 *   <li>{@link #intSum}, {@link #saxpy}: innermost counted loops over arrays that C2
 *       unrolls and vectorizes; the agent strip-mines them (one check per 4096 iterations);</li>
 *   <li>{@link #matMul}: a 200x200 {@code long} matrix multiply, i-k-j order so the
 *       innermost loop vectorizes; its strips never fill (200 &lt; 4096), so the inner loop
 *       runs no check at all and the two outer loops run one per header;</li>
 *   <li>{@link #collatz}: a loop that is not counted (its trip count is data): a check at
 *       its header on every iteration;</li>
 *   <li>{@link #interpret}: a switch-dispatch interpreter loop, also checked on every
 *       dispatch;</li>
 *   <li>{@link #fib}: tiny recursive calls, a prologue check per call (the worst case for
 *       prologue checks: measured 15-20% on fib(32));</li>
 *   <li>{@link Expr}: an expression tree walked by a visitor: megamorphic virtual calls,
 *       each non-leaf method checked in its prologue.</li>
 * </ul>
 *
 * <p>This package is what the benchmark's agent fork instruments
 * ({@code include=dev.gort.bench.cpu.*}): JMH's harness and the benchmark class stay as
 * they are, so the two forks differ only in these methods. The kernels are plain Java with
 * no gort call, as application code under the agent is.
 */
public final class Kernels {
    private Kernels() {}

    /** Sum of the array: a vectorized add reduction. */
    public static int intSum(int[] a) {
        int s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i];
        }
        return s;
    }

    /** y += alpha * x, elementwise ("saxpy" on ints, so it never overflows into NaNs). */
    public static int saxpy(int alpha, int[] x, int[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += alpha * x[i];
        }
        return y[y.length - 1];
    }

    /** c = a * b for square matrices, i-k-j order (the innermost loop vectorizes). */
    public static long matMul(long[][] a, long[][] b, long[][] c) {
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

    /** Total Collatz steps of 1..limit: the inner loop's trip count is not known up front. */
    public static long collatz(int limit) {
        long steps = 0;
        for (int n = 1; n <= limit; n++) {
            long x = n;
            while (x != 1) {
                x = (x & 1) == 0 ? x >>> 1 : 3 * x + 1;
                steps++;
            }
        }
        return steps;
    }

    /** Naive Fibonacci: about fib(n) * 2.6 calls, each a few nanoseconds. */
    public static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    // ---- a register-machine interpreter ----

    /** Opcodes: each instruction is four ints, op a b c. */
    static final int ADDI = 0, ADD = 1, MUL = 2, XOR = 3, SHR = 4, BLT = 5, HALT = 6;

    /**
     * A program for {@link #interpret}: {@code acc += (i * i) ^ (acc >>> 3)} for i in
     * [0, n), returning acc. Registers: r0 = i, r1 = acc, r2 = n, r3 and r4 scratch.
     */
    public static int[] program(int n) {
        return new int[] {
            ADDI, 0, 5, 0,     // 0: r0 = 0 (r5 is always 0)
            ADDI, 1, 5, 0,     // 1: r1 = 0
            ADDI, 2, 5, n,     // 2: r2 = n
            MUL, 3, 0, 0,      // 3: r3 = r0 * r0
            SHR, 4, 1, 3,      // 4: r4 = r1 >>> 3
            XOR, 3, 3, 4,      // 5: r3 ^= r4
            ADD, 1, 1, 3,      // 6: r1 += r3
            ADDI, 0, 0, 1,     // 7: r0 += 1
            BLT, 0, 2, 3,      // 8: if r0 < r2 goto 3
            HALT, 1, 0, 0,     // 9: return r1
        };
    }

    /** Runs a program of {@link #program}'s instruction set; returns the HALT operand register. */
    public static long interpret(int[] code, long[] regs) {
        int pc = 0;
        for (;;) {
            int op = code[pc], a = code[pc + 1], b = code[pc + 2], c = code[pc + 3];
            pc += 4;
            switch (op) {
                case ADDI -> regs[a] = regs[b] + c;
                case ADD -> regs[a] = regs[b] + regs[c];
                case MUL -> regs[a] = regs[b] * regs[c];
                case XOR -> regs[a] = regs[b] ^ regs[c];
                case SHR -> regs[a] = regs[b] >>> c;
                case BLT -> {
                    if (regs[a] < regs[b]) {
                        pc = c * 4;
                    }
                }
                case HALT -> {
                    return regs[a];
                }
                default -> throw new IllegalStateException("bad opcode " + op + " at " + (pc / 4 - 1));
            }
        }
    }
}
