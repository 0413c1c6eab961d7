package dev.gort.pprof;

import dev.gort.runtime.ProfRt;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code allocs} profile from JFR's allocation samples: Go's memory profile
 * (runtime/mprof.go's MemProfile records, one per allocation stack) as
 * {@code /debug/pprof/allocs} serves it (writeAlloc: writeHeapProto with the default
 * sample type {@code alloc_space}; debug=1 the legacy {@code heap profile:} text).
 *
 * <p>Sampling: Go samples an allocation every 512 KiB on average (MemProfileRate) from the
 * program's start and keeps, per distinct stack, the sampled objects and bytes scaled up
 * to what they stand for. gort records JFR's {@code jdk.ObjectAllocationSample} (throttled
 * to {@value #THROTTLE}, JFR's own setting for always-on recordings) on a
 * {@link RecordingStream} that runs while a {@link PprofServer} does, and adds each sample
 * to its stack's record as it arrives, so the records are cumulative and their memory
 * bounded by the distinct stacks, as Go's buckets. A sample's {@code weight} is the bytes
 * its thread allocated since its previous sample: the bytes it stands for, which is what
 * Go's scaled {@code alloc_space} estimates too.
 *
 * <p>Values: {@code alloc_space} the summed weights; {@code alloc_objects} the number of
 * samples (JFR records no object size, so the objects the bytes hold cannot be counted:
 * read it as "allocation sites hit", not objects); {@code inuse_objects} and
 * {@code inuse_space} are 0 (see below). Stacks are {@link JfrStacks}'s, with the
 * runtime's innermost frames hidden when a non-runtime frame is below them, as
 * writeHeapProto hides {@code runtime.} frames.
 *
 * <p>Differences from Go: the records are cumulative since the first {@link PprofServer}
 * started (not since the program started: the agent's {@code pprof=} starts it with the
 * runtime), and have gaps while no server runs. They are as of JFR's last flush (about a
 * second), as Go's are as of the last GC. No live-heap ({@code inuse_*}) values: JFR's
 * {@code jdk.OldObjectSample} keeps a fixed-size set of leak candidates, not a weighted
 * sample of the live heap, and nothing else is cheap enough to run all the time; so the
 * {@code heap} profile (whose default is {@code inuse_space}) is not served. No
 * {@code bytes} label per sample (Go's object size) and no period (Go's MemProfileRate).
 * The sampling thread's own allocations (parsing JFR's stream) are left out: they are the
 * profiler's, and would be in every profile. The debug=1 text has no
 * {@code # runtime.MemStats} section, and lists stacks by bytes, most first.
 */
final class AllocProfile {
    private AllocProfile() {}

    static final String EVENT = "jdk.ObjectAllocationSample";
    /** JFR's default.jfc setting for always-on recordings (profile.jfc has 300/s). */
    static final String THROTTLE = "150/s";

    private static final Object lock = new Object();
    private static int servers; // lock: running PprofServers
    private static long generation; // lock: bumped at each start and stop
    private static RecordingStream stream; // lock
    // volatile: written under lock, read without it by the stream's callback and the handlers
    private static volatile long streamThread = -1; // the sampling thread's id, whose allocations are left out
    private static volatile String failure; // why sampling could not start, or null
    private static long flushes; // lock: the stream's flushes so far

    /** Per stack: [samples, bytes]; guarded by itself. Go's mbuckets. */
    private static final Map<List<ProfRt.Frame>, long[]> records = new LinkedHashMap<>();

    /** A server started: start sampling if none ran. */
    static void serverStarted() {
        synchronized (lock) {
            if (servers++ == 0) {
                long gen = ++generation;
                Thread t = new Thread(() -> run(gen), "gort-pprof-allocs");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    /** A server closed: stop sampling when it was the last. */
    static void serverClosed() {
        synchronized (lock) {
            if (--servers == 0) {
                generation++;
                if (stream != null) {
                    stream.close(); // run's stream.start() returns
                    stream = null;
                }
            }
        }
    }

    /**
     * The sampling thread: a daemon (it must not keep the JVM alive; JFR's own
     * {@code startAsync} thread is not one), touching no gort state, so it never counts as
     * a plain thread that used gort.
     */
    private static void run(long gen) {
        RecordingStream rs;
        try {
            if (!FlightRecorder.isAvailable()) {
                throw new IllegalStateException("JFR (the JDK Flight Recorder) is not available in this JVM");
            }
            rs = new RecordingStream();
            for (String e : GortJfrEvents.NAMES) {
                rs.disable(e);
            }
            rs.enable(EVENT).with("throttle", THROTTLE).withStackTrace();
            rs.setMaxAge(Duration.ofSeconds(10)); // consumed as it comes: keep little on disk
            rs.onEvent(EVENT, AllocProfile::record);
            rs.onFlush(() -> {
                synchronized (lock) {
                    flushes++;
                    lock.notifyAll();
                }
            });
        } catch (RuntimeException | Error e) {
            synchronized (lock) {
                if (generation == gen) {
                    failure = e.toString();
                }
            }
            return;
        }
        synchronized (lock) {
            if (generation != gen) {
                rs.close(); // the servers closed meanwhile
                return;
            }
            failure = null;
            stream = rs;
            streamThread = Thread.currentThread().threadId();
        }
        try {
            rs.start();
        } catch (RuntimeException e) {
            synchronized (lock) {
                if (generation == gen) {
                    failure = e.toString();
                }
            }
        } finally {
            synchronized (lock) {
                if (stream == rs) {
                    stream = null;
                }
            }
        }
    }

    private static void record(RecordedEvent e) {
        RecordedThread t = e.getThread("eventThread");
        if (t != null && t.getJavaThreadId() == streamThread) {
            return;
        }
        List<ProfRt.Frame> stack = hideRuntime(JfrStacks.frames(e.getStackTrace()));
        long weight = e.getLong("weight");
        synchronized (records) {
            long[] v = records.computeIfAbsent(stack, k -> new long[2]);
            v[0]++;
            v[1] += weight;
        }
    }

    /** writeHeapProto's hideRuntime: from the innermost frame that is not the runtime's, if any. */
    static List<ProfRt.Frame> hideRuntime(List<ProfRt.Frame> stack) {
        for (int i = 0; i < stack.size(); i++) {
            if (!JfrStacks.isRuntime(stack.get(i))) {
                return i == 0 ? stack : List.copyOf(stack.subList(i, stack.size()));
            }
        }
        return stack;
    }

    /** Running servers (sampling runs while there is one). */
    static int servers() {
        synchronized (lock) {
            return servers;
        }
    }

    /** Why sampling does not run, or null. */
    static String failure() {
        return failure;
    }

    /** Go's countHeap: the records (distinct stacks). */
    static int count() {
        synchronized (records) {
            return records.size();
        }
    }

    /** Waits (at most timeoutMillis) until the stream has flushed n more times: every sample taken before now is in. */
    static boolean awaitFlushes(int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        synchronized (lock) {
            long target = flushes + n;
            while (flushes < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stream == null && failure != null) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** One collection: the records now (Go's collectProfile). */
    record Snapshot(Map<List<ProfRt.Frame>, long[]> records, long timeNanos) {}

    static Snapshot collect() {
        Map<List<ProfRt.Frame>, long[]> copy = new LinkedHashMap<>();
        synchronized (records) {
            for (var e : records.entrySet()) {
                copy.put(e.getKey(), e.getValue().clone());
            }
        }
        return new Snapshot(copy, System.currentTimeMillis() * 1_000_000L);
    }

    /** Go's writeAlloc: debug=0 the proto, otherwise the legacy text. */
    static void write(OutputStream out, int debug, Snapshot s) throws IOException {
        if (debug != 0) {
            text(out, s);
            return;
        }
        proto(out, s.records(), s.timeNanos(), 0);
    }

    /** Go's serveDeltaProfile for allocs: p1 - p0, stacks whose values all cancel dropped (profile.Merge). */
    static void writeDelta(OutputStream out, Snapshot p0, Snapshot p1) throws IOException {
        Map<List<ProfRt.Frame>, long[]> d = new LinkedHashMap<>();
        for (var e : p1.records().entrySet()) {
            long[] v0 = p0.records().get(e.getKey());
            long[] v = e.getValue().clone();
            if (v0 != null) {
                v[0] -= v0[0];
                v[1] -= v0[1];
            }
            if (v[0] != 0 || v[1] != 0) {
                d.put(e.getKey(), v);
            }
        }
        proto(out, d, p1.timeNanos(), p1.timeNanos() - p0.timeNanos());
    }

    /** Go's writeHeapProto(w, p, rate, "alloc_space"). */
    private static void proto(OutputStream out, Map<List<ProfRt.Frame>, long[]> records, long timeNanos,
                              long durationNanos) throws IOException {
        ProfileBuilder b = new ProfileBuilder()
                .period("space", "bytes", 0)
                .sampleType("alloc_objects", "count")
                .sampleType("alloc_space", "bytes")
                .sampleType("inuse_objects", "count")
                .sampleType("inuse_space", "bytes")
                .defaultSampleType("alloc_space");
        for (var e : records.entrySet()) {
            b.sample(e.getKey(), e.getValue()[0], e.getValue()[1], 0, 0);
        }
        b.time(timeNanos, durationNanos);
        b.write(out);
    }

    /** Go's writeHeapInternal with debug != 0: {@code heap profile: ...}, then each record and its frames. */
    private static void text(OutputStream out, Snapshot s) throws IOException {
        List<Map.Entry<List<ProfRt.Frame>, long[]>> rs = new ArrayList<>(s.records().entrySet());
        rs.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        long objects = 0;
        long bytes = 0;
        for (var r : rs) {
            objects += r.getValue()[0];
            bytes += r.getValue()[1];
        }
        // Go: pprof reads a profile whose alloc bytes equal its inuse bytes as a 2-column
        // profile; so the header's alloc bytes are never equal to the inuse bytes (0 here).
        long allocBytes = bytes == 0 ? bytes + 1 : bytes;
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        w.write("heap profile: 0: 0 [" + objects + ": " + allocBytes + "] @ heap/0\n");
        for (var r : rs) {
            StringBuilder line = new StringBuilder("0: 0 [").append(r.getValue()[0]).append(": ").append(r.getValue()[1])
                    .append("] @");
            // an empty stack (an allocation in the goroutine's entry itself) gets the entry's
            // frame: Go's legacy parser rejects a record with no address
            List<ProfRt.Frame> frames = r.getKey().isEmpty() ? List.of(CountProfile.ENTRY) : r.getKey();
            for (ProfRt.Frame f : frames) {
                line.append(" 0x").append(Long.toHexString(f.id()));
            }
            w.write(line.append('\n').toString());
            CountProfile.printFrames(w, frames);
        }
        w.flush();
    }
}
