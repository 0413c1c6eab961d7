package dev.gort.runtime;

import static dev.gort.runtime.TraceEvents.*;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * The JVM's garbage collections in the execution trace, as Go's GC events (traceruntime.go's
 * GCStart, GCDone, STWStart, STWDone, HeapAlloc, HeapGoal), so the timeline shows them beside
 * the goroutines, as Go's does: each collection a "GC concurrent mark phase" range, each of
 * its pauses a "stop-the-world (GC pause: ...)" range, the heap in use before and after as
 * {@code /memory/classes/heap/objects:bytes} and the committed heap as
 * {@code /gc/heap/goal:bytes}.
 *
 * <h2>Where the events come from</h2>
 * The JDK's GC notifications ({@code com.sun.management.GarbageCollectionNotificationInfo},
 * one per collection, cycle or pause, from each {@code GarbageCollectorMXBean}), listened to
 * only while tracing: registered when a trace starts, removed when it stops. Each arrives on
 * the JDK's "Notification Thread" 1-2 ms after the collection ends (median over G1, ZGC and
 * Shenandoah; up to ~15 ms), with its start and end in milliseconds and the heap pools' use
 * before and after. The listener only appends it to {@link #pending}: it never writes to the
 * trace nor touches gort, so that thread never becomes a plain thread that used gort.
 *
 * <h2>Who collects, in the trace</h2>
 * Go's parser wants GC ranges and STW ranges from an M that holds a P and runs a goroutine,
 * and heap metrics from an M with a P. Go's GC workers are goroutines; the JVM's are not
 * gort's, so the trace gets a stand-in: one goroutine ({@link #goid}, its start frame
 * "jvm.gc"), on a thread no JVM thread is ({@link #mid}, the id of a thread never started),
 * with a P of its own ({@link #pid}, the first id no real P has had). It is created blocked
 * at the trace's first collection (Go's GoCreateBlocked, as gcBgMarkStartWorkers does) and
 * then waits ("GC worker (idle)") between collections; for each one the P starts, the
 * goroutine is unblocked and runs it (Go's findRunnableGCWorker), and both stop after. From
 * its creation on, each generation starts by saying their statuses (P idle, goroutine
 * waiting), the tracer's rule for every P and goroutine.
 *
 * <h2>When the events are written</h2>
 * At the end of each generation ({@link #writeGen}, called by {@link Tracer#advance} once no
 * thread writes to the generation any more), one batch of the stand-in thread with the
 * generation's collections, sorted and merged. Collections arrive after the fact and out of
 * order (ZGC's and Shenandoah's pauses before the cycle that holds them, a major cycle after
 * the minor ones inside it), while a batch's times must never go backwards: holding them to
 * the generation's end orders them completely. Collections that overlap (G1's young pauses
 * and its concurrent cycle's pauses, ZGC's minor and major cycles) merge into one Go GC range,
 * as Go's parser wants them never overlapping, with their pauses as its STW ranges; each
 * range starts and ends in one generation, so Go's GCActive is never needed. A collection
 * reported after its generation was written goes to the next one, clamped to start with it.
 *
 * <h2>Alternatives rejected</h2>
 * <ul>
 *   <li>JFR streaming ({@code jdk.GarbageCollection}, {@code jdk.GCPhasePause},
 *       {@code jdk.GCHeapSummary}): nanosecond times, but starting a {@code RecordingStream}
 *       took 520-660 ms and ~30 MB more resident memory here, and events arrive with its flushes,
 *       0.5 s late on average and up to 1.2 s: nearly every collection would reach the
 *       tracer after its generation was written. The notifications cost ~30 ms at the first
 *       trace of a JVM (the JDK's management beans start), 0.5 ms after.</li>
 *   <li>Writing each collection when it is reported, through a writer that holds the write
 *       flag like an M's: simple for STW collectors, but a cycle reported after its own
 *       pauses could no longer be written before them.</li>
 *   <li>A P id far beyond any real one: {@code go tool trace} lists every P id up to the
 *       largest, so it would show that many empty Ps.</li>
 * </ul>
 *
 * <h2>Differences from Go</h2>
 * <ul>
 *   <li>Times have the JDK's millisecond precision: a pause under a millisecond shows as an
 *       instant. The JDK counts them from the end of its own start-up; {@link Jmx} maps
 *       that to the trace clock through the wall clock, corrected whenever a collection
 *       would end after it was reported.</li>
 *   <li>The heap in use is known only before and after collections (Go updates it as it
 *       allocates), and the goal is the committed heap (the JVM grows it before it
 *       collects; Go's goal is where the next cycle starts).</li>
 *   <li>A collection that spans a generation boundary starts, in the trace, at the
 *       boundary.</li>
 *   <li>The goroutine is not labeled "GC (dedicated)" as Go's workers are: Go's
 *       utilization analysis indexes its Ps by id up to GOMAXPROCS and would fail on a P
 *       beyond it.</li>
 *   <li>G1's concurrent marking is not a collection the JDK reports, only its pauses.</li>
 * </ul>
 */
final class TraceGC {
    private TraceGC() {}

    /**
     * System property {@code gort.trace.gc}: 1 (default) traces the JVM's collections, 0
     * leaves them out. The JDK's notifications are not free: in an allocation loop under
     * ZGC (~550 a second) a traced program ran 9-23% slower here; under G1 (~100 a second)
     * no difference showed.
     */
    static final boolean enabled = Env.intProperty("gort.trace.gc", 1, 0, 1) == 1;

    /** Go's waitReasonGCWorkerIdle: what the stand-in goroutine waits for between collections. */
    static final String IDLE = "GC worker (idle)";

    /** The stand-in goroutine's start frame, as Go's workers start in runtime.gcBgMarkWorker. */
    private static final TraceStack.Stack START_STACK = TraceStack.named("jvm", "gc");

    /** A collection as reported, times on the trace clock; heap bytes -1 where not reported. */
    record Collection(long start, long end, boolean pause, String kind, long heapBefore, long heapAfter,
            long heapCommitted) {}

    /** The collections not yet written; null while not listening. Under TraceGC.class's lock. */
    private static List<Collection> pending;

    // The rest is the tracer's: read and written under its advanceLock.

    /** The stand-in goroutine's id, for the life of the JVM (0: not reserved yet, see {@link #write}). */
    private static long goid;
    /** The stand-in thread's id: a thread that never starts has an id no other thread gets. */
    private static long mid;
    /** The stand-in P's id in this trace: the first id no real P had (Stw.allpEver grows). */
    private static int pid;
    /** Whether the stand-in goroutine exists in this trace (created at its first collection). */
    private static boolean created;
    /** Go's trace.seqGC: counts GC events (begin and end) in this trace; the parser orders them by it. */
    private static long seqGC;
    /** The trace time the generation being collected began. */
    private static long genStart;
    private static Jmx jmx;

    /** A trace starts: listen to the JVM's collections (Tracer.startTracing, under advanceLock). */
    static void start(long firstGenStart) {
        if (!enabled) {
            return;
        }
        created = false;
        seqGC = 0;
        genStart = firstGenStart;
        if (jmx != null) {
            jmx.close(); // the last trace's, should its stop have failed half way
            jmx = null;
        }
        synchronized (TraceGC.class) {
            pending = new ArrayList<>();
        }
        try {
            jmx = Jmx.listen();
        } catch (LinkageError | RuntimeException e) {
            // No java.management in this runtime: a trace without collections (without
            // jdk.management the collectors send no notifications: the same, quietly).
            jmx = null;
            synchronized (TraceGC.class) {
                pending = null;
            }
        }
    }

    /** Whether the JVM's collections are being listened to (a trace is on). */
    static synchronized boolean listening() {
        return pending != null;
    }

    /** A collection reported (on the JDK's notification thread): kept for its generation's end. */
    static synchronized void add(Collection c) {
        if (pending != null) {
            pending.add(c);
        }
    }

    /**
     * Generation g ends (Tracer.advance, under advanceLock, after every thread's buffers of g
     * are flushed and before g's tables are written): writes the collections that ended before
     * the next generation began at trace time nextStart, or all of them when the trace stops.
     */
    static void writeGen(long g, long nextStart, boolean stop) {
        List<Collection> mine = new ArrayList<>();
        synchronized (TraceGC.class) {
            if (pending == null) {
                return;
            }
            List<Collection> later = new ArrayList<>();
            for (Collection c : pending) {
                (stop || c.end() < nextStart ? mine : later).add(c);
            }
            pending = stop ? null : later;
        }
        if (stop && jmx != null) {
            jmx.close();
            jmx = null;
        }
        if (created || !mine.isEmpty()) {
            write(g, mine);
        }
        genStart = nextStart;
    }

    /** The stand-in M's batch of generation g: its statuses, then each merged collection. */
    private static void write(long g, List<Collection> cs) {
        if (goid == 0) {
            // Only now, as Go creates its GC workers at the first collection: a trace begun
            // with the runtime (gort.trace) must not make the first run's main goroutine 2.
            goid = Sched.goidgen.incrementAndGet();
            mid = Thread.ofPlatform().unstarted(() -> { }).threadId();
        }
        int everP = Stw.allpEver.length;
        if (!created || everP > pid) {
            pid = everP; // a real P took the id: ours is a new P from this generation on
        }
        Batch b = new Batch(g, genStart);
        b.ev(EvProcStatus, genStart, pid, ProcIdle);
        if (created) {
            b.ev(EvGoStatus, genStart, goid, -1, GoWaiting);
        }
        cs.sort(Comparator.comparingLong(Collection::start));
        for (int i = 0, n = cs.size(); i < n; ) {
            long start = Math.max(cs.get(i).start(), genStart);
            long end = Math.max(cs.get(i).end(), start);
            int j = i + 1;
            while (j < n && cs.get(j).start() <= end) {
                end = Math.max(end, cs.get(j).end());
                j++;
            }
            collection(b, cs.subList(i, j), start, end);
            i = j;
        }
        b.flush();
    }

    /** One Go GC range, start to end, for overlapping collections cs (sorted by start). */
    private static void collection(Batch b, List<Collection> cs, long start, long end) {
        long before = -1;
        Collection last = null; // the last to end that reported the heap after it
        for (Collection c : cs) {
            if (before < 0 && c.heapBefore() >= 0) {
                before = c.heapBefore();
            }
            if (c.heapAfter() >= 0 && (last == null || c.end() >= last.end())) {
                last = c;
            }
        }
        b.ev(EvProcStart, start, pid, ++b.pseq);
        if (!created) {
            created = true;
            long startStack = Tracer.stacks[(int) (b.gen & 1)].put(START_STACK, b.gen);
            b.ev(EvGoCreateBlocked, start, goid, startStack, 0);
        }
        b.ev(EvGoUnblock, start, goid, ++b.gseq, 0);
        b.ev(EvGoStart, start, goid, ++b.gseq);
        if (before >= 0) {
            b.ev(EvHeapAlloc, start, before);
        }
        b.ev(EvGCBegin, start, ++seqGC, 0);
        long stwEnd = start; // pauses never overlap either
        for (Collection c : cs) {
            if (c.pause()) {
                long s = Math.min(Math.max(c.start(), stwEnd), end);
                stwEnd = Math.min(Math.max(c.end(), s), end);
                b.ev(EvSTWBegin, s, b.string(c.kind()), 0);
                b.ev(EvSTWEnd, stwEnd);
            }
        }
        b.ev(EvGCEnd, end, ++seqGC);
        if (last != null) {
            b.ev(EvHeapAlloc, end, last.heapAfter());
            b.ev(EvHeapGoal, end, last.heapCommitted());
        }
        b.ev(EvGoBlock, end, b.string(IDLE), 0);
        b.ev(EvProcStop, end);
    }

    /** The stand-in thread's batches of one generation, with the P's and goroutine's sequence numbers. */
    private static final class Batch {
        final long gen;
        TraceBuf buf;
        long pseq;
        long gseq;

        Batch(long gen, long ts) {
            this.gen = gen;
            buf = Tracer.newBuf(gen, mid, ts);
        }

        /** An event at trace time ts (kept after the batch's previous one). */
        void ev(int type, long ts, long... args) {
            if (!buf.available(1 + (1 + args.length) * TraceBuf.BYTES_PER_NUMBER)) {
                long last = buf.lastTime;
                Tracer.flush(buf);
                buf = Tracer.newBuf(gen, mid, last);
            }
            buf.b(type);
            buf.varint(buf.tsDiffAt(ts));
            for (long a : args) {
                buf.varint(a);
            }
        }

        long string(String s) {
            return Tracer.strings[(int) (gen & 1)].put(s);
        }

        void flush() {
            Tracer.flush(buf);
        }
    }

    /**
     * The JDK's side, apart so that a runtime without java.management fails only here (a
     * LinkageError {@link #start} catches).
     */
    private static final class Jmx implements NotificationListener {
        /** com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION. */
        static final String GC_NOTIFICATION = "com.sun.management.gc.notification";

        private final List<NotificationEmitter> emitters = new ArrayList<>();
        private final Set<String> heapPools = new HashSet<>();
        /**
         * System.nanoTime() when the JDK's GC clock reads 0 (its start-up's end, whose wall
         * time is RuntimeMXBean.getStartTime()). Written by the notification thread only,
         * after the constructor.
         */
        private volatile long origin;

        static Jmx listen() {
            Jmx j = new Jmx();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) {
                    j.heapPools.add(p.getName());
                }
            }
            long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
            long mono = System.nanoTime();
            long wall = System.currentTimeMillis();
            j.origin = mono - (wall - jvmStart) * 1_000_000L;
            try {
                for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                    if (gc instanceof NotificationEmitter e) {
                        e.addNotificationListener(j, null, null);
                        j.emitters.add(e);
                    }
                }
            } catch (RuntimeException e) {
                j.close();
                throw e;
            }
            return j;
        }

        void close() {
            for (NotificationEmitter e : emitters) {
                try {
                    e.removeNotificationListener(this);
                } catch (ListenerNotFoundException ignored) {
                    // not there: nothing to remove
                }
            }
        }

        /**
         * Reads the notification's CompositeData by the attribute names the JDK documents
         * (GarbageCollectionNotificationInfo.from, GcInfo.from, MemoryUsage.from): a third of
         * the cost of building those objects (26-37 us a notification against 80-90 us here,
         * which matters with ZGC's ~600 a second).
         */
        @Override
        public void handleNotification(Notification n, Object handback) {
            long received = System.nanoTime();
            if (!GC_NOTIFICATION.equals(n.getType()) || !(n.getUserData() instanceof CompositeData data)) {
                return;
            }
            try {
                CompositeData gi = (CompositeData) data.get("gcInfo");
                long startMillis = (Long) gi.get("startTime");
                long endMillis = (Long) gi.get("endTime");
                long o = origin;
                if (nanos(o, endMillis) > received) {
                    origin = o = received - nanos(0, endMillis); // it ended before we heard of it
                }
                String action = (String) data.get("gcAction");
                String cause = (String) data.get("gcCause");
                // "end of minor GC", "end of major GC", "end of GC pause", "end of concurrent GC
                // pause", a Shenandoah pause's name: a pause; "end of GC cycle": concurrent.
                boolean pause = !action.contains("cycle");
                // "GC" in the name: Go's utilization analysis (MMU) counts a stop-the-world as
                // the collector's only then.
                String kind = "GC pause: " + data.get("gcName") + (action.startsWith("end of") ? "" : " " + action)
                        + ("No GC".equals(cause) ? "" : ", " + cause);
                long[] before = heap((TabularData) gi.get("memoryUsageBeforeGc"));
                long[] after = heap((TabularData) gi.get("memoryUsageAfterGc"));
                add(new Collection(nanos(o, startMillis) / Tracer.TIME_DIV, nanos(o, endMillis) / Tracer.TIME_DIV,
                        pause, kind, before[0], after[0], after[1]));
            } catch (RuntimeException e) {
                // a notification not as documented: leave it out rather than fail the JDK's thread
            }
        }

        /**
         * The System.nanoTime() of a GC time in milliseconds: the middle of the millisecond,
         * as the JDK truncates (this halves the pauses' overlap with the goroutines' events,
         * measured in G1, Serial and Parallel traces).
         */
        private static long nanos(long origin, long millis) {
            return origin + millis * 1_000_000L + 500_000L;
        }

        /** The heap pools' bytes used and committed (rows: pool name, MemoryUsage); -1 each if not reported. */
        private long[] heap(TabularData pools) {
            long used = 0;
            long committed = 0;
            for (Object row : pools.values()) {
                CompositeData r = (CompositeData) row;
                if (heapPools.contains((String) r.get("key"))) {
                    CompositeData usage = (CompositeData) r.get("value");
                    used += (Long) usage.get("used");
                    committed += (Long) usage.get("committed");
                }
            }
            // ZGC's and Shenandoah's pauses report their pools as all zero.
            return committed == 0 ? new long[] {-1, -1} : new long[] {used, committed};
        }
    }
}
