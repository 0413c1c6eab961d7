package dev.gort.pprof;

import dev.gort.runtime.ProfRt;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A count profile (one sample per stack, valued by how many records have it): Go's
 * printCountProfile (runtime/pprof/pprof.go) and the parts of its profileBuilder
 * (proto.go) a count profile uses.
 *
 * <p>debug=0: gzipped profile.proto with sample and period type {@code NAME/count}, period
 * 1, one location per frame ({@link ProfRt.Frame#id} as its address, one line naming the
 * function, {@code pkg.Class.method}, with its file), one function per distinct function
 * name and file. debug&gt;0: Go's legacy text, {@code NAME profile: total N}, then for each
 * stack {@code COUNT @ ADDR...} and its frames as {@code #\tADDR\tFUNC+0x0\tFILE:LINE},
 * aligned as Go's tabwriter aligns them. Stacks are sorted by count, then by key, as Go's
 * keysByCount.
 *
 * <p>Differences from Go: no mappings (a Java frame has no binary behind it; the
 * locations carry their functions, so pprof needs no symbolization), and the address is a
 * frame id, so the text shows {@code +0x0} offsets.
 */
final class CountProfile {
    private CountProfile() {}

    // profile.proto field numbers (Go's proto.go constants)
    private static final int PROFILE_SAMPLE_TYPE = 1;
    private static final int PROFILE_SAMPLE = 2;
    private static final int PROFILE_LOCATION = 4;
    private static final int PROFILE_FUNCTION = 5;
    private static final int PROFILE_STRING_TABLE = 6;
    private static final int PROFILE_TIME_NANOS = 9;
    private static final int PROFILE_DURATION_NANOS = 10;
    private static final int PROFILE_PERIOD_TYPE = 11;
    private static final int PROFILE_PERIOD = 12;
    private static final int VALUE_TYPE_TYPE = 1;
    private static final int VALUE_TYPE_UNIT = 2;
    private static final int SAMPLE_LOCATION = 1;
    private static final int SAMPLE_VALUE = 2;
    private static final int LOCATION_ID = 1;
    private static final int LOCATION_ADDRESS = 3;
    private static final int LOCATION_LINE = 4;
    private static final int LINE_FUNCTION_ID = 1;
    private static final int LINE_LINE = 2;
    private static final int FUNCTION_ID = 1;
    private static final int FUNCTION_NAME = 2;
    private static final int FUNCTION_SYSTEM_NAME = 3;
    private static final int FUNCTION_FILENAME = 4;

    /** Distinct stacks with their counts, in Go's order (count descending, then key). */
    static List<Map.Entry<ProfRt.Stack, Integer>> counts(List<ProfRt.Stack> stacks) {
        Map<ProfRt.Stack, Integer> count = new LinkedHashMap<>();
        for (ProfRt.Stack s : stacks) {
            count.merge(s, 1, Integer::sum);
        }
        List<Map.Entry<ProfRt.Stack, Integer>> keys = new ArrayList<>(count.entrySet());
        Map<ProfRt.Stack, String> keyText = new HashMap<>();
        for (var e : keys) {
            keyText.put(e.getKey(), key(e.getKey()));
        }
        keys.sort((a, b) -> a.getValue().intValue() != b.getValue().intValue()
                ? Integer.compare(b.getValue(), a.getValue())
                : keyText.get(a.getKey()).compareTo(keyText.get(b.getKey())));
        return keys;
    }

    /**
     * Stands for the goroutine's entry under an empty stack in the text (Go's stacks always
     * end in runtime.goexit, and Go's legacy parser rejects {@code N @} with no address):
     * a goroutine whose frames are all the runtime's, or one not started yet.
     */
    static final ProfRt.Frame ENTRY = new ProfRt.Frame(0xfff, "dev.gort.runtime.G.run", "G.java", 0, false);

    private static List<ProfRt.Frame> textFrames(ProfRt.Stack s) {
        List<ProfRt.Frame> fs = s.frames();
        return fs.isEmpty() ? List.of(ENTRY) : fs;
    }

    /** Go's key: {@code @ 0x1000 0x1001}. */
    static String key(ProfRt.Stack s) {
        StringBuilder b = new StringBuilder("@");
        for (ProfRt.Frame f : textFrames(s)) {
            b.append(" 0x").append(Long.toHexString(f.id()));
        }
        return b.toString();
    }

    static void write(OutputStream out, int debug, String name, List<ProfRt.Stack> stacks) throws IOException {
        List<Map.Entry<ProfRt.Stack, Integer>> keys = counts(stacks);
        if (debug > 0) {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            w.write(name + " profile: total " + stacks.size() + "\n");
            for (var e : keys) {
                w.write(e.getValue() + " " + key(e.getKey()) + "\n");
                printStackRecord(w, e.getKey());
            }
            w.flush();
            return;
        }
        proto(out, name, keys, System.currentTimeMillis() * 1_000_000L, 0);
    }

    /**
     * Go's profileBuilder for a count profile: samples (stack, value) in the given order,
     * timeNanos and durationNanos (0: not written) as Go's profile.Profile has them.
     */
    static void proto(OutputStream out, String name, List<? extends Map.Entry<ProfRt.Stack, ? extends Number>> keys,
                      long timeNanos, long durationNanos) throws IOException {
        List<Map.Entry<ProfRt.Stack, long[]>> samples = new ArrayList<>(keys.size());
        for (var e : keys) {
            samples.add(Map.entry(e.getKey(), new long[] {e.getValue().longValue()}));
        }
        proto(out, new String[] {name, "count"}, new String[][] {{name, "count"}}, samples, timeNanos, durationNanos);
    }

    /**
     * Go's profileBuilder as printCountProfile and printCountCycleProfile use it: period
     * type {@code periodType} (type, unit) with period 1, the sample types (type, unit
     * each), then one sample per entry (its stack's locations, its values), timeNanos and
     * durationNanos (0: not written).
     */
    static void proto(OutputStream out, String[] periodType, String[][] sampleTypes,
                      List<? extends Map.Entry<ProfRt.Stack, long[]>> samples,
                      long timeNanos, long durationNanos) throws IOException {
        Protobuf pb = new Protobuf();
        Map<String, Integer> strings = new HashMap<>();
        List<String> table = new ArrayList<>();
        str(strings, table, "");
        valueType(pb, PROFILE_PERIOD_TYPE, str(strings, table, periodType[0]), str(strings, table, periodType[1]));
        pb.int64Opt(PROFILE_PERIOD, 1);
        for (String[] t : sampleTypes) {
            valueType(pb, PROFILE_SAMPLE_TYPE, str(strings, table, t[0]), str(strings, table, t[1]));
        }
        Map<ProfRt.Frame, Long> locs = new HashMap<>();
        Map<String, Long> funcs = new HashMap<>();
        long[] ids = new long[0];
        for (Map.Entry<ProfRt.Stack, long[]> e : samples) {
            List<ProfRt.Frame> fs = e.getKey().frames();
            if (ids.length < fs.size()) {
                ids = new long[fs.size()];
            }
            for (int i = 0; i < fs.size(); i++) {
                ids[i] = location(pb, locs, funcs, strings, table, fs.get(i));
            }
            int start = pb.startMessage();
            pb.uint64s(SAMPLE_LOCATION, ids, fs.size());
            long[] v = e.getValue();
            pb.uint64s(SAMPLE_VALUE, v, v.length);
            pb.endMessage(PROFILE_SAMPLE, start);
        }
        pb.int64Opt(PROFILE_TIME_NANOS, timeNanos);
        pb.int64Opt(PROFILE_DURATION_NANOS, durationNanos);
        for (String s : table) {
            pb.string(PROFILE_STRING_TABLE, s);
        }
        GZIPOutputStream z = new GZIPOutputStream(new NonClosing(out), 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED); // Go: gzip.BestSpeed
            }
        };
        z.write(pb.data(), 0, pb.size());
        z.finish();
        z.flush();
    }

    private static void valueType(Protobuf pb, int tag, long type, long unit) {
        int start = pb.startMessage();
        pb.int64(VALUE_TYPE_TYPE, type);
        pb.int64(VALUE_TYPE_UNIT, unit);
        pb.endMessage(tag, start);
    }

    private static long str(Map<String, Integer> strings, List<String> table, String s) {
        Integer i = strings.get(s);
        if (i == null) {
            i = table.size();
            strings.put(s, i);
            table.add(s);
        }
        return i;
    }

    /** The location id of f, emitting it (and its function) the first time (Go: emitLocation). */
    private static long location(Protobuf pb, Map<ProfRt.Frame, Long> locs, Map<String, Long> funcs,
                                 Map<String, Integer> strings, List<String> table, ProfRt.Frame f) {
        Long id = locs.get(f);
        if (id != null) {
            return id;
        }
        String fkey = f.func() + "\u0000" + f.file();
        Long fid = funcs.get(fkey);
        if (fid == null) {
            fid = (long) funcs.size() + 1;
            funcs.put(fkey, fid);
            int start = pb.startMessage();
            pb.uint64(FUNCTION_ID, fid);
            pb.int64(FUNCTION_NAME, str(strings, table, f.func()));
            pb.int64(FUNCTION_SYSTEM_NAME, str(strings, table, f.func()));
            pb.int64(FUNCTION_FILENAME, str(strings, table, f.file()));
            pb.endMessage(PROFILE_FUNCTION, start);
        }
        id = (long) locs.size() + 1;
        locs.put(f, id);
        int start = pb.startMessage();
        pb.uint64(LOCATION_ID, id);
        pb.uint64(LOCATION_ADDRESS, f.id());
        int line = pb.startMessage();
        pb.uint64(LINE_FUNCTION_ID, fid);
        pb.int64Opt(LINE_LINE, f.line());
        pb.endMessage(LOCATION_LINE, line);
        pb.endMessage(PROFILE_LOCATION, start);
        return id;
    }

    /**
     * Go's printStackRecord through a tabwriter (minwidth 1, tabwidth 8, padding 1, padchar
     * '\t'): the frame lines of one stack form a block whose columns are padded with tabs to
     * a common width (the widest cell plus the padding, rounded up to a tab stop).
     */
    static void printStackRecord(Writer w, ProfRt.Stack s) throws IOException {
        printFrames(w, textFrames(s));
    }

    /** printStackRecord's frame lines for any frames (the allocs profile's text too). */
    static void printFrames(Writer w, List<ProfRt.Frame> fs) throws IOException {
        String[][] cells = new String[fs.size()][];
        for (int i = 0; i < fs.size(); i++) {
            ProfRt.Frame f = fs.get(i);
            cells[i] = new String[] {"#", "0x" + Long.toHexString(f.id()), f.func() + "+0x0", f.file() + ":" + f.line()};
        }
        int[] width = new int[3];
        for (String[] c : cells) {
            for (int j = 0; j < 3; j++) {
                width[j] = Math.max(width[j], c[j].length() + 1);
            }
        }
        for (int j = 0; j < 3; j++) {
            width[j] = (width[j] + 7) / 8 * 8;
        }
        StringBuilder b = new StringBuilder();
        for (String[] c : cells) {
            for (int j = 0; j < 3; j++) {
                b.append(c[j]);
                int tabs = Math.max(1, (width[j] - c[j].length() + 7) / 8);
                b.append("\t".repeat(tabs));
            }
            b.append(c[3]).append('\n');
        }
        b.append('\n');
        w.write(b.toString());
    }

    /** The caller's stream, which writeTo must not close (GZIPOutputStream.finish does not, but be sure). */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
