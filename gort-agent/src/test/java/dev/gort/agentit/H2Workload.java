package dev.gort.agentit;

import dev.gort.Gort;
import dev.gort.sync.WaitGroup;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real application under the agent: the H2 database (a jar of ~1,070 classes from Maven
 * Central, of which this workload loads ~580, all instrumented by default) running a SQL
 * workload on an in-memory database.
 *
 * <pre>
 * java [-javaagent:gort-agent.jar=main=goroutine] -cp test-classes:h2.jar dev.gort.agentit.H2Workload \
 *     [mode=seq|go|both|startup] [rows=20000] [lookups=5000] [goroutines=4] [rounds=1]
 * </pre>
 *
 * Each round creates two tables in a fresh database, inserts {@code rows} orders (half in
 * batches, half one at a time) and a tenth as many customers (batches), runs reports (a join
 * with group by, an aggregate with having, a top-N), an index lookup loop, an update and a
 * final sum, and checks every answer against {@link Expected}. {@code seq} does it on the
 * calling thread (a plain thread, or the main goroutine under {@code main=goroutine});
 * {@code go} spreads each phase over {@code goroutines} goroutines, each with its own
 * Connection, joined by a WaitGroup, and must reach the same checksum. Without the agent
 * the {@code go} mode needs {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} and
 * starts its own run ({@link Gort#run}); {@code seq} without the agent never touches gort.
 * {@code startup} only brings the database up and runs the first query (to profile start-up).
 *
 * <p>Output, one line per mode and round ({@code result mode=... checksum=...} with the
 * phase timings), then {@code startup_ms=} (JVM start to the first query's answer: the
 * cost of loading, and under the agent transforming, the classes H2 needs to come up) and
 * {@code startup_cpu_ms=} (the CPU time the process had used by then, all threads: the
 * figure to compare on a busy machine, where wall time is noisy; {@code workload_cpu_ms} is
 * its counterpart for a round's workload) and {@code jvm_ms=}
 * (JVM start to the end). Exits non-zero on any wrong answer.
 */
public final class H2Workload {
    private H2Workload() {}

    /** Wall clock when the first query returned (0: not yet). Set once, by the first mode run. */
    private static long firstQueryAt;
    /** The process's CPU time then, in ms (-1: unknown). */
    private static long firstQueryCpuMs = -1;

    /** Phase times in ns; cpuMs: the process's CPU time over the whole workload (all threads). */
    record Run(String mode, int round, long[] answers, long insertNs, long reportsNs, long lookupNs,
               long updateNs, long totalNs, long cpuMs) {}

    public static void main(String[] args) throws Exception {
        String mode = "seq";
        int rows = 20_000, lookups = 5_000, goroutines = 4, rounds = 1;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "mode" -> mode = kv[1];
                case "rows" -> rows = Integer.parseInt(kv[1]);
                case "lookups" -> lookups = Integer.parseInt(kv[1]);
                case "goroutines" -> goroutines = Integer.parseInt(kv[1]);
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (!List.of("seq", "go", "both", "startup").contains(mode)) {
            throw new IllegalArgumentException("mode must be seq, go, both or startup: " + mode);
        }
        if (mode.equals("startup")) {
            try (Connection c = DriverManager.getConnection(url("startup", 1))) {
                Queries.schema(c);
                firstQuery(c);
            }
            printStartup();
            return;
        }
        Expected expected = new Expected(rows, lookups);
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            if (!mode.equals("go")) {
                runs.add(report(expected, sequential(expected, round)));
            }
            if (!mode.equals("seq")) {
                runs.add(report(expected, goroutines(expected, goroutines, round)));
            }
        }
        long sum = Expected.checksum(runs.get(0).answers());
        for (Run r : runs) {
            if (Expected.checksum(r.answers()) != sum) {
                throw new IllegalStateException("checksums differ between runs: " + runs);
            }
        }
        printStartup();
        System.out.println("ok checksum=" + Long.toHexString(sum));
    }

    private static void printStartup() {
        long start = ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("startup_ms=" + (firstQueryAt - start) + " startup_cpu_ms=" + firstQueryCpuMs
                + " jvm_ms=" + (System.currentTimeMillis() - start) + " main_goroutine=" + onGoroutine());
    }

    /**
     * utime + stime of this process from /proc/self/stat (Linux; clock ticks of 10 ms), or -1.
     * Read from the file, not the management beans, so as not to load JMX into the start-up.
     */
    private static long cpuMs() {
        try {
            String stat = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/stat")));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // fields 14 and 15 of proc(5)
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether main runs as a goroutine (main=goroutine); asks gort only if it is loaded, so seq never starts it. */
    private static String onGoroutine() {
        try {
            Class.forName("dev.gort.runtime.hook.MainGoroutine", false, null);
        } catch (ClassNotFoundException e) {
            return "false";
        }
        return Boolean.toString(Gort.goid() >= 0);
    }

    private static String url(String mode, int round) {
        return "jdbc:h2:mem:gort-" + mode + "-" + round + ";DB_CLOSE_DELAY=-1";
    }

    private static void firstQuery(Connection c) throws SQLException {
        if (Queries.countCustomers(c) != 0) {
            throw new IllegalStateException("a fresh database has customers");
        }
        if (firstQueryAt == 0) {
            firstQueryAt = System.currentTimeMillis();
            firstQueryCpuMs = cpuMs();
        }
    }

    /** The whole workload on the calling thread or goroutine, one connection. */
    static Run sequential(Expected e, int round) throws SQLException {
        long[] a = new long[Expected.NAMES.length];
        try (Connection c = DriverManager.getConnection(url("seq", round))) {
            Queries.schema(c);
            firstQuery(c);
            long cpu0 = cpuMs();
            long t0 = System.nanoTime();
            Queries.insertCustomers(c, e.customers, 1, 0);
            Queries.insertOrders(c, e.rows, e.customers, 1, 0);
            long t1 = System.nanoTime();
            Queries.reports(c, e.threshold, a);
            long t2 = System.nanoTime();
            long[] l = Queries.lookups(c, e.lookups, e.customers, 1, 0);
            a[13] = l[0];
            a[14] = l[1];
            long t3 = System.nanoTime();
            a[15] = Queries.update(c, 1, 0);
            a[16] = Queries.totalAmount(c);
            long t4 = System.nanoTime();
            return new Run("seq", round, a, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, cpuMs() - cpu0);
        }
    }

    /** The workload with each phase spread over g goroutines, each with its own connection. */
    static Run goroutines(Expected e, int g, int round) throws Exception {
        if (Gort.goid() >= 0) {
            return goroutinesIn(e, g, round);
        }
        Run[] out = new Run[1];
        Gort.run(() -> out[0] = unchecked(() -> goroutinesIn(e, g, round)));
        return out[0];
    }

    private static Run goroutinesIn(Expected e, int g, int round) throws SQLException {
        String url = url("go", round);
        long[] a = new long[Expected.NAMES.length];
        Connection[] conns = new Connection[g];
        try (Connection c = DriverManager.getConnection(url)) {
            Queries.schema(c);
            firstQuery(c);
            long cpu0 = cpuMs();
            long t0 = System.nanoTime();
            inGoroutines(g, k -> {
                conns[k] = DriverManager.getConnection(url);
                Queries.insertCustomers(conns[k], e.customers, g, k);
                Queries.insertOrders(conns[k], e.rows, e.customers, g, k);
            });
            long t1 = System.nanoTime();
            long[][] reports = new long[g][Expected.NAMES.length];
            inGoroutines(g, k -> Queries.reports(conns[k], e.threshold, reports[k]));
            for (int k = 1; k < g; k++) {
                if (!Arrays.equals(reports[0], reports[k])) {
                    throw new IllegalStateException("goroutine " + k + "'s reports differ from goroutine 0's: "
                            + Arrays.toString(reports[k]) + " vs " + Arrays.toString(reports[0]));
                }
            }
            System.arraycopy(reports[0], 0, a, 0, 13);
            long t2 = System.nanoTime();
            long[][] lookups = new long[g][];
            inGoroutines(g, k -> lookups[k] = Queries.lookups(conns[k], e.lookups, e.customers, g, k));
            for (long[] l : lookups) {
                a[13] += l[0];
                a[14] += l[1];
            }
            long t3 = System.nanoTime();
            int[] updated = new int[g];
            inGoroutines(g, k -> {
                updated[k] = Queries.update(conns[k], g, k);
                conns[k].close();
            });
            for (int u : updated) {
                a[15] += u;
            }
            a[16] = Queries.totalAmount(c);
            long t4 = System.nanoTime();
            return new Run("go", round, a, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, cpuMs() - cpu0);
        }
    }

    interface Share {
        void run(int part) throws SQLException;
    }

    interface SqlCall<T> {
        T call() throws Exception;
    }

    /** Runs body(0..g-1) in g goroutines and waits for all (an exception kills the run). */
    private static void inGoroutines(int g, Share body) {
        WaitGroup wg = new WaitGroup();
        for (int k = 0; k < g; k++) {
            int part = k;
            wg.go(() -> unchecked(() -> {
                body.run(part);
                return null;
            }));
        }
        wg.await();
    }

    private static <T> T unchecked(SqlCall<T> call) {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints the run's line and checks every answer against the expected one. */
    private static Run report(Expected e, Run r) {
        long[] want = e.answers();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < want.length; i++) {
            if (r.answers()[i] != want[i]) {
                wrong.add(Expected.NAMES[i] + "=" + r.answers()[i] + " (want " + want[i] + ")");
            }
        }
        double ms = 1e6;
        System.out.printf("result mode=%s round=%d rows=%d customers=%d lookups=%d insert_ms=%.1f rows_per_s=%.0f"
                        + " reports_ms=%.1f lookup_ms=%.1f lookups_per_s=%.0f update_ms=%.1f workload_ms=%.1f workload_cpu_ms=%d"
                        + " checksum=%s%n",
                r.mode(), r.round(), e.rows, e.customers, e.lookups, r.insertNs() / ms,
                (e.rows + e.customers) / (r.insertNs() / 1e9), r.reportsNs() / ms, r.lookupNs() / ms,
                e.lookups / (r.lookupNs() / 1e9), r.updateNs() / ms, r.totalNs() / ms, r.cpuMs(),
                Long.toHexString(Expected.checksum(r.answers())));
        if (!wrong.isEmpty()) {
            throw new IllegalStateException(r.mode() + " round " + r.round() + ": wrong answers: " + wrong);
        }
        return r;
    }
}
