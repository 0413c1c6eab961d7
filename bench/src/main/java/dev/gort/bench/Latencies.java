package dev.gort.bench;

import java.util.Arrays;
import java.util.Locale;

/** Percentiles of latency samples, for the latency programs' one-line reports. */
final class Latencies {
    private Latencies() {}

    /**
     * {@code "n=... min_us=... p50_us=... p90_us=... p99_us=... max_us=... mean_us=..."} for
     * samples in nanoseconds (sorted in place). Percentiles are nearest-rank: the smallest
     * sample with at least that share of the samples at or below it (Go's twin does the same).
     */
    static String summary(long[] nanos) {
        Arrays.sort(nanos);
        double sum = 0;
        for (long x : nanos) {
            sum += x;
        }
        return String.format(Locale.ROOT,
                "n=%d min_us=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f",
                nanos.length, nanos[0] / 1e3, rank(nanos, 50) / 1e3, rank(nanos, 90) / 1e3,
                rank(nanos, 99) / 1e3, nanos[nanos.length - 1] / 1e3, sum / nanos.length / 1e3);
    }

    /** The nearest-rank p-th percentile of sorted samples. */
    static long rank(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
