package dev.gort.pprof;

import dev.gort.runtime.ProfRt;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A profile's change over an interval: what Go's serveDeltaProfile (net/http/pprof)
 * computes with collectProfile, {@code p0.Scale(-1)} and {@code profile.Merge}: per
 * distinct stack, each value at the end minus the value at the start (a count profile's
 * count; the block and mutex profiles' contentions and delay); samples whose values are all
 * 0 are dropped (Merge drops zero samples), negative ones kept; TimeNanos is the second
 * collection's time and DurationNanos the time between the two.
 *
 * <p>Differences from Go: the stacks are compared directly rather than through a parsed
 * proto; samples come in the order of the second profile (Merge's order is its own; pprof
 * does not depend on it).
 */
final class DeltaProfile {
    private DeltaProfile() {}

    /** One collection (Go's collectProfile): the debug=0 samples and when they were taken. */
    record Snapshot(List<Map.Entry<ProfRt.Stack, long[]>> samples, long timeNanos) {}

    static Snapshot collect(Pprof.Profile p) {
        return new Snapshot(p.samples(), System.currentTimeMillis() * 1_000_000L);
    }

    static void write(OutputStream out, Pprof.Profile p, Snapshot p0, Snapshot p1) throws IOException {
        Map<ProfRt.Stack, long[]> d = new LinkedHashMap<>();
        for (var e : p1.samples()) {
            long[] v = d.computeIfAbsent(e.getKey(), k -> new long[e.getValue().length]);
            for (int i = 0; i < v.length; i++) {
                v[i] += e.getValue()[i];
            }
        }
        for (var e : p0.samples()) {
            long[] v = d.computeIfAbsent(e.getKey(), k -> new long[e.getValue().length]);
            for (int i = 0; i < v.length; i++) {
                v[i] -= e.getValue()[i];
            }
        }
        List<Map.Entry<ProfRt.Stack, long[]>> samples = new ArrayList<>();
        for (var e : d.entrySet()) {
            for (long x : e.getValue()) {
                if (x != 0) {
                    samples.add(e);
                    break;
                }
            }
        }
        CountProfile.proto(out, p.periodType, p.sampleTypes, samples, p1.timeNanos(), p1.timeNanos() - p0.timeNanos());
    }
}
