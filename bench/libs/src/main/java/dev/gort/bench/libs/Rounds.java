package dev.gort.bench.libs;

import dev.gort.Gort;
import dev.gort.sync.WaitGroup;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the four library workloads share: {@code key=value} arguments, the output that
 * bench/libs_measure.py reads, and the goroutine variant.
 *
 * <p>Output, one line each, flushed at once so that the driver can time them from outside
 * the JVM: {@code first C} when the first unit of work has its result (the start-up
 * figure is the wall time from the JVM's launch to this line), {@code round N MS C CPUMS}
 * per round, and {@code checksum C} at the end. CPUMS is the CPU time the round's work
 * took: on a plain thread, that thread's and its workers' ({@link #addCpu}), so that the
 * figure does not count time the OS gave to other processes (the machine is shared); in
 * the goroutine variant, the whole process's (the Ms', the GC's and the JIT's), since
 * goroutines move between threads. Checksums depend only on the work done, never
 * on timing or thread interleaving, so a run with the agent must print the same ones as a
 * run without it.
 *
 * <p>The goroutine variant ({@code goroutines=K}) runs every round as K copies of the
 * round's work in K goroutines of one {@link Gort#run} (each copy on its own data), and
 * waits for all of them: the round's time is the wall time of the slowest copy. Without
 * the agent it needs {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}.
 */
final class Rounds {
    private Rounds() {}

    /** One copy of a round's work; copy is 0..K-1 in the goroutine variant, else 0. */
    interface Body {
        long run(int round, int copy) throws Exception;
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final AtomicLong workerCpu = new AtomicLong();

    /** A worker thread of the round adds its CPU time (at its end) to the round's. */
    static void addCpu() {
        workerCpu.addAndGet(THREADS.getCurrentThreadCpuTime());
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static Map<String, String> args(String[] argv) {
        Map<String, String> m = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected key=value: " + a);
            }
            m.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return m;
    }

    static int intArg(Map<String, String> args, String key, int dflt) {
        String v = args.get(key);
        return v == null ? dflt : Integer.parseInt(v);
    }

    /** How many copies of the work a round runs: the goroutines, or 1 on the plain thread. */
    static int copies(Map<String, String> args) {
        return Math.max(1, intArg(args, "goroutines", 0));
    }

    static void first(long checksum) {
        System.out.println("first " + checksum);
        System.out.flush();
    }

    /** Runs the rounds (plain thread, or K goroutines per round) and prints them. */
    static void run(Map<String, String> args, int defaultRounds, Body body) throws Exception {
        int rounds = intArg(args, "rounds", defaultRounds);
        int goroutines = intArg(args, "goroutines", 0);
        long[] total = new long[1];
        Exception[] failed = new Exception[1];
        Runnable all = () -> {
            for (int r = 0; r < rounds && failed[0] == null; r++) {
                workerCpu.set(0);
                long c0 = goroutines > 0 ? processCpu() : THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                long c;
                try {
                    c = goroutines > 0 ? inGoroutines(body, r, goroutines) : body.run(r, 0);
                } catch (Exception e) {
                    failed[0] = e;
                    return;
                }
                long t1 = System.nanoTime();
                long cpu = goroutines > 0 ? processCpu() - c0 : THREADS.getCurrentThreadCpuTime() - c0 + workerCpu.get();
                System.out.printf("round %d %.2f %d %.2f%n", r, (t1 - t0) / 1e6, c, cpu / 1e6);
                System.out.flush();
                total[0] = total[0] * 31 + c;
            }
        };
        if (goroutines > 0) {
            Gort.run(all);
        } else {
            all.run();
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        System.out.println("checksum " + total[0]);
    }

    private static long inGoroutines(Body body, int round, int k) throws Exception {
        long[] sums = new long[k];
        Exception[] failed = new Exception[1];
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < k; i++) {
            int copy = i;
            wg.go(() -> {
                try {
                    sums[copy] = body.run(round, copy);
                } catch (Exception e) {
                    failed[0] = e;
                }
            });
        }
        wg.await();
        if (failed[0] != null) {
            throw failed[0];
        }
        long c = 0;
        for (long s : sums) {
            c = c * 31 + s;
        }
        return c;
    }
}
