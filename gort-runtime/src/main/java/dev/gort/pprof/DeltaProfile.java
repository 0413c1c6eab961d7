package dev.gort.pprof;

import dev.gort.runtime.ProfRt;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A count profile's change over an interval: what Go's serveDeltaProfile (net/http/pprof)
 * computes with collectProfile, {@code p0.Scale(-1)} and {@code profile.Merge}: per
 * distinct stack, the count at the end minus the count at the start; stacks whose
 * difference is 0 are dropped (Merge drops zero samples), negative ones kept; TimeNanos is
 * the second collection's time and DurationNanos the time between the two.
 *
 * <p>Differences from Go: the stacks are compared directly rather than through a parsed
 * proto; samples come in Go's keysByCount order of the second profile (Merge's order is
 * its own; pprof does not depend on it).
 */
final class DeltaProfile {
    private DeltaProfile() {}

    /** One collection (Go's collectProfile). */
    record Snapshot(List<Map.Entry<ProfRt.Stack, Integer>> counts, long timeNanos) {}

    static Snapshot collect(Pprof.Profile p) {
        List<ProfRt.Stack> stacks = p.stacks();
        return new Snapshot(CountProfile.counts(stacks), System.currentTimeMillis() * 1_000_000L);
    }

    static void write(OutputStream out, String name, Snapshot p0, Snapshot p1) throws IOException {
        Map<ProfRt.Stack, Long> d = new LinkedHashMap<>();
        for (var e : p1.counts()) {
            d.put(e.getKey(), (long) e.getValue());
        }
        for (var e : p0.counts()) {
            d.merge(e.getKey(), (long) -e.getValue(), Long::sum);
        }
        List<Map.Entry<ProfRt.Stack, Long>> samples = new ArrayList<>();
        for (var e : d.entrySet()) {
            if (e.getValue() != 0) {
                samples.add(e);
            }
        }
        CountProfile.proto(out, name, samples, p1.timeNanos(), p1.timeNanos() - p0.timeNanos());
    }
}
