package dev.gort.pprof;

import dev.gort.runtime.ProfRt;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Go's runtime/pprof: named profiles, written in Go's formats so that Go's tools read them
 * ({@code go tool pprof}).
 *
 * <p>{@code goroutine}: every goroutine's stack. {@code debug=0} writes Go's gzipped
 * profile.proto (sample and period type {@code goroutine/count}), {@code debug=1} Go's
 * legacy text of counts per distinct stack, {@code debug>=2} every goroutine's traceback
 * in Go's shape ({@code goroutine N [wait reason, M minutes, locked to thread]:}, frames,
 * {@code created by ... in goroutine P}), as Go's writeGoroutine; debug values Go does not
 * define are read as Go reads them (negative as 0, above 2 as 2). Frames are Java frames:
 * {@code pkg.Class.method}, the source file's name and line.
 *
 * <p>Capture does not stop the world, unlike Go's debug=2 (runtime.Stack(all)): the set
 * of goroutines is fixed at one instant, and each goroutine's stack is recorded before it
 * next runs (dev.gort.runtime.GoroutineProfile has the protocol); a running goroutine's
 * stack is read from its thread.
 */
public final class Pprof {
    private Pprof() {}

    /** Go's *pprof.Profile, for the predefined profiles. */
    public static final class Profile {
        private final String name;

        private Profile(String name) {
            this.name = name;
        }

        /** The profile's name ({@code goroutine}). */
        public String name() {
            return name;
        }

        /** Go's Count: records in the profile now (for goroutine, runtime.NumGoroutine). */
        public int count() {
            return ProfRt.numGoroutine();
        }

        /**
         * Go's WriteTo. The stream is written to, never closed; an exception from it
         * propagates, and the runtime is left as it was.
         */
        public void writeTo(OutputStream out, int debug) throws IOException {
            Objects.requireNonNull(out, "out");
            writeGoroutine(out, debug);
        }

        @Override
        public String toString() {
            return "pprof.Profile(" + name + ")";
        }
    }

    private static final Profile GOROUTINE = new Profile("goroutine");

    /** Go's pprof.Lookup: the named profile, or null if there is none. */
    public static Profile lookup(String name) {
        return "goroutine".equals(name) ? GOROUTINE : null;
    }

    /** Go's pprof.Profiles: every profile, sorted by name. */
    public static List<Profile> profiles() {
        return List.of(GOROUTINE);
    }

    /** Go's writeGoroutine. */
    private static void writeGoroutine(OutputStream out, int debug) throws IOException {
        List<ProfRt.Goroutine> gs = ProfRt.goroutineProfile();
        if (debug >= 2) {
            // Streamed a goroutine at a time: 100k goroutines make ~20 MB of text, which as one
            // string is a humongous allocation (and a GC pause for every goroutine).
            java.io.Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            StringBuilder b = new StringBuilder(1024);
            boolean first = true;
            for (ProfRt.Goroutine g : gs) {
                b.setLength(0);
                if (!first) {
                    b.append('\n');
                }
                first = false;
                ProfRt.traceback(g, b);
                w.append(b);
            }
            w.flush();
            return;
        }
        List<ProfRt.Stack> stacks = new ArrayList<>(gs.size());
        for (ProfRt.Goroutine g : gs) {
            stacks.add(g.stack());
        }
        CountProfile.write(out, debug, "goroutine", stacks);
    }
}
