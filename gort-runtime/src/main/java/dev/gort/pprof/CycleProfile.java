package dev.gort.pprof;

import dev.gort.runtime.ProfRt;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The block and mutex profiles: Go's writeBlock, writeMutex, writeProfileInternal and
 * printCountCycleProfile (runtime/pprof/pprof.go).
 *
 * <p>Records are sorted by cycles, most first. debug=0: gzipped profile.proto with period
 * type {@code contentions/count}, period 1, sample types {@code contentions/count} and
 * {@code delay/nanoseconds} (cycles divided by the clock's GHz, here 1), one sample per
 * record; locations as in {@link CountProfile}. debug&gt;0: Go's legacy text,
 * {@code --- contention:} (block) or {@code --- mutex:}, {@code cycles/second=N}, for the
 * mutex profile {@code sampling period=N} (the current SetMutexProfileFraction), then per
 * record {@code CYCLES COUNT @ ADDR...} and its frames as {@code #\tADDR\tFUNC+0x0\tFILE:LINE}
 * aligned as Go's tabwriter aligns them, and a blank line.
 */
final class CycleProfile {
    private CycleProfile() {}

    /** Go's writeProfileInternal: name is {@code contention} (block) or {@code mutex}. */
    static void write(OutputStream out, int debug, String name, List<ProfRt.BlockRecord> records) throws IOException {
        List<ProfRt.BlockRecord> p = sorted(records);
        if (debug <= 0) {
            proto(out, p, System.currentTimeMillis() * 1_000_000L, 0);
            return;
        }
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        w.write("--- " + name + ":\n");
        w.write("cycles/second=" + ProfRt.cyclesPerSecond() + "\n");
        if (name.equals("mutex")) {
            w.write("sampling period=" + ProfRt.setMutexProfileFraction(-1) + "\n");
        }
        for (ProfRt.BlockRecord r : p) {
            w.write(r.cycles() + " " + r.count() + " " + CountProfile.key(r.stack()) + "\n");
            CountProfile.printStackRecord(w, r.stack());
        }
        w.flush();
    }

    /** Go's slices.SortFunc by cycles, descending (stable here). */
    static List<ProfRt.BlockRecord> sorted(List<ProfRt.BlockRecord> records) {
        List<ProfRt.BlockRecord> p = new ArrayList<>(records);
        p.sort(Comparator.comparingLong(ProfRt.BlockRecord::cycles).reversed());
        return p;
    }

    /** Go's printCountCycleProfile (proto) over records already in order. */
    static void proto(OutputStream out, List<ProfRt.BlockRecord> records, long timeNanos, long durationNanos)
            throws IOException {
        CountProfile.proto(out, PERIOD_TYPE, SAMPLE_TYPES, samples(records), timeNanos, durationNanos);
    }

    static final String[] PERIOD_TYPE = {"contentions", "count"};
    static final String[][] SAMPLE_TYPES = {{"contentions", "count"}, {"delay", "nanoseconds"}};

    /** Per record: the count and the delay in nanoseconds (Go: int64(float64(cycles) / cpuGHz)). */
    static List<Map.Entry<ProfRt.Stack, long[]>> samples(List<ProfRt.BlockRecord> records) {
        double cpuGHz = ProfRt.cyclesPerSecond() / 1e9;
        List<Map.Entry<ProfRt.Stack, long[]>> out = new ArrayList<>(records.size());
        for (ProfRt.BlockRecord r : records) {
            out.add(Map.entry(r.stack(), new long[] {r.count(), (long) (r.cycles() / cpuGHz)}));
        }
        return out;
    }
}
