package dev.gort.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * The local run queue of a P: Go's runqput, runqputslow, runqputbatch, runqget,
 * runqdrain, runqgrab, runqsteal and runqempty (proc.go), on the ring in {@link P}.
 *
 * <h2>Protocol (Go's)</h2>
 * A single-producer, multi-consumer ring. Only the owner P puts: it writes a slot plainly,
 * then publishes it with a release store of {@code runqtail}. Consumers (the owner's
 * runqget, stealers' runqgrab) read {@code runqhead} (acquire) and {@code runqtail}
 * (acquire), copy the slots, and commit by CAS on {@code runqhead}; a failed CAS means
 * another consumer took them, and the copies are discarded. A slot can be overwritten by
 * the producer only after head moved past it, so a stale copy never survives a successful
 * CAS. Indices are free-running ints; {@code t - h} is the length even across overflow.
 *
 * <p>{@code runnext} is a one-G priority slot: the owner sets it by CAS (kicking the old
 * one to the ring); anyone may take it by CAS to null. A G in runnext inherits the time
 * slice of the G that readied it.
 *
 * <p>Differences from Go: the ring's capacity is a parameter of P (tests use small
 * rings to exercise the overflow path); Go's is the constant 256. Go's ring holds
 * guintptrs, which its collector does not follow; a slot of this ring is a reference, and a
 * G left in a slot after it was taken stays reachable, which would hide it from goroutine
 * leak detection (GoroutineLeak). So the owner clears the slots it takes (runqget,
 * runqdrain: a store to a line it has just read); slots taken by stealers, which cannot
 * clear them (the owner may have reused the slot by then), are cleared by the owner during
 * a leak detection ({@link #clearStale}).
 */
final class RunQueue {
    /** Go's usleep(3) before stealing a running P's runnext (the P is likely about to run it). */
    static final long STEAL_RUNNEXT_BACKOFF_NANOS = 3_000;

    private RunQueue() {}

    /**
     * Go's runqput: put gp on pp's local queue (in runnext if {@code next}). If the ring is
     * full, half of it and gp go to the global queue. Executed only by the owner P.
     */
    static void runqput(P pp, G gp, boolean next) {
        if (next) {
            G oldnext;
            do {
                oldnext = pp.runnext;
            } while (!P.RUNNEXT.compareAndSet(pp, oldnext, gp));
            if (oldnext == null) {
                return;
            }
            // Kick the old runnext out to the regular run queue.
            gp = oldnext;
        }
        for (;;) {
            int h = (int) P.RUNQHEAD.getAcquire(pp); // synchronize with consumers
            int t = (int) P.RUNQTAIL.getOpaque(pp); // only we write it
            if (t - h < pp.runq.length) {
                pp.runq[t & pp.runqmask] = gp;
                P.RUNQTAIL.setRelease(pp, t + 1); // makes the item available for consumption
                return;
            }
            if (runqputslow(pp, gp, h, t)) {
                return;
            }
            // the queue is not full, now the put above must succeed
        }
    }

    /**
     * Go's runqputslow: move half of the full local queue plus gp to the global queue in
     * one batch. Returns false if a consumer moved head meanwhile (the queue is no longer
     * full). Executed only by the owner P.
     */
    static boolean runqputslow(P pp, G gp, int h, int t) {
        int n = (t - h) / 2;
        if (n != pp.runq.length / 2) {
            throw Throw.fatalThrow("runqputslow: queue is not full");
        }
        G[] batch = new G[n + 1];
        for (int i = 0; i < n; i++) {
            batch[i] = pp.runq[(h + i) & pp.runqmask];
        }
        if (!P.RUNQHEAD.compareAndSet(pp, h, h + n)) { // commits consume
            return false;
        }
        for (int i = 0; i < n; i++) {
            pp.runq[(h + i) & pp.runqmask] = null; // taken: the owner clears (class comment)
        }
        batch[n] = gp;
        GQueue q = new GQueue();
        for (G g : batch) {
            q.pushBack(g);
        }
        Sched.lock.lock();
        Sched.globrunqputbatch(q);
        Sched.lock.unlock();
        return true;
    }

    /**
     * Go's runqputbatch: put as many Gs of q as fit on the local queue; the rest stay in q.
     * Executed only by the owner P.
     */
    static void runqputbatch(P pp, GQueue q) {
        if (q.empty()) {
            return;
        }
        int h = (int) P.RUNQHEAD.getAcquire(pp);
        int t = (int) P.RUNQTAIL.getOpaque(pp);
        while (!q.empty() && t - h < pp.runq.length) {
            pp.runq[t & pp.runqmask] = q.pop();
            t++;
        }
        P.RUNQTAIL.setRelease(pp, t);
    }

    /**
     * Go's runqget: take runnext, else the head of the ring. The second result (whether the
     * time slice is inherited: true for runnext) goes to {@code mp.inheritTime}. Executed
     * only by the owner P.
     */
    static G runqget(P pp, M mp) {
        // If there's a runnext, it's the next G to run. If the CAS fails, it could only
        // have been stolen by another P (only the owner sets it to non-null): no retry.
        G next = pp.runnext;
        if (next != null && P.RUNNEXT.compareAndSet(pp, next, null)) {
            if (mp != null) {
                mp.inheritTime = true;
            }
            return next;
        }
        if (mp != null) {
            mp.inheritTime = false;
        }
        for (;;) {
            int h = (int) P.RUNQHEAD.getAcquire(pp); // synchronize with other consumers
            int t = (int) P.RUNQTAIL.getOpaque(pp);
            if (t == h) {
                return null;
            }
            G gp = pp.runq[h & pp.runqmask];
            if (P.RUNQHEAD.compareAndSet(pp, h, h + 1)) { // commits consume
                // Outside [head, tail) now: a consumer that read it before our CAS fails its own.
                pp.runq[h & pp.runqmask] = null;
                return gp;
            }
        }
    }

    /**
     * Clears every slot outside [head, tail): references to Gs that stealers took. Executed
     * only by the owner P (only it writes slots), or with pp idle under sched.lock. A
     * consumer that read one of these slots holds a head older than the current one, so its
     * CAS fails and its copy is dropped.
     */
    static void clearStale(P pp) {
        int h = (int) P.RUNQHEAD.getAcquire(pp);
        int t = (int) P.RUNQTAIL.getOpaque(pp);
        G[] q = pp.runq;
        for (int i = t; i - h < q.length; i++) {
            q[i & pp.runqmask] = null;
        }
    }

    /** Go's runqdrain: take every G of the local queue, runnext first. Executed only by the owner P. */
    static GQueue runqdrain(P pp) {
        GQueue drainQ = new GQueue();
        G oldNext = pp.runnext;
        if (oldNext != null && P.RUNNEXT.compareAndSet(pp, oldNext, null)) {
            drainQ.pushBack(oldNext);
        }
        for (;;) {
            int h = (int) P.RUNQHEAD.getAcquire(pp);
            int t = (int) P.RUNQTAIL.getOpaque(pp);
            int qn = t - h;
            if (qn == 0) {
                return drainQ;
            }
            if (qn > pp.runq.length) { // read inconsistent h and t
                continue;
            }
            if (!P.RUNQHEAD.compareAndSet(pp, h, h + qn)) {
                continue;
            }
            // Head moved first, so no stealer can take these while we link them.
            for (int i = 0; i < qn; i++) {
                int slot = (h + i) & pp.runqmask;
                drainQ.pushBack(pp.runq[slot]);
                pp.runq[slot] = null;
            }
            return drainQ;
        }
    }

    /**
     * Go's runqgrab: copy half of pp's queue into {@code batch} (a ring with mask
     * {@code batchMask}) from {@code batchHead}, and commit. Returns how many were taken.
     * With {@code stealRunNextG}, an empty ring gives up its runnext instead, after a short
     * wait when pp's M is likely about to run it. Can be executed by any P.
     */
    static int runqgrab(P pp, G[] batch, int batchMask, int batchHead, boolean stealRunNextG) {
        for (;;) {
            int h = (int) P.RUNQHEAD.getAcquire(pp); // synchronize with other consumers
            int t = (int) P.RUNQTAIL.getAcquire(pp); // synchronize with the producer
            int n = t - h;
            n = n - n / 2;
            if (n == 0) {
                if (stealRunNextG) {
                    G next = pp.runnext;
                    if (next != null) {
                        if (pp.status == P._Prunning) {
                            M mp = pp.m;
                            if (mp != null) {
                                G cur = mp.curg;
                                if (cur == null || (G.readgstatus(cur) & ~G._Gscan) != G._Gsyscall) {
                                    // Sleep to ensure that pp isn't about to run the g we are
                                    // about to steal: the G running on pp readied it and is
                                    // likely to block right away (a channel hand-off). Stealing
                                    // now would thrash Gs between Ps.
                                    LockSupport.parkNanos(STEAL_RUNNEXT_BACKOFF_NANOS);
                                }
                            }
                        }
                        if (!P.RUNNEXT.compareAndSet(pp, next, null)) {
                            continue;
                        }
                        batch[batchHead & batchMask] = next;
                        return 1;
                    }
                }
                return 0;
            }
            if (n > pp.runq.length / 2) { // read inconsistent h and t
                continue;
            }
            for (int i = 0; i < n; i++) {
                batch[(batchHead + i) & batchMask] = pp.runq[(h + i) & pp.runqmask];
            }
            if (P.RUNQHEAD.compareAndSet(pp, h, h + n)) { // commits consume
                return n;
            }
        }
    }

    /**
     * Go's runqsteal: steal half of p2's queue onto pp's and return one of the stolen Gs
     * (or null). Executed by pp's owner, whose queue is empty.
     */
    static G runqsteal(P pp, P p2, boolean stealRunNextG) {
        int t = (int) P.RUNQTAIL.getOpaque(pp);
        int n = runqgrab(p2, pp.runq, pp.runqmask, t, stealRunNextG);
        if (n == 0) {
            return null;
        }
        n--;
        G gp = pp.runq[(t + n) & pp.runqmask];
        pp.runq[(t + n) & pp.runqmask] = null; // beyond the tail: ours to clear
        if (n == 0) {
            return gp;
        }
        int h = (int) P.RUNQHEAD.getAcquire(pp);
        if (t - h + n >= pp.runq.length) {
            throw Throw.fatalThrow("runqsteal: runq overflow");
        }
        P.RUNQTAIL.setRelease(pp, t + n); // makes the items available for consumption
        return gp;
    }

    /**
     * Go's runqempty: whether pp has no G in its ring or runnext. Never true spuriously:
     * it re-reads the tail to defend against a runnext kicked to the ring between reads.
     */
    static boolean runqempty(P pp) {
        for (;;) {
            int head = (int) P.RUNQHEAD.getVolatile(pp);
            int tail = (int) P.RUNQTAIL.getVolatile(pp);
            G runnext = (G) P.RUNNEXT.getVolatile(pp);
            if (tail == (int) P.RUNQTAIL.getVolatile(pp)) {
                return head == tail && runnext == null;
            }
        }
    }

    /** Number of Gs in pp's ring (not counting runnext), racy. For schedtrace and tests. */
    static int runqlen(P pp) {
        int n = (int) P.RUNQTAIL.getVolatile(pp) - (int) P.RUNQHEAD.getVolatile(pp);
        return Math.max(0, Math.min(n, pp.runq.length));
    }
}
