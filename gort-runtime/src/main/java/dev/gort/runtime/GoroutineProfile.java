package dev.gort.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The goroutine profile's capture: Go's goroutineProfileWithLabelsConcurrent,
 * tryRecordGoroutineProfile and doRecordGoroutineProfile (mprof.go), adapted to
 * continuations and to a runtime that cannot stop the world without the goroutines'
 * cooperation.
 *
 * <h2>Protocol</h2>
 * A capture is an <em>epoch</em>: {@link #epoch} is incremented (the fix point), then
 * {@link #active} set. A goroutine belongs to the capture if it exists at the fix point;
 * {@code g.goroutineProfiled == epoch} says it has been recorded (or is newer than the
 * capture: newproc1 sets it to the current epoch, as Go's newproc1 sets
 * goroutineProfileSatisfied). Exactly one party records each goroutine, the one whose CAS
 * of {@code goroutineProfiled} to {@link #inProgress} succeeds; it sets the epoch once its
 * record is added, and everyone else waits while it is in progress (so the capture cannot
 * end with a record still on its way: found by the churn test). A record is added only to
 * the capture of its epoch (a barrier that read the epoch of a capture that has ended adds
 * nothing, or the next capture would have the goroutine twice: found by the same test), and
 * {@code goroutineProfiled} only moves forward (such a late barrier must not take a goroutine
 * the next capture has recorded back to its own epoch: {@link #tryRecord(G, int)}):
 * <ul>
 *   <li>the capturing thread, visiting allgs[0, allglen) read after the fix point;</li>
 *   <li>execute, before the goroutine runs again (Go's per-G barrier): a goroutine that
 *       wakes during the capture records its own stack first, so its stack is the one it
 *       had at the fix point.</li>
 * </ul>
 * A parked or runnable goroutine's stack is read under its {@code _Gscan} bit (as
 * tracebacks do): it cannot start running (execute's status CAS waits for the bit), and two
 * walks of one continuation never overlap. The CAS of {@code goroutineProfiled} happens
 * with the bit held, so the execute barrier of the same goroutine, which takes the bit the
 * same way, sees the goroutine recorded (or in progress) once it gets it.
 *
 * <p>A running goroutine (or one in a syscall, mounted on its M) is never waited for: its
 * stack is read from its M's thread ({@code Thread.getStackTrace}, a JVM handshake that
 * does not need the goroutine to reach a runtime call). The capture then checks that the
 * goroutine still runs on that M and CASes {@code goroutineProfiled}: if the goroutine had
 * left the M meanwhile and run again, execute's barrier recorded it first and the CAS fails
 * (the thread's stack, perhaps another goroutine's, is dropped); if it left and has not run
 * again, the status check fails and the capture tries it again as a parked one.
 *
 * <h2>Invariants</h2>
 * Each goroutine that exists from the fix point to the end of the capture is recorded
 * exactly once. A goroutine created during the capture is not recorded; one that ends
 * during it may or may not be (Go records it at gdestroy; here its continuation is gone,
 * so only one that was recorded before it ran again is in). The records are closed when
 * the capture ends: a barrier that loses the race with the end records nothing.
 *
 * <h2>Cache</h2>
 * A walked parked stack is kept in {@code g.profStack} until the goroutine runs again
 * (execute clears it after its status CAS). A service with 100k idle connections profiled
 * continuously walks each idle goroutine's stack once. Go re-walks every goroutine each
 * time (frame-pointer unwinding, a few ns a frame); a Java stack walk costs microseconds.
 *
 * <h2>Differences from Go</h2>
 * No stop-the-world: Go stops the world to fix the set and flip every goroutine's state,
 * because a running goroutine's stack cannot be read there; here the epoch fixes the set
 * (one increment, whatever the number of goroutines) and running goroutines are read from
 * their threads. A running goroutine's recorded stack is where it was when the capture
 * reached it, not at the fix point. gort has no system goroutines to leave out.
 *
 * <p>Rejected: stopping the world ({@link Stw}) waits for every running goroutine to reach
 * a runtime call, which a compute loop without the agent never does; holding sched.lock
 * while walking (100k walks under the lock stop the scheduler for a second).
 */
final class GoroutineProfile {
    private GoroutineProfile() {}

    /** The current (or last) capture's epoch. Volatile: newproc1 and the barrier read it. */
    static volatile int epoch;
    /** Go: goroutineProfile.active: a capture is in progress. */
    private static volatile boolean capturing;
    /**
     * Whether execute must call {@link #barrier}: a capture is in progress, or a goroutine
     * leak detection ({@link GoroutineLeak}). Volatile: execute reads it for every goroutine
     * it runs, and this one read is all either costs the scheduler when neither runs.
     */
    static volatile boolean active;

    /** Recomputes {@link #active} after {@link #capturing} or the leak detection's window changed. */
    static synchronized void setBarrier() {
        active = capturing || GoroutineLeak.window;
    }

    /**
     * execute's barrier (Go: tryRecordGoroutineProfile in execute), before gp runs: gp's
     * stack goes into the capture in progress exactly as it was when the capture began, and
     * a goroutine armed by a leak detection is a candidate no more (it runs, so it was not
     * leaked: GoroutineLeak has the argument), and mp's P drops its stale references.
     */
    static void barrier(M mp, G gp) {
        if (capturing) {
            tryRecord(gp);
        }
        if (GoroutineLeak.window) {
            GoroutineLeak.executeBarrier(mp.p, gp);
        }
    }

    /**
     * Go's goroutineProfileInProgress for epoch e: a recorder won the CAS and is recording;
     * the record is added before {@code goroutineProfiled} becomes e, so a capture that sees
     * e knows the record is in, and one that sees this waits (Go: yield).
     */
    static int inProgress(int e) {
        return ~e; // negative: epochs are not (tryRecord)
    }

    /**
     * Go: goroutineProfile.sema; one capture at a time. A semaphore, not a lock with an owner
     * thread: a goroutine's thread is its M, which the JIT may take for the same across a
     * yield (a compiled caller that inlines a capture after a Gort.gosched), and a
     * ReentrantLock then finds another owner at unlock (IllegalMonitorStateException, seen
     * once under churn).
     */
    private static final java.util.concurrent.Semaphore captureLock = new java.util.concurrent.Semaphore(1);

    /** The records of the capture in progress; null when none. Guarded by its own monitor. */
    private static List<ProfRt.Goroutine> records;
    /** The epoch whose records {@link #records} holds: a recorder of another (late) capture adds nothing. */
    private static int recordsEpoch;
    private static long captureStart;

    /**
     * Captures every goroutine: the calling goroutine first (if the caller is one), then
     * the others in allgs order.
     */
    static List<ProfRt.Goroutine> capture() {
        captureLock.acquireUninterruptibly();
        try {
            long now = System.nanoTime();
            List<ProfRt.Goroutine> out = new ArrayList<>(Math.max(16, Sched.allglen));
            int e = epoch + 1;
            synchronized (GoroutineProfile.class) {
                records = out;
                recordsEpoch = e;
                captureStart = now;
            }
            // The caller first (Go: the current goroutine's record comes first), before any
            // barrier can add one.
            G self = Current.thread() instanceof M mp ? mp.curg : null;
            if (self != null) {
                self.goroutineProfiled = e;
                add(e, new ProfRt.Goroutine(self.goid, "running", 0, Traceback.lockedToThread(self), ProfStack.here(),
                        self.createdBy, self.parentGoid));
            }
            epoch = e;         // the fix point: newproc1 marks what it creates from here on
            capturing = true;  // execute's barrier: volatile, after the epoch
            setBarrier();
            int n = Sched.allglen; // before allgs: allgadd publishes the array first
            Object[] gs = Sched.allgs;
            visit(gs, n, (gp, slot) -> tryRecord(gp));
            capturing = false;
            setBarrier();
            synchronized (GoroutineProfile.class) {
                records = null;
                return out;
            }
        } finally {
            capturing = false;
            setBarrier();
            captureLock.release();
        }
    }

    /** Goroutines per chunk handed to a helper; below two chunks the caller walks alone. */
    static final int CHUNK = 2048;

    /**
     * Visits the Gs of gs[0, n) with visitor: the caller, helped by the common pool's
     * threads when there are many (the leak detection's arming uses it too).
     * A parked stack's walk costs microseconds in the VM (ProfStack), so 100k goroutines
     * take hundreds of milliseconds on one thread: the range is cut into chunks taken from
     * a shared cursor. Correct with any number of helpers (each goroutine is recorded by
     * whoever wins its CAS); a helper that starts after the caller is done does nothing, and
     * the caller waits only for the chunks helpers have taken (every record is in before the
     * capture closes).
     */
    static void visit(Object[] gs, int n, java.util.function.ObjIntConsumer<G> visitor) {
        int helpers = Math.min(java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(),
                Runtime.getRuntime().availableProcessors() - 1);
        if (n < 2 * CHUNK || helpers < 1) {
            for (int i = 0; i < n; i++) {
                visitOne(gs, i, visitor);
            }
            return;
        }
        java.util.concurrent.atomic.AtomicInteger cursor = new java.util.concurrent.atomic.AtomicInteger();
        // Helpers inside: their count; the sign bit set once the caller is done, so a helper
        // that starts later (a busy pool) does nothing and the caller never waits for it.
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        // The array reaches helpers through this box, emptied when the caller is done: a
        // helper task still queued in a busy pool must not keep an allgs snapshot (every G
        // of it, strongly) alive, which would hide leaked goroutines from GoroutineLeak.
        java.util.concurrent.atomic.AtomicReference<Object[]> box = new java.util.concurrent.atomic.AtomicReference<>(gs);
        Runnable chunks = () -> {
            Object[] a = box.get();
            if (a == null) {
                return;
            }
            for (int from; (from = cursor.getAndAdd(CHUNK)) < n; ) {
                for (int i = from, to = Math.min(n, from + CHUNK); i < to; i++) {
                    visitOne(a, i, visitor);
                }
            }
        };
        Runnable helper = () -> {
            for (int v; (v = inside.get()) >= 0; ) {
                if (inside.compareAndSet(v, v + 1)) {
                    try {
                        chunks.run();
                    } finally {
                        inside.decrementAndGet();
                    }
                    return;
                }
            }
        };
        for (int h = 0; h < helpers; h++) {
            java.util.concurrent.ForkJoinPool.commonPool().execute(helper);
        }
        chunks.run();
        for (int v; !inside.compareAndSet(v = inside.get(), v | Integer.MIN_VALUE); ) {
            Thread.onSpinWait();
        }
        // The helpers inside finish the chunk each has taken (the cursor is past the end).
        for (int i = 0; (inside.get() & Integer.MAX_VALUE) != 0; i++) {
            Backoff.pause(i);
        }
        box.set(null);
    }

    private static void visitOne(Object[] gs, int i, java.util.function.ObjIntConsumer<G> visitor) {
        G gp = Sched.allg(gs, i);
        if (gp != null) {
            visitor.accept(gp, i);
        }
    }

    private static boolean add(int e, ProfRt.Goroutine r) {
        synchronized (GoroutineProfile.class) {
            if (records == null || recordsEpoch != e) {
                return false;
            }
            records.add(r);
            return true;
        }
    }

    /** Go's tryRecordGoroutineProfile: record gp unless it is dead or recorded already. */
    static void tryRecord(G gp) {
        tryRecord(gp, epoch);
    }

    /**
     * As {@link #tryRecord(G)} for the capture of epoch e, which may have ended (and a later
     * one begun) since the caller read it: execute's barrier is such a late recorder when its
     * thread stalls between reading the epoch and its CAS (a descheduled M, or the backoff
     * while a capture holds gp's scan bit). It must not take gp back from a later capture's
     * record to e: that capture would then record gp a second time (found by the churn test:
     * one goroutine twice, [runnable] both times). So {@code goroutineProfiled} only moves
     * forward (epochs grow; 2^31 captures would wrap), and any recorder in progress, of
     * whichever capture, is waited for, never overwritten.
     */
    static void tryRecord(G gp, int e) {
        for (int i = 0; ; i++) {
            int p = gp.goroutineProfiled;
            if (p < 0) {
                Backoff.pause(i); // Go: "Something else is adding gp1 to the goroutine profile right now"
                continue;
            }
            if (p - e >= 0) {
                return; // recorded by this capture, or created after its fix point, or a later capture's
            }
            int s = G.readgstatus(gp);
            if ((s & G._Gscan) != 0) {
                Backoff.pause(i); // another traceback or recorder holds it
                continue;
            }
            switch (s) {
                case G._Gidle, G._Gdead:
                    return; // Go: dead goroutines are not in the profile
                case G._Grunnable, G._Gwaiting:
                    if (recordParked(gp, s, e)) {
                        return;
                    }
                    break;
                case G._Grunning, G._Gsyscall:
                    if (recordRunning(gp, s, e)) {
                        return;
                    }
                    break;
                default:
                    throw Throw.fatalThrow("tryRecordGoroutineProfile: bad status " + s);
            }
            Backoff.pause(i);
        }
    }

    /** gp parked or runnable: under its scan bit. False to try again (its status changed). */
    private static boolean recordParked(G gp, int s, int e) {
        if (!G.castogscanstatus(gp, s)) {
            return false;
        }
        try {
            int p = gp.goroutineProfiled;
            if (p >= 0 && p - e >= 0) {
                return true; // recorded by this capture or a later one (tryRecord)
            }
            if (p < 0 || !G.PROFILED.compareAndSet(gp, p, inProgress(e))) {
                return false;
            }
            try {
                ProfRt.Stack st = parkedStack(gp, s);
                String state = s == G._Gwaiting && gp.waitreason != WaitReason.ZERO ? gp.waitreason.text
                        : s == G._Gwaiting ? "waiting" : "runnable";
                long minutes = s == G._Gwaiting ? Traceback.waitMinutes(gp, captureStart()) : 0;
                add(e, new ProfRt.Goroutine(gp.goid, state, minutes, Traceback.lockedToThread(gp), st, gp.createdBy, gp.parentGoid));
            } finally {
                // After the record is in (the capture waits for it), and whatever happened:
                // a goroutine left in progress would stall every later recorder of it.
                gp.goroutineProfiled = e;
            }
            return true;
        } finally {
            G.casfromGscanstatus(gp, s);
        }
    }

    private static long captureStart() {
        synchronized (GoroutineProfile.class) {
            return records != null ? captureStart : System.nanoTime();
        }
    }

    /** The stack of gp, parked in status s; the caller holds its scan bit. */
    static ProfRt.Stack parkedStack(G gp, int s) {
        GoStack stack = gp.stack;
        if (stack == null) {
            return ProfStack.EMPTY;
        }
        // Parked pinned: mounted on its M, whose thread has the frames (Traceback.parkedStack
        // has the reasons). Not cached: it resumes without execute. Not gp.m: between park_m's
        // status change and dropg it still names the M, which may be running another
        // goroutine by the time its stack is read.
        M m = gp.lockedm();
        if (m != null) {
            StackTraceElement[] st = m.getStackTrace();
            if (ProfStack.hasEntry(st)) {
                // From the runtime's frames on: above them is the M's sleep (LockSupport.park)
                // or, from resumePinned's barrier, this very walk (Thread.getStackTrace).
                return ProfStack.fromThread(st, true);
            }
        }
        ProfRt.Stack cached = gp.profStack();
        if (cached != null) {
            return cached;
        }
        ProfRt.Stack st;
        try {
            st = ProfStack.walk(stack);
        } catch (IllegalStateException mounted) {
            return ProfStack.EMPTY; // not expected while we hold the scan bit
        }
        if (st == ProfStack.EMPTY && s == G._Grunnable && gp.fn != null) {
            st = ProfStack.startStack(gp.fn, gp.createdBy); // not started yet
        }
        gp.setProfStack(st);
        return st;
    }

    /** gp running (or in a syscall) on its M: its stack from the M's thread. False to try again. */
    private static boolean recordRunning(G gp, int s, int e) {
        M m = gp.m;
        if (m == null) {
            return false;
        }
        StackTraceElement[] st = m.getStackTrace();
        int after = G.readgstatus(gp) & ~G._Gscan;
        if (after != s || gp.m != m || m.curg != gp || !ProfStack.hasEntry(st)) {
            return false;
        }
        int p = gp.goroutineProfiled;
        if (p < 0 || p - e >= 0 || !G.PROFILED.compareAndSet(gp, p, inProgress(e))) {
            return false; // the caller looks again (and waits for the other recorder)
        }
        try {
            String state = s == G._Gsyscall ? "syscall" : "running";
            add(e, new ProfRt.Goroutine(gp.goid, state, 0, Traceback.lockedToThread(gp), ProfStack.fromThread(st, false),
                    gp.createdBy, gp.parentGoid));
        } finally {
            gp.goroutineProfiled = e;
        }
        return true;
    }
}
