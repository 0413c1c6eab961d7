package dev.gort.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The execution tracer: Go's trace.go (StartTrace, StopTrace, traceAdvance, ReadTrace and
 * the trace reader). Events are written by {@link TraceEv}, at the scheduler's transitions.
 *
 * <h2>Design (Go's, see trace.go's header)</h2>
 * Every thread writes events into its own buffers ({@link TraceThread}), with no shared
 * lock on the way: a full buffer goes to the full queue of its generation, from which the
 * trace reader thread writes it out. Time is cut into generations (one a second, Go's
 * traceAdvancePeriod); each is self-contained: it opens with a sync batch (the clock's
 * frequency and a snapshot of the clocks), says the status of every goroutine and P before
 * any other event about it, and ends with its string and stack tables and an
 * {@code EndOfGeneration} marker. Goroutines and Ps carry sequence numbers that restart in
 * each generation; the parser orders events across threads by them, not by timestamps.
 *
 * <p>{@link #advance} moves to the next generation without stopping anybody: it switches
 * the generation number, waits for each thread's write flag to be clear (a thread sets the
 * flag, then reads the number, so it either writes to the new generation or is done with
 * the old one), flushes the old generation's buffers, then writes the statuses of
 * goroutines and Ps that no event mentioned in the old generation, the JVM's garbage
 * collections during it ({@link TraceGC}: a batch of a stand-in thread, P and goroutine,
 * written then because the JVM reports collections after the fact), and the tables.
 *
 * <h2>Differences from Go</h2>
 * <ul>
 *   <li>Starting and advancing do not stop the world: a goroutine running user code never
 *       reaches a safe point (Go's suspendG and forEachP would wait for it). The status of a
 *       goroutine or P nobody mentioned in a generation is what it was at the start of the
 *       next one, or what its last event left ({@link TraceSched}); one that runs all along
 *       is described in a batch of its M's, so the parser binds it to that M. At start the
 *       last statuses are read from the scheduler's state; a transition racing with the
 *       start itself can make the first generation's description of that one goroutine
 *       inconsistent (Go avoids this by stopping the world).</li>
 *   <li>The trace reader is a daemon thread, not a goroutine, and another daemon thread
 *       advances the generations; neither counts as a plain thread that uses gort.</li>
 *   <li>Thread ids are the JVM's thread ids; stacks are Java frames ({@link TraceStack}).</li>
 *   <li>Output goes to sinks: a {@link #start started} trace's stream and a flight
 *       recorder can take the same generations, as Go's trace multiplexer allows (and
 *       {@code gort.trace}'s file, {@link TraceFile}). A sink that joins a running trace
 *       starts with the next generation.</li>
 * </ul>
 */
final class Tracer {
    private Tracer() {}

    /** Go's traceTimeDiv: timestamps are nanoseconds / 64. */
    static final int TIME_DIV = 64;
    /** Go's traceAdvancePeriod. */
    static final long ADVANCE_PERIOD_NS = 1_000_000_000L;

    /** Go's trace.enabled: an optimistic check only; {@link #gen} is the truth. */
    static volatile boolean enabled;
    /** The current generation, 0 while tracing is off. Go: trace.gen. */
    static volatile long gen;
    private static long lastNonZeroGen;
    private static volatile boolean shutdown;

    /** Go's trace.lock: the full queues and the free buffers. */
    static final Object lock = new Object();
    private static final TraceBuf[] fullHead = new TraceBuf[2];
    private static final TraceBuf[] fullTail = new TraceBuf[2];
    private static TraceBuf empty;
    private static int nempty;
    /** The last generation whose buffers are all queued (Go: flushedGen); under lock. */
    private static long flushedGen;
    /** The generation the reader is writing; under lock. */
    private static long readerGen;

    static final TraceStrings[] strings = {new TraceStrings(), new TraceStrings()};
    static final TraceStack.Table[] stacks = {new TraceStack.Table(), new TraceStack.Table()};

    /** Every writer that may hold a buffer (Go: allm plus freem). */
    static final CopyOnWriteArrayList<TraceThread> threads = new CopyOnWriteArrayList<>();
    private static final ThreadLocal<TraceThread> PLAIN = new ThreadLocal<>();

    /**
     * Held by every stop-the-world from its start to its end, by an advance around the
     * generation switch and by a trace's start, so that a stop's events (its STW range,
     * procresize's) never span generations (Go's StartTrace and traceAdvance hold worldsema
     * there). Not an owner lock: the goroutine holding it may move between Ms.
     */
    static final java.util.concurrent.Semaphore stwSema = new java.util.concurrent.Semaphore(1);

    /** Go's traceAdvanceSema. */
    private static final ReentrantLock advanceLock = new ReentrantLock();
    /** Where generations go; changed under advanceLock. */
    private static final List<TraceSink> sinks = new CopyOnWriteArrayList<>();
    private static volatile Thread reader;
    private static volatile Thread advancer;

    static long now() {
        return System.nanoTime() / TIME_DIV;
    }

    // ---- writers ----

    /** The calling thread's writer: its M's, or a plain thread's (registered on first use). */
    static TraceThread writer() {
        if (Current.thread() instanceof M mp) {
            return mp.trace;
        }
        TraceThread w = PLAIN.get();
        if (w == null) {
            w = new TraceThread(Thread.currentThread());
            PLAIN.set(w);
            threads.add(w);
        }
        return w;
    }

    /**
     * Go's traceAcquire: takes the calling thread's write flag and returns its writer, set
     * to the current generation; null if tracing is off. Pair with {@link #release}.
     */
    static TraceThread acquire() {
        if (!enabled) {
            return null;
        }
        return acquire(writer());
    }

    /** acquire for the calling thread when it is known to be mp (no look at the current thread). */
    static TraceThread acquire(M mp) {
        return enabled ? acquire(mp.trace) : null;
    }

    /** traceAcquire for w, which the calling thread may write for (an M's own, or sysmon for one). */
    static TraceThread acquire(TraceThread w) {
        if (!w.lock()) {
            return w; // nested: keeps the generation it had
        }
        return readGen(w);
    }

    /** acquire for another thread's writer, giving up if that thread is writing. */
    static TraceThread tryAcquire(TraceThread w) {
        if (!enabled || !w.tryLock()) {
            return null;
        }
        return readGen(w);
    }

    /** With w's flag taken: the generation it writes to, or (tracing off) the flag given back and null. */
    private static TraceThread readGen(TraceThread w) {
        long g = gen;
        if (g == 0) {
            w.unlock();
            return null;
        }
        w.gen = g;
        return w;
    }

    /** Go's traceRelease. */
    static void release(TraceThread w) {
        w.unlock();
    }

    /** The writer's buffer for its generation with room for size bytes (Go: traceWriter.ensure). */
    static TraceBuf buf(TraceThread w, int size) {
        int slot = (int) (w.gen & 1);
        TraceBuf b = w.buf[slot];
        if (b == null || !b.available(size)) {
            if (b != null) {
                flush(b);
            }
            b = newBuf(w.gen, w.id);
            w.buf[slot] = b;
        }
        return b;
    }

    /** A buffer with a batch header for thread mid (-1: the tracer's own) in gen. */
    static TraceBuf newBuf(long gen, long mid) {
        TraceBuf b = emptyBuf();
        b.reset(gen, mid);
        return b;
    }

    /** A buffer for a batch of events written after the fact, the first at trace time ts. */
    static TraceBuf newBuf(long gen, long mid, long ts) {
        TraceBuf b = emptyBuf();
        b.reset(gen, mid, ts);
        return b;
    }

    private static TraceBuf emptyBuf() {
        TraceBuf b;
        synchronized (lock) {
            b = empty;
            if (b != null) {
                empty = b.link;
                nempty--;
            }
        }
        return b != null ? b : new TraceBuf();
    }

    /** Go's traceBufFlush: the batch is complete; queue it for the reader. */
    static void flush(TraceBuf b) {
        b.finish();
        synchronized (lock) {
            int q = (int) (b.gen & 1);
            b.link = null;
            if (fullHead[q] == null) {
                fullHead[q] = b;
            } else {
                fullTail[q].link = b;
            }
            fullTail[q] = b;
            lock.notifyAll();
        }
    }

    /** The tables' and status writer's access to batches. */
    static final class Batches {
        TraceBuf newBuf(long gen, long mid) {
            return Tracer.newBuf(gen, mid);
        }

        void flush(TraceBuf b) {
            Tracer.flush(b);
        }
    }

    private static final Batches OUT = new Batches();

    // ---- start, stop, advance ----

    /**
     * Adds a sink; starts tracing if it is off (Go's StartTrace, without stopping the world).
     * A sink joining a running trace gets the generations after the current one, which is
     * ended at once.
     */
    static void start(TraceSink s) {
        advanceLock.lock();
        boolean joined = false;
        try {
            if (gen == 0) {
                s.firstGen = lastNonZeroGen + 1;
                sinks.add(s); // before the reader can take the first batch
                stwSema.acquireUninterruptibly(); // not inside a stop-the-world (Go: worldsema)
                try {
                    startTracing();
                } finally {
                    stwSema.release();
                }
            } else {
                s.firstGen = gen + 1;
                sinks.add(s);
                joined = true;
            }
        } finally {
            advanceLock.unlock();
        }
        if (joined) {
            advance(false);
        }
    }

    /**
     * Removes a sink once it holds every generation up to now (the current one is ended);
     * the last sink stops tracing (Go's StopTrace). Returns when the sink is complete.
     */
    static void stop(TraceSink s) {
        advanceLock.lock();
        try {
            if (!sinks.contains(s)) {
                return;
            }
            s.lastGen = gen;
            boolean last = sinks.size() == 1;
            advanceLocked(last);
            sinks.remove(s);
        } finally {
            advanceLock.unlock();
        }
        s.close();
    }

    /** Under advanceLock, tracing off: the first generation begins. Returns its number. */
    private static long startTracing() {
        long first = lastNonZeroGen + 1;
        // Every resource's last status, read from the scheduler's state (Go: the world is
        // stopped and every goroutine is described in the first generation).
        int n = Sched.allglen;
        Object[] gs = Sched.allgs;
        for (int i = 0; i < n; i++) {
            G gp = Sched.allg(gs, i);
            if (gp == null) {
                continue;
            }
            TraceSched t = TraceEv.traceOf(gp);
            t.reset();
            t.last = liveStatus(gp);
        }
        for (P pp : Sched.allp) {
            pp.trace.reset();
            pp.trace.last = liveStatus(pp);
        }
        synchronized (lock) {
            readerGen = first;
            flushedGen = 0;
        }
        shutdown = false;
        enabled = true;
        gen = first;
        TraceGC.start(syncBatch(first));
        reader = Thread.ofPlatform().daemon().name("gort-trace-reader").start(Tracer::readLoop);
        advancer = Thread.ofPlatform().daemon().name("gort-trace-advancer").start(Tracer::advanceLoop);
        return first;
    }

    /** Go's traceAdvance. */
    static void advance(boolean stop) {
        advanceLock.lock();
        try {
            advanceLocked(stop);
        } finally {
            advanceLock.unlock();
        }
    }

    private static void advanceLocked(boolean stop) {
        long g = gen;
        if (g == 0) {
            return;
        }
        // Resources no event has mentioned yet in g (Go: untracedGs, forEachP's statuses).
        List<G> untracedGs = new ArrayList<>();
        int n = Sched.allglen;
        Object[] gs = Sched.allgs;
        for (int i = 0; i < n; i++) {
            G gp = Sched.allg(gs, i);
            TraceSched t = gp != null ? gp.trace() : null;
            if (t == null) {
                continue;
            }
            t.readyNextGen(g);
            // Only goroutines alive now: one created after this look is described by its
            // creation event (in g, or in g+1 where its start status must not be taken for g's).
            int st = TraceSched.status(t.last);
            if (!t.statusWasTraced(g) && st != 0 && st != TraceEv.DEAD && st != TraceEv.PENDING) {
                untracedGs.add(gp);
            }
        }
        List<P> untracedPs = new ArrayList<>();
        for (P pp : Stw.allpEver) {
            pp.trace.readyNextGen(g); // also Ps beyond GOMAXPROCS: they may come back (Go: allp[len:cap])
        }
        for (P pp : Sched.allp) {
            if (!pp.trace.statusWasTraced(g)) {
                untracedPs.add(pp);
            }
        }
        lastNonZeroGen = g;
        long nextStart; // when g ended (the trace time of g+1's sync batch)
        stwSema.acquireUninterruptibly();
        try {
            if (stop) {
                shutdown = true;
                gen = 0;
                enabled = false;
                nextStart = now();
            } else {
                gen = g + 1;
                nextStart = syncBatch(g + 1);
            }
        } finally {
            stwSema.release();
        }
        // Flush every thread's buffer of g once it is not writing (Go: the mToFlush loop).
        int slot = (int) (g & 1);
        for (int round = 0; ; round++) {
            boolean pending = false;
            for (TraceThread w : threads) {
                if (w.writing()) {
                    pending = true;
                    continue;
                }
                TraceBuf b = w.buf[slot];
                if (b != null) {
                    w.buf[slot] = null;
                    flush(b);
                }
            }
            if (!pending) {
                break;
            }
            Backoff.pause(round);
        }
        // Writers of threads that ended (not ones not yet started: a new M registers first).
        threads.removeIf(w -> w.thread.getState() == Thread.State.TERMINATED
                && w.buf[0] == null && w.buf[1] == null && !w.writing());
        writeUntracedStatuses(g, untracedGs, untracedPs);
        TraceGC.writeGen(g, nextStart, stop); // before the tables: its events name strings and a stack
        stacks[slot].dump(OUT, g, strings[slot]);
        strings[slot].dump(OUT, g);
        // The generation is complete: let the reader end it, and wait until it has.
        synchronized (lock) {
            flushedGen = g;
            lock.notifyAll();
            while (readerGen <= g && reader != null && reader.isAlive()) {
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (TraceSink s : sinks) {
            if (s.lastGen != 0 && s.lastGen <= g) {
                s.lastGen = -1; // complete
            }
        }
        if (stop) {
            // The reader ends after this generation; wait for it, so that a trace started
            // next (under advanceLock, so not before this returns) never has two readers.
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Thread a = advancer;
            if (a != null) {
                LockSupport.unpark(a);
            }
        }
    }

    /**
     * The statuses at the start of g of the goroutines and Ps no event mentioned in g (Go:
     * the statusWriter at the end of traceAdvance). Untouched during g, each is in the
     * status written for it at the start of g+1, if somebody touched it there already,
     * else in the status its last event left. Read in that order ({@code last} first): a
     * writer writes the g+1 status before it changes {@code last}.
     */
    private static void writeUntracedStatuses(long g, List<G> untracedGs, List<P> untracedPs) {
        // Per M: the P it runs and its goroutine, described in a batch of that M's own.
        Map<Long, List<long[]>> byM = new HashMap<>();
        List<long[]> global = new ArrayList<>();
        for (P pp : untracedPs) {
            TraceSched t = pp.trace;
            if (t.statusWasTraced(g)) {
                continue;
            }
            long enc = settled(t, g, pp);
            int st = TraceSched.status(enc);
            long[] ev = {TraceEvents.EvProcStatus, pp.id, st};
            long mid = TraceSched.mid(enc);
            if ((st == TraceEvents.ProcRunning || st == TraceEvents.ProcSyscall) && mid >= 0) {
                byM.computeIfAbsent(mid, k -> new ArrayList<>()).add(ev);
            } else {
                if (st != TraceEvents.ProcSyscallAbandoned) {
                    ev[2] = TraceEvents.ProcIdle;
                }
                global.add(ev);
            }
        }
        for (G gp : untracedGs) {
            TraceSched t = gp.trace();
            if (t.statusWasTraced(g)) {
                continue;
            }
            long enc = settled(t, g, gp);
            int st = TraceSched.status(enc);
            if (st == 0 || st == TraceEv.PENDING || st == TraceEv.DEAD) {
                continue;
            }
            long mid = st == TraceEvents.GoRunning || st == TraceEvents.GoSyscall ? TraceSched.mid(enc) : -1;
            long[] ev = {TraceEvents.EvGoStatus, gp.goid, mid, st};
            if (st == TraceEvents.GoRunning && mid >= 0) {
                byM.computeIfAbsent(mid, k -> new ArrayList<>()).add(ev);
            } else if (st == TraceEvents.GoSyscall && mid >= 0 && byM.containsKey(mid)) {
                byM.get(mid).add(ev);
            } else {
                if (st == TraceEvents.GoRunning) {
                    ev[3] = TraceEvents.GoRunnable;
                    ev[2] = -1;
                }
                global.add(ev);
            }
        }
        writeBatch(g, -1, global);
        for (var e : byM.entrySet()) {
            writeBatch(g, e.getKey(), e.getValue());
        }
    }

    private static long settled(TraceSched t, long g, Object resource) {
        long last = t.last;
        long next = t.statusFor(g + 1);
        if (next != 0) {
            return next;
        }
        if (last != 0) {
            return last;
        }
        return resource instanceof G gp ? liveStatus(gp) : liveStatus((P) resource);
    }

    private static void writeBatch(long g, long mid, List<long[]> events) {
        TraceBuf b = null;
        for (long[] ev : events) {
            if (b == null || !b.available(1 + ev.length * TraceBuf.BYTES_PER_NUMBER)) {
                if (b != null) {
                    flush(b);
                }
                b = newBuf(g, mid);
            }
            b.b((int) ev[0]);
            b.varint(b.tsDiff());
            for (int i = 1; i < ev.length; i++) {
                b.varint(ev[i]);
            }
        }
        if (b != null) {
            flush(b);
        }
    }

    /** A goroutine's status read from the scheduler (encoded, {@link TraceSched#enc}). */
    static long liveStatus(G gp) {
        if (gp instanceof ExternalG) {
            return TraceSched.enc(TraceEv.DEAD, -1);
        }
        int s = G.readgstatus(gp) & ~G._Gscan;
        M mp = gp.m;
        return switch (s) {
            case G._Grunnable -> TraceSched.enc(TraceEvents.GoRunnable, -1);
            case G._Grunning -> mp != null
                    ? TraceSched.enc(TraceEvents.GoRunning, mp.trace.id)
                    : TraceSched.enc(TraceEvents.GoRunnable, -1);
            case G._Gsyscall -> mp != null
                    ? TraceSched.enc(TraceEvents.GoSyscall, mp.trace.id)
                    : TraceSched.enc(TraceEvents.GoRunnable, -1);
            case G._Gwaiting -> TraceSched.enc(TraceEvents.GoWaiting, -1);
            default -> TraceSched.enc(TraceEv.DEAD, -1);
        };
    }

    /** A P's status read from the scheduler (encoded). */
    static long liveStatus(P pp) {
        M mp = pp.m;
        if (pp.status != P._Prunning || mp == null) {
            return TraceSched.enc(TraceEvents.ProcIdle, -1);
        }
        G gp = mp.curg;
        boolean syscall = gp != null && (G.readgstatus(gp) & ~G._Gscan) == G._Gsyscall;
        return TraceSched.enc(syscall ? TraceEvents.ProcSyscall : TraceEvents.ProcRunning, mp.trace.id);
    }

    /**
     * Go's traceSyncBatch: the clock's frequency and a snapshot of the clocks, first in gen.
     * Returns the snapshot's trace time, where gen begins.
     */
    private static long syncBatch(long g) {
        TraceBuf b = newBuf(g, -1);
        b.b(TraceEvents.EvSync);
        b.b(TraceEvents.EvFrequency);
        b.varint(1_000_000_000L / TIME_DIV);
        java.time.Instant wall = java.time.Instant.now();
        long mono = System.nanoTime();
        b.b(TraceEvents.EvClockSnapshot);
        b.varint(b.tsDiff());
        b.varint(mono);
        b.varint(wall.getEpochSecond());
        b.varint(wall.getNano());
        long t = b.lastTime;
        flush(b);
        return t;
    }

    // ---- the reader and the advancer ----

    /** Go's ReadTrace loop: writes each generation's batches, then its end, to the sinks. */
    private static void readLoop() {
        for (;;) {
            TraceBuf b;
            long g;
            boolean end = false;
            synchronized (lock) {
                for (;;) {
                    g = readerGen;
                    int q = (int) (g & 1);
                    b = fullHead[q];
                    if (b != null) {
                        fullHead[q] = b.link;
                        if (fullHead[q] == null) {
                            fullTail[q] = null;
                        }
                        break;
                    }
                    if (flushedGen == g) {
                        end = true;
                        break;
                    }
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // a daemon of the tracer: only shutdown ends it
                    }
                }
            }
            if (b != null) {
                for (TraceSink s : sinks) {
                    if (s.wants(g)) {
                        s.write(b.arr, 0, b.pos);
                    }
                }
                synchronized (lock) {
                    if (nempty < 64) {
                        b.link = empty;
                        empty = b;
                        nempty++;
                    }
                }
                continue;
            }
            if (end) {
                for (TraceSink s : sinks) {
                    if (s.wants(g)) {
                        s.endGeneration(g);
                    }
                }
                synchronized (lock) {
                    readerGen = g + 1;
                    lock.notifyAll();
                }
                if (shutdown && gen == 0) {
                    return;
                }
            }
        }
    }

    /** Advances a generation every {@link #ADVANCE_PERIOD_NS} until tracing stops (Go: traceAdvancer). */
    private static void advanceLoop() {
        long next = System.nanoTime() + ADVANCE_PERIOD_NS;
        Thread me = Thread.currentThread();
        while (gen != 0 && advancer == me) { // a trace started after this one's stop has its own
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            advance(false);
            next = System.nanoTime() + ADVANCE_PERIOD_NS;
        }
    }

    /** Stops tracing for a sink that failed (on the reader thread: done by another thread). */
    static void sinkFailed(TraceSink s) {
        Thread.ofPlatform().daemon().name("gort-trace-stopper").start(() -> stop(s));
    }
}
