package dev.gort.pprof;

import dev.gort.runtime.ProfRt;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Go's profileBuilder (runtime/pprof/proto.go) for profiles with several values per sample
 * (CPU: {@code samples/count}, {@code cpu/nanoseconds}; allocations: Go's writeHeapProto's
 * four): value types, period, default sample type, samples, and a location per distinct
 * frame with its function, each emitted the first time a sample uses it (Go's
 * emitLocation), then the string table, gzipped at BestSpeed as Go's.
 *
 * <p>Differences from Go: no mappings (a Java frame has no binary behind it; each location
 * carries its function, so pprof needs no symbolization), and a location's address is the
 * frame's id ({@link ProfRt.Frame#id}), not a PC. {@link CountProfile} writes the count
 * profiles the same way.
 */
final class ProfileBuilder {
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
    private static final int PROFILE_DEFAULT_SAMPLE_TYPE = 14;
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

    private final Protobuf pb = new Protobuf();
    private final Map<String, Integer> strings = new HashMap<>();
    private final List<String> table = new ArrayList<>();
    private final Map<ProfRt.Frame, Long> locs = new HashMap<>();
    private final Map<String, Long> funcs = new HashMap<>();
    private long[] ids = new long[16];

    ProfileBuilder() {
        str("");
    }

    /** Go's pbValueType(tagProfile_SampleType, type, unit): the samples' next value. */
    ProfileBuilder sampleType(String type, String unit) {
        valueType(PROFILE_SAMPLE_TYPE, type, unit);
        return this;
    }

    /** Go's pbValueType(tagProfile_PeriodType, ...) and int64Opt(tagProfile_Period, period). */
    ProfileBuilder period(String type, String unit, long period) {
        valueType(PROFILE_PERIOD_TYPE, type, unit);
        pb.int64Opt(PROFILE_PERIOD, period);
        return this;
    }

    /** Go's int64Opt(tagProfile_DefaultSampleType, stringIndex(type)). */
    ProfileBuilder defaultSampleType(String type) {
        pb.int64Opt(PROFILE_DEFAULT_SAMPLE_TYPE, str(type));
        return this;
    }

    /** time_nanos and duration_nanos (0: not written), as Go's build writes them. */
    ProfileBuilder time(long timeNanos, long durationNanos) {
        pb.int64Opt(PROFILE_TIME_NANOS, timeNanos);
        pb.int64Opt(PROFILE_DURATION_NANOS, durationNanos);
        return this;
    }

    /** Go's pbSample: a sample of the stack (innermost first) with one value per sample type. */
    void sample(List<ProfRt.Frame> stack, long... values) {
        if (ids.length < stack.size()) {
            ids = new long[stack.size()];
        }
        for (int i = 0; i < stack.size(); i++) {
            ids[i] = location(stack.get(i));
        }
        int start = pb.startMessage();
        pb.uint64s(SAMPLE_LOCATION, ids, stack.size());
        pb.uint64s(SAMPLE_VALUE, values, values.length);
        pb.endMessage(PROFILE_SAMPLE, start);
    }

    /** Go's build: the string table, then all of it gzipped to out (which is not closed). */
    void write(OutputStream out) throws IOException {
        for (String s : table) {
            pb.string(PROFILE_STRING_TABLE, s);
        }
        GZIPOutputStream z = new GZIPOutputStream(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the caller's stream stays open
            }
        }, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED); // Go: gzip.BestSpeed
            }
        };
        z.write(pb.data(), 0, pb.size());
        z.finish();
        z.flush();
    }

    private void valueType(int tag, String type, String unit) {
        long t = str(type);
        long u = str(unit);
        int start = pb.startMessage();
        pb.int64(VALUE_TYPE_TYPE, t);
        pb.int64(VALUE_TYPE_UNIT, u);
        pb.endMessage(tag, start);
    }

    /** Go's stringIndex. */
    private long str(String s) {
        Integer i = strings.get(s);
        if (i == null) {
            i = table.size();
            strings.put(s, i);
            table.add(s);
        }
        return i;
    }

    /** The location id of f, emitting it (and its function) the first time (Go's emitLocation). */
    private long location(ProfRt.Frame f) {
        Long id = locs.get(f);
        if (id != null) {
            return id;
        }
        String fkey = f.func() + "\u0000" + f.file();
        Long fid = funcs.get(fkey);
        if (fid == null) {
            fid = (long) funcs.size() + 1;
            funcs.put(fkey, fid);
            long name = str(f.func());
            long file = str(f.file());
            int start = pb.startMessage();
            pb.uint64(FUNCTION_ID, fid);
            pb.int64(FUNCTION_NAME, name);
            pb.int64(FUNCTION_SYSTEM_NAME, name);
            pb.int64(FUNCTION_FILENAME, file);
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
}
