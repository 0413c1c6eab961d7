package dev.gort.runtime;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Goroutine leak detection: Go 1.26's goroutineleak profile (mgc.go: findGoroutineLeaks,
 * isMaybeRunnable; pprof.go: writeGoroutineLeak), done by the JVM's garbage collector.
 *
 * <h2>The idea</h2>
 * A goroutine blocked on a channel, a select or a sync primitive can only be woken by
 * someone who reaches that object. Go's leak GC therefore does not treat such a
 * goroutine's stack as a root: it marks from the runnable goroutines and the globals, and
 * a blocked goroutine whose channel (or mutex, wait group, condition) stays unmarked is
 * leaked. On the JVM the same reachability comes for free: the object a goroutine waits on
 * holds its sudog, the sudog holds the G, the G holds its continuation (the stack). If the
 * runtime's own global list (allgs) holds such a goroutine only weakly, the collector
 * clears it exactly when no live goroutine, plain thread or static field can reach what it
 * waits on, that is, when Go's detector would call it leaked.
 *
 * <h2>Protocol</h2>
 * A detection ({@link #detect}, one at a time: Go's goroutineLeakProfileLock):
 * <ol>
 *   <li>opens the window: execute's barrier is switched on ({@link GoroutineProfile#active});</li>
 *   <li>arms every candidate: a goroutine waiting with one of Go's leak-prone wait reasons
 *       ({@link #leakProne}), not locked to a thread (its M holds it) and not a run's main
 *       goroutine (the run holds it; API: never reclaimed). Under its {@code _Gscan} bit its
 *       record (id, wait reason, wait minutes, stack, creation site) is taken, and its allgs
 *       slot becomes a {@link Candidate}, a weak reference carrying the record;</li>
 *   <li>collects garbage ({@code System.gc()}, as Go's writeGoroutineLeak runs a GC);</li>
 *   <li>closes: a candidate whose G is still there gets its strong slot back; one the
 *       collector cleared is leaked: its record goes into the profile and its slot is
 *       removed from allgs (so it leaves numGoroutine, profiles and deadlock reports).</li>
 * </ol>
 * A candidate that is readied meanwhile is held by a run queue (not cleared), and execute's
 * barrier {@linkplain #disarm disarms} it before it runs (its slot is strong again). So a
 * cleared candidate stayed parked from its arming to the collection, and its record, taken
 * at the arming, is exact.
 *
 * <h2>Soundness</h2>
 * Clearing is sound if waking a parked goroutine always needs a strong path to it: the
 * channel's or semaphore's wait queue (reached through the object), a timer (held by its
 * P's heap: sleeping goroutines are not candidates anyway), a run queue, an M (locked and
 * pinned goroutines, not candidates). Nothing in gort wakes a goroutine by id or from
 * allgs. Stale references elsewhere (a reader's old allgs snapshot, a pooled sudog) only
 * keep a goroutine alive longer: a missed leak, never a wrong one.
 *
 * <h2>Differences from Go</h2>
 * Go only reports a leaked goroutine (it stays in memory, status _Gleaked, and is found
 * again by every detection); gort reclaims it, so the profile keeps its record: the count
 * is every leak found since the start, and the records of the last {@link #KEEP} for
 * {@code debug=2}. A detection costs a full collection ({@code System.gc()}, a concurrent
 * cycle under {@code -XX:+ExplicitGCInvokesConcurrent}); under
 * {@code -XX:+DisableExplicitGC} it finds only what a collection that happens to run
 * during it clears (candidates are weak only during a detection). The scheduler pays
 * nothing while no detection runs: execute reads the barrier flag that the goroutine
 * profile already needs, and no goroutine is held weakly outside a detection.
 */
final class GoroutineLeak {
    private GoroutineLeak() {}

    /** Records kept for debug=2 (the most recent leaks); counts per stack are kept for all. */
    static final int KEEP = 10_000;

    /** A detection is arming or collecting: execute's barrier disarms candidates. */
    static volatile boolean window;
    /** The detection's number: a P's owner clears its ring's stale slots once per detection. */
    private static volatile int detection;

    /** Go: goroutineLeakProfileLock; a semaphore, as GoroutineProfile's captureLock (why there). */
    private static final java.util.concurrent.Semaphore lock = new java.util.concurrent.Semaphore(1);

    /** An armed goroutine: its allgs slot, weakly, with its record taken at arming. */
    static final class Candidate extends WeakReference<G> {
        final int slot;
        final ProfRt.Goroutine record;

        Candidate(G gp, int slot, ProfRt.Goroutine record) {
            super(gp);
            this.slot = slot;
            this.record = record;
        }
    }

    // Leaks found so far. Guarded by lock (readers take it too).
    private static long count;
    private static final ArrayDeque<ProfRt.Goroutine> recent = new ArrayDeque<>();
    private static final Map<ProfRt.Stack, Long> perStack = new HashMap<>();

    /** Go's waitReason cases in isMaybeRunnable that make a goroutine a possible leak. */
    static boolean leakProne(WaitReason r) {
        return switch (r) {
            case SELECT_NO_CASES, CHAN_SEND_NIL_CHAN, CHAN_RECEIVE_NIL_CHAN,
                 CHAN_RECEIVE, CHAN_SEND, SELECT,
                 SYNC_COND_WAIT, SYNC_WAITGROUP_WAIT, SYNC_MUTEX_LOCK, SYNC_RWMUTEX_LOCK, SYNC_RWMUTEX_RLOCK -> true;
            default -> false;
        };
    }

    /**
     * Go's runtime_goroutineLeakGC then the profile: finds the goroutines leaked now,
     * reclaims them, and returns the records of every leak found so far (the latest
     * {@link #KEEP}), oldest first.
     */
    static List<ProfRt.Goroutine> detect() {
        lock.acquireUninterruptibly();
        try {
            List<ProfRt.Goroutine> leaked = findLeaks();
            for (ProfRt.Goroutine r : leaked) {
                count++;
                perStack.merge(r.stack(), 1L, Long::sum);
                if (recent.size() == KEEP) {
                    recent.removeFirst();
                }
                recent.addLast(r);
            }
            return new ArrayList<>(recent);
        } finally {
            lock.release();
        }
    }

    /** Leaks found so far (Go: work.goroutineLeak.count, here cumulative: they are reclaimed). */
    static int count() {
        lock.acquireUninterruptibly();
        try {
            return (int) Math.min(count, Integer.MAX_VALUE);
        } finally {
            lock.release();
        }
    }

    /** The stack of every leak found so far, once per leaked goroutine (the count profile's records). */
    static List<ProfRt.Stack> stacks() {
        lock.acquireUninterruptibly();
        try {
            List<ProfRt.Stack> out = new ArrayList<>();
            perStack.forEach((st, n) -> {
                for (long i = 0; i < n; i++) {
                    out.add(st);
                }
            });
            return out;
        } finally {
            lock.release();
        }
    }

    private static List<ProfRt.Goroutine> findLeaks() {
        ConcurrentLinkedQueue<Candidate> armed = new ConcurrentLinkedQueue<>();
        long now = System.nanoTime();
        detection++;
        window = true;
        GoroutineProfile.setBarrier(); // before any arming: execute must see the candidates
        List<ProfRt.Goroutine> leaked = new ArrayList<>();
        try {
            int n = Sched.allglen; // before allgs: allgadd publishes the array first
            Object[] gs = Sched.allgs;
            GoroutineProfile.visit(gs, n, (gp, slot) -> arm(gp, slot, now, armed));
            if (!armed.isEmpty()) {
                clearStaleSlots();
                System.gc(); // Go: runtime_goroutineLeakGC
            }
        } finally {
            close(armed, leaked);
            window = false;
            GoroutineProfile.setBarrier();
        }
        return leaked;
    }

    /** Arms gp (in allgs slot) if it is a candidate. */
    private static void arm(G gp, int slot, long now, ConcurrentLinkedQueue<Candidate> armed) {
        for (int i = 0; ; i++) {
            int s = G.readgstatus(gp);
            if (s == (G._Gwaiting | G._Gscan)) {
                Backoff.pause(i); // a traceback or profile is reading it
                continue;
            }
            if (s != G._Gwaiting || !candidate(gp)) {
                return;
            }
            if (G.castogscanstatus(gp, G._Gwaiting)) {
                break;
            }
        }
        try {
            if (!candidate(gp) || gp.leakCandidate() != null) {
                return;
            }
            ProfRt.Goroutine record = new ProfRt.Goroutine(gp.goid, gp.waitreason.text + " (leaked)",
                    Traceback.waitMinutes(gp, now), false, GoroutineProfile.parkedStack(gp, G._Gwaiting),
                    gp.createdBy, gp.parentGoid);
            Candidate c = new Candidate(gp, slot, record);
            synchronized (Sched.allglock) {
                // The array may have grown since the snapshot; slots keep their index (only
                // a detection compacts allgs, and this one holds the lock).
                Object[] a = Sched.allgs;
                if (a[slot] != gp) {
                    return;
                }
                a[slot] = c;
                gp.setLeakCandidate(c);
            }
            armed.add(c);
        } finally {
            G.casfromGscanstatus(gp, G._Gwaiting);
        }
    }

    /**
     * A goroutine caller's own P, before the detection puts it in a syscall: it owns the
     * ring now, and during the detection nobody will (the P sits in the syscall, or is
     * handed off). Goroutines it created and others stole are often the leaked ones.
     */
    static void clearCallersRing() {
        if (Current.thread() instanceof M mp && mp.curg != null && mp.p != null) {
            RunQueue.clearStale(mp.p);
        }
    }

    /** Waits at most this long for busy Ps' owners to clear their rings' stale slots. */
    static final long CLEAR_WAIT_NANOS = 20_000_000;

    /**
     * Gets the run queues' stale slots cleared (RunQueue.clearStale): an idle P's here,
     * under sched.lock; a P whose goroutine is in a syscall here, under a claim; a running
     * P's by its owner, at its next execute (the caller's own before:
     * {@link #clearCallersRing}). A P whose goroutine computes without scheduling keeps its
     * stale slots: goroutines stolen from it cannot be found leaked this time (a missed
     * leak, never a wrong one; a later detection finds them once the P has scheduled). Rejected: stealers clearing the slots they took by CAS (ABA-safe,
     * since a stolen G cannot be queued again before it runs), a CAS per stolen G on the
     * victim's lines on every steal, to spare a rare miss.
     */
    private static void clearStaleSlots() {
        int d = detection;
        long deadline = System.nanoTime() + CLEAR_WAIT_NANOS;
        for (int i = 0; ; i++) {
            boolean waiting = false;
            Sched.lock.lock();
            try {
                // On the idle list, under the lock, a P has no owner that could write its ring.
                for (P pp = Sched.pidle; pp != null; pp = pp.link) {
                    if (pp.leakCleared != d) {
                        pp.leakCleared = d;
                        RunQueue.clearStale(pp);
                    }
                }
                for (P pp : Sched.allp) {
                    if (pp.leakCleared == d || pp.status != P._Prunning) {
                        continue;
                    }
                    // A P whose goroutine is in a syscall: claimed (Go's
                    // setBlockOnExitSyscall, as stopTheWorld claims it), its M cannot come
                    // back to the ring until resumed, so the ring is ours to clear.
                    Syscall.Claim c = Syscall.setBlockOnExitSyscall(pp);
                    if (c != null) {
                        try {
                            pp.leakCleared = d;
                            RunQueue.clearStale(pp);
                        } finally {
                            c.resume();
                        }
                        continue;
                    }
                    waiting = true;
                }
            } finally {
                Sched.lock.unlock();
            }
            if (!waiting || System.nanoTime() > deadline) {
                return;
            }
            Backoff.pause(i);
        }
    }

    private static boolean candidate(G gp) {
        Run r = gp.run;
        return leakProne(gp.waitreason) && gp.lockedm() == null && (r == null || !r.isMain(gp));
    }

    /**
     * execute's barrier during a detection, on pp's owner: pp's ring drops references to Gs
     * that stealers took (once per detection), and gp, if armed, is disarmed.
     */
    static void executeBarrier(P pp, G gp) {
        int d = detection;
        if (pp != null && pp.leakCleared != d) {
            pp.leakCleared = d;
            RunQueue.clearStale(pp);
        }
        if (gp.leakCandidate() != null) {
            disarm(gp);
        }
    }

    /**
     * An armed goroutine is about to run (a run queue held it, so it was not leaked): its
     * slot is strong again.
     */
    static void disarm(G gp) {
        synchronized (Sched.allglock) {
            Candidate c = gp.leakCandidate();
            if (c == null) {
                return;
            }
            Object[] a = Sched.allgs;
            if (a[c.slot] == c) {
                a[c.slot] = gp;
            }
            gp.setLeakCandidate(null);
        }
    }

    /** Ends a detection: strong slots back for the living candidates, the cleared ones out of allgs. */
    private static void close(ConcurrentLinkedQueue<Candidate> armed, List<ProfRt.Goroutine> leaked) {
        synchronized (Sched.allglock) {
            Object[] a = Sched.allgs;
            for (Candidate c : armed) {
                G gp = c.get();
                if (gp == null) {
                    leaked.add(c.record);
                    continue;
                }
                if (a[c.slot] == c) {
                    a[c.slot] = gp;
                }
                if (gp.leakCandidate() == c) {
                    gp.setLeakCandidate(null);
                }
            }
            if (leaked.isEmpty()) {
                return;
            }
            leaked.sort(java.util.Comparator.comparingLong(ProfRt.Goroutine::goid));
            // Compacted into a new array of the same length: a reader that read the old
            // allglen then this array finds nulls past the new end (Sched.allg), and every
            // G still in allgs below it.
            int n = Sched.allglen;
            Object[] b = new Object[a.length];
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (!(a[i] instanceof Candidate)) {
                    b[m++] = a[i];
                }
            }
            Sched.allgs = b;
            Sched.allglen = m;
        }
    }
}
