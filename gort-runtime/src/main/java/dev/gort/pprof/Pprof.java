package dev.gort.pprof;

import dev.gort.runtime.ProfRt;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 *
 * <p>{@code threadcreate}: the stack that created each of gort's threads (Ms), runtime
 * frames included, as Go's; a count profile at every debug level.
 *
 * <p>{@code goroutineleak} (Go 1.26's, there behind GOEXPERIMENT=goroutineleakprofile;
 * here always on): goroutines blocked on a channel, select or sync primitive that nothing
 * alive can reach any more, found by the garbage collector when the profile is written
 * (dev.gort.runtime.GoroutineLeak). Unlike Go, gort then reclaims them: they leave
 * numGoroutine and the other profiles, and this profile keeps their records (id, wait
 * reason, the stack they leaked at, creation site); its count is every leak found so far.
 *
 * <p>{@code block} and {@code mutex}: where goroutines blocked on channels, selects and
 * {@code dev.gort.sync} (recorded while {@code Gort.setBlockProfileRate} is on), and which
 * unlocks kept waiters waiting (while {@code Gort.setMutexProfileFraction} is on): per
 * stack, the events' count and total delay, as Go's writeBlock and writeMutex write them
 * ({@link CycleProfile}). The stack of a block event is the blocked goroutine's at its
 * blocking call, with the gort API frame it called on top ({@code dev.gort.Chan.recv}, as
 * Go's {@code runtime.chanrecv1}); a mutex event's is the unlocker's.
 */
public final class Pprof {
    private Pprof() {}

    /** Go's *pprof.Profile, for the predefined profiles. */
    public static final class Profile {
        private final String name;
        private final java.util.function.IntSupplier count;
        private final ProfileWriter write;
        private final java.util.function.Supplier<List<Map.Entry<ProfRt.Stack, long[]>>> samples;
        /** The proto's period type and sample types, as {@link #samples} fills them. */
        final String[] periodType;
        final String[][] sampleTypes;

        private Profile(String name, java.util.function.IntSupplier count, ProfileWriter write,
                        java.util.function.Supplier<List<Map.Entry<ProfRt.Stack, long[]>>> samples,
                        String[] periodType, String[][] sampleTypes) {
            this.name = name;
            this.count = count;
            this.write = write;
            this.samples = samples;
            this.periodType = periodType;
            this.sampleTypes = sampleTypes;
        }

        /** The samples of the debug=0 proto now (stack, values), for delta profiles. */
        List<Map.Entry<ProfRt.Stack, long[]>> samples() {
            return samples.get();
        }

        /** The profile's name ({@code block}, {@code goroutine}, {@code mutex}, {@code threadcreate}). */
        public String name() {
            return name;
        }

        /**
         * Go's Count: records in the profile now (goroutine: runtime.NumGoroutine;
         * threadcreate: the threads (Ms) that exist; block, mutex: the distinct stacks
         * recorded).
         */
        public int count() {
            return count.getAsInt();
        }

        /**
         * Go's WriteTo. The stream is written to, never closed; an exception from it
         * propagates, and the runtime is left as it was.
         */
        public void writeTo(OutputStream out, int debug) throws IOException {
            Objects.requireNonNull(out, "out");
            write.write(out, debug);
        }

        @Override
        public String toString() {
            return "pprof.Profile(" + name + ")";
        }
    }

    private interface ProfileWriter {
        void write(OutputStream out, int debug) throws IOException;
    }

    private static final Profile GOROUTINE = countProfile("goroutine", ProfRt::numGoroutine, Pprof::writeGoroutine,
            Pprof::goroutineStacks);
    /**
     * Go's goroutineleak: each write first finds the goroutines leaked now (a garbage
     * collection) and reclaims them; debug=2 writes every goroutine as the goroutine
     * profile does, then the leaked ones ({@code [chan receive (leaked)]}).
     */
    private static final Profile GOROUTINELEAK = countProfile("goroutineleak", ProfRt::goroutineLeakCount,
            Pprof::writeGoroutineLeak, () -> {
                ProfRt.goroutineLeakProfile();
                return ProfRt.goroutineLeakStacks();
            });
    /** Go's threadcreate: the stack that created each M (thread), a count profile at every debug level. */
    private static final Profile THREADCREATE = countProfile("threadcreate", ProfRt::threadCount,
            (out, debug) -> CountProfile.write(out, debug, "threadcreate", ProfRt.threadCreateProfile()),
            ProfRt::threadCreateProfile);
    /** Go's blockProfile: writeBlock, countBlock. */
    private static final Profile BLOCK = cycleProfile("block", "contention", ProfRt::blockProfileCount,
            ProfRt::blockProfile);
    /** Go's mutexProfile: writeMutex, countMutex. */
    private static final Profile MUTEX = cycleProfile("mutex", "mutex", ProfRt::mutexProfileCount,
            ProfRt::mutexProfile);

    private static Profile countProfile(String name, java.util.function.IntSupplier count, ProfileWriter write,
                                        java.util.function.Supplier<List<ProfRt.Stack>> stacks) {
        return new Profile(name, count, write, () -> {
            List<Map.Entry<ProfRt.Stack, long[]>> out = new ArrayList<>();
            for (var e : CountProfile.counts(stacks.get())) {
                out.add(Map.entry(e.getKey(), new long[] {e.getValue()}));
            }
            return out;
        }, new String[] {name, "count"}, new String[][] {{name, "count"}});
    }

    private static Profile cycleProfile(String name, String textName, java.util.function.IntSupplier count,
                                        java.util.function.Supplier<List<ProfRt.BlockRecord>> records) {
        return new Profile(name, count, (out, debug) -> CycleProfile.write(out, debug, textName, records.get()),
                () -> CycleProfile.samples(CycleProfile.sorted(records.get())),
                CycleProfile.PERIOD_TYPE, CycleProfile.SAMPLE_TYPES);
    }

    /** Go's pprof.Lookup: the named profile, or null if there is none. */
    public static Profile lookup(String name) {
        return switch (name == null ? "" : name) {
            case "block" -> BLOCK;
            case "goroutine" -> GOROUTINE;
            case "mutex" -> MUTEX;
            case "goroutineleak" -> GOROUTINELEAK;
            case "threadcreate" -> THREADCREATE;
            default -> null;
        };
    }

    /** Go's pprof.Profiles: every profile, sorted by name. */
    public static List<Profile> profiles() {
        return List.of(BLOCK, GOROUTINE, GOROUTINELEAK, MUTEX, THREADCREATE);
    }

    /** Go's writeGoroutine. */
    private static void writeGoroutine(OutputStream out, int debug) throws IOException {
        List<ProfRt.Goroutine> gs = ProfRt.goroutineProfile();
        if (debug >= 2) {
            writeTracebacks(out, gs);
            return;
        }
        CountProfile.write(out, debug, "goroutine", stacks(gs));
    }

    /** Go's writeGoroutineLeak. */
    private static void writeGoroutineLeak(OutputStream out, int debug) throws IOException {
        List<ProfRt.Goroutine> leaked = ProfRt.goroutineLeakProfile();
        if (debug >= 2) {
            // Go: writeGoroutineStacks, leaked goroutines among the others; here they have
            // been reclaimed, so their records follow the living.
            List<ProfRt.Goroutine> all = new ArrayList<>(ProfRt.goroutineProfile());
            all.addAll(leaked);
            writeTracebacks(out, all);
            return;
        }
        CountProfile.write(out, debug, "goroutineleak", ProfRt.goroutineLeakStacks());
    }

    /**
     * Tracebacks, a blank line between two, streamed a goroutine at a time: 100k goroutines
     * make ~20 MB of text, which as one string is a humongous allocation (and a GC pause for
     * every goroutine).
     */
    private static void writeTracebacks(OutputStream out, List<ProfRt.Goroutine> gs) throws IOException {
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
    }

    private static List<ProfRt.Stack> goroutineStacks() {
        return stacks(ProfRt.goroutineProfile());
    }

    private static List<ProfRt.Stack> stacks(List<ProfRt.Goroutine> gs) {
        List<ProfRt.Stack> stacks = new ArrayList<>(gs.size());
        for (ProfRt.Goroutine g : gs) {
            stacks.add(g.stack());
        }
        return stacks;
    }
}
