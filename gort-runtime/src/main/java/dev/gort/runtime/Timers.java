package dev.gort.runtime;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A P's timers: Go's {@code timers} (time.go, Go 1.23+): a 4-ary min-heap on {@code when},
 * checked by the scheduler (findRunnable, stealWork) and run on the M that checks it.
 *
 * <p>The heap holds each timer with a copy of its {@code when} at the time it was sifted
 * (Go's timerWhen); a timer modified or stopped since is marked in its state bits and put
 * right lazily: {@link #cleanHead} before adding, {@link #adjust} when a modified timer is
 * due earlier than the head ({@code minWhenModified}), {@link #run} at the head. The
 * zombies (stopped timers still in the heap) are swept when they exceed a quarter of it.
 *
 * <p>{@code lock} protects the heap; {@code len}, {@code zombies}, {@code minWhenHeap} and
 * {@code minWhenModified} are atomics read without it, so a P with no due timer pays two
 * atomic loads per check.
 */
final class Timers {
    /** Go's timerHeapN: the heap is 4-ary. */
    static final int HEAP_N = 4;

    final RMutex lock = new RMutex();
    RuntimeTimer[] heap = new RuntimeTimer[0];
    long[] heapWhen = new long[0];
    int n;
    final AtomicInteger len = new AtomicInteger();
    final AtomicInteger zombies = new AtomicInteger();
    /** when of the heap's head, or 0. */
    final AtomicLong minWhenHeap = new AtomicLong();
    /** Lowest when of any timerModified timer, or 0. */
    final AtomicLong minWhenModified = new AtomicLong();

    int len() {
        return len.get();
    }

    static Error badTimer() {
        return Throw.fatalThrow("timer data corruption");
    }

    /** A P to hold a timer armed by a thread without one. */
    static P anyP() {
        P[] allp = Sched.allp;
        return allp.length == 0 ? null : allp[Rand.cheaprandn(allp.length)];
    }

    /** Go's ts.addHeap. lock held. */
    void addHeap(RuntimeTimer t) {
        if (t.ts != null) {
            throw Throw.fatalThrow("ts set in timer");
        }
        t.ts = this;
        if (n == heap.length) {
            int cap = Math.max(8, n * 2);
            heap = Arrays.copyOf(heap, cap);
            heapWhen = Arrays.copyOf(heapWhen, cap);
        }
        heap[n] = t;
        heapWhen[n] = t.when;
        n++;
        siftUp(n - 1);
        if (t == heap[0]) {
            updateMinWhenHeap();
        }
        len.set(n);
    }

    /** Go's ts.deleteMin: remove the head (whose lock the caller holds). lock held. */
    void deleteMin() {
        RuntimeTimer t = heap[0];
        if (t.ts != this) {
            throw Throw.fatalThrow("wrong timers");
        }
        t.ts = null;
        int last = n - 1;
        if (last > 0) {
            heap[0] = heap[last];
            heapWhen[0] = heapWhen[last];
        }
        heap[last] = null;
        heapWhen[last] = 0;
        n = last;
        if (last > 0) {
            siftDown(0);
        }
        updateMinWhenHeap();
        len.set(n);
        if (last == 0) {
            // If there are no timers, then clearly there are no timerModified timers.
            minWhenModified.set(0);
        }
    }

    /**
     * Go's ts.cleanHead: remove zombies from the end and fix the head, so that adding does
     * not grow the heap with dead timers. lock held.
     */
    void cleanHead() {
        for (;;) {
            if (n == 0) {
                return;
            }
            // Delete zombies from tail of heap. It requires no heap adjustments at all, and
            // doing so increases the chances that when we swap out a zombie in heap[0] for
            // the tail of the heap, we'll get a non-zombie timer, shortening this loop.
            RuntimeTimer tail = heap[n - 1];
            if ((tail.astate() & RuntimeTimer.TIMER_ZOMBIE) != 0) {
                tail.lock();
                if ((tail.state & RuntimeTimer.TIMER_ZOMBIE) != 0) {
                    tail.state &= ~(RuntimeTimer.TIMER_HEAPED | RuntimeTimer.TIMER_ZOMBIE | RuntimeTimer.TIMER_MODIFIED);
                    tail.ts = null;
                    zombies.getAndAdd(-1);
                    heap[n - 1] = null;
                    heapWhen[n - 1] = 0;
                    n--;
                    len.set(n);
                }
                tail.unlockT();
                continue;
            }
            RuntimeTimer t = heap[0];
            if (t.ts != this) {
                throw Throw.fatalThrow("bad ts");
            }
            if ((t.astate() & (RuntimeTimer.TIMER_MODIFIED | RuntimeTimer.TIMER_ZOMBIE)) == 0) {
                // Fast path: head of timers does not need adjustment.
                return;
            }
            t.lock();
            boolean updated = t.updateHeap();
            t.unlockT();
            if (!updated) {
                return;
            }
        }
    }

    /** Go's ts.take: move every live timer of src into this heap (src's P is being destroyed). World stopped. */
    void take(Timers src) {
        for (int i = 0; i < src.n; i++) {
            RuntimeTimer t = src.heap[i];
            t.ts = null;
            if ((t.state & RuntimeTimer.TIMER_ZOMBIE) != 0) {
                t.state &= ~(RuntimeTimer.TIMER_HEAPED | RuntimeTimer.TIMER_ZOMBIE | RuntimeTimer.TIMER_MODIFIED);
            } else {
                t.state &= ~RuntimeTimer.TIMER_MODIFIED;
                addHeap(t);
            }
        }
        Arrays.fill(src.heap, null);
        src.n = 0;
        src.zombies.set(0);
        src.minWhenHeap.set(0);
        src.minWhenModified.set(0);
        src.len.set(0);
    }

    /**
     * Go's ts.adjust: fix the positions of modified timers and drop zombies, when a
     * modified timer is due before now (or when forced). lock held.
     */
    void adjust(long now, boolean force) {
        if (!force) {
            long first = minWhenModified.get();
            if (first == 0 || first > now) {
                return;
            }
        }
        // We are going to clear all timerModified bits: minWhenHeap covers the earliest.
        minWhenHeap.set(wakeTime());
        minWhenModified.set(0);
        boolean changed = false;
        for (int i = 0; i < n; i++) {
            RuntimeTimer t = heap[i];
            if (t.ts != this) {
                throw Throw.fatalThrow("bad ts");
            }
            if ((t.astate() & (RuntimeTimer.TIMER_MODIFIED | RuntimeTimer.TIMER_ZOMBIE)) == 0) {
                // Does not need adjustment.
                continue;
            }
            t.lock();
            if ((t.state & RuntimeTimer.TIMER_HEAPED) == 0) {
                throw badTimer();
            } else if ((t.state & RuntimeTimer.TIMER_ZOMBIE) != 0) {
                zombies.getAndAdd(-1);
                t.state &= ~(RuntimeTimer.TIMER_HEAPED | RuntimeTimer.TIMER_ZOMBIE | RuntimeTimer.TIMER_MODIFIED);
                heap[i] = heap[n - 1];
                heapWhen[i] = heapWhen[n - 1];
                heap[n - 1] = null;
                heapWhen[n - 1] = 0;
                n--;
                t.ts = null;
                i--;
                changed = true;
            } else if ((t.state & RuntimeTimer.TIMER_MODIFIED) != 0) {
                heapWhen[i] = t.when;
                t.state &= ~RuntimeTimer.TIMER_MODIFIED;
                changed = true;
            }
            t.unlockT();
        }
        if (changed) {
            initHeap();
        }
        len.set(n);
        updateMinWhenHeap();
    }

    /** Timers in the heap that are not zombies (stopped, awaiting removal). */
    int live() {
        return len.get() - zombies.get();
    }

    /**
     * Go's ts.wakeTime: when the next timer should run, or 0 if none.
     *
     * <p>Differences from Go: a heap of zombies only has no wake time (Go reports the
     * zombie's old time), so a stopped timer neither keeps an M waiting for it nor keeps the
     * program from being found deadlocked until it would have fired.
     */
    long wakeTime() {
        // Note that the order of these two loads matters: adjust updates minWhen to make it
        // safe to clear minNextWhen. We read minWhen after reading minNextWhen so that if we
        // see a cleared minNextWhen, we are guaranteed to see the updated minWhen.
        long nextWhen = minWhenModified.get();
        long when = minWhenHeap.get();
        if (when == 0 || (nextWhen != 0 && nextWhen < when)) {
            when = nextWhen;
        }
        // The zombies-only check second: with no timer at all (every schedule() of a
        // program without timers) Go's two loads decide it alone.
        return when == 0 || live() <= 0 ? 0 : when;
    }

    /**
     * Go's ts.check: run the timers that are due. Returns pollUntil (when the next timer is
     * due, or 0); now (after reading the clock, if it had to) goes to {@code mp.timerNow}
     * and whether any timer ran to {@code mp.timerRan}. mp may be null (no results).
     */
    long check(long now, M mp, boolean local) {
        long next = wakeTime();
        if (mp != null) {
            mp.timerRan = false;
            mp.timerNow = now;
        }
        if (next == 0 && (!local || zombies.get() == 0)) {
            // No timers to run or adjust.
            return 0;
        }
        if (now == 0) {
            now = Clock.nanotime();
            if (mp != null) {
                mp.timerNow = now;
            }
        }
        // If this is the local P, and there are a lot of deleted timers, clear them out.
        // We only do this for the local P to reduce lock contention on timers.
        int z = zombies.get();
        if (z < 0) {
            throw badTimer();
        }
        boolean force = local && z > len.get() / 4;
        if ((next == 0 || now < next) && !force) {
            // Next timer is not ready to run, and we don't need to clear deleted timers.
            return next;
        }
        long pollUntil = 0;
        boolean ran = false;
        lock.lock();
        try {
            if (n > 0) {
                adjust(now, false);
                while (n > 0) {
                    // Note that run may temporarily unlock the heap.
                    long tw = run(now);
                    if (tw != 0) {
                        if (tw > 0) {
                            pollUntil = tw;
                        }
                        break;
                    }
                    ran = true;
                }
                // If this is the local P, and there are a lot of deleted timers, clear them
                // out. We only do this for the local P to reduce lock contention on timers.
                force = local && zombies.get() > len.get() / 4;
                if (force) {
                    adjust(now, true);
                }
            }
        } finally {
            lock.unlock();
        }
        if (mp != null) {
            mp.timerRan = ran;
        }
        return pollUntil;
    }

    /**
     * Go's ts.run: examine the head; run it if due. Returns 0 if it ran a timer, -1 if there
     * are no more timers, or the time when the head should run. lock held (run may release
     * and retake it).
     */
    long run(long now) {
        for (;;) {
            if (n == 0) {
                return -1;
            }
            RuntimeTimer t = heap[0];
            long tw = heapWhen[0];
            if (t.ts != this) {
                throw Throw.fatalThrow("bad ts");
            }
            if ((t.astate() & (RuntimeTimer.TIMER_MODIFIED | RuntimeTimer.TIMER_ZOMBIE)) == 0 && tw > now) {
                // Fast path: not ready to run.
                return tw;
            }
            t.lock();
            if (t.updateHeap()) {
                t.unlockT();
                continue;
            }
            if ((t.state & RuntimeTimer.TIMER_HEAPED) == 0 || (t.state & RuntimeTimer.TIMER_MODIFIED) != 0) {
                throw badTimer();
            }
            if (t.when > now) {
                // Not ready to run.
                t.unlockT();
                return t.when;
            }
            t.unlockAndRun(now);
            return 0;
        }
    }

    /** Go's ts.updateMinWhenHeap. lock held. */
    void updateMinWhenHeap() {
        minWhenHeap.set(n == 0 ? 0 : heapWhen[0]);
    }

    /** Go's ts.updateMinWhenModified: lower minWhenModified to when. */
    void updateMinWhenModified(long when) {
        for (;;) {
            long old = minWhenModified.get();
            if (old != 0 && old < when) {
                return;
            }
            if (minWhenModified.compareAndSet(old, when)) {
                return;
            }
        }
    }

    /** Go's timeSleepUntil: when the next timer of any P is due, or MAX_WHEN. */
    static long timeSleepUntil() {
        long next = RuntimeTimer.MAX_WHEN;
        for (P pp : Sched.allp) {
            long w = pp.timers.wakeTime();
            if (w != 0) {
                next = Math.min(next, w);
            }
        }
        return next;
    }

    private boolean less(int i, int j) {
        return heapWhen[i] < heapWhen[j];
    }

    /** Go's ts.siftUp. */
    void siftUp(int i) {
        if (i >= n) {
            throw badTimer();
        }
        RuntimeTimer t = heap[i];
        long w = heapWhen[i];
        if (w <= 0) {
            throw badTimer();
        }
        while (i > 0) {
            int p = (i - 1) / HEAP_N; // parent
            if (!(w < heapWhen[p])) {
                break;
            }
            heap[i] = heap[p];
            heapWhen[i] = heapWhen[p];
            i = p;
        }
        heap[i] = t;
        heapWhen[i] = w;
    }

    /** Go's ts.siftDown. */
    void siftDown(int i) {
        if (i >= n) {
            throw badTimer();
        }
        if (i * HEAP_N + 1 >= n) {
            return;
        }
        RuntimeTimer t = heap[i];
        long w = heapWhen[i];
        if (w <= 0) {
            throw badTimer();
        }
        for (;;) {
            int leftChild = i * HEAP_N + 1;
            if (leftChild >= n) {
                break;
            }
            long best = w;
            int c = -1;
            for (int j = leftChild; j < Math.min(leftChild + HEAP_N, n); j++) {
                if (heapWhen[j] < best) {
                    best = heapWhen[j];
                    c = j;
                }
            }
            if (c < 0) {
                break;
            }
            heap[i] = heap[c];
            heapWhen[i] = heapWhen[c];
            i = c;
        }
        heap[i] = t;
        heapWhen[i] = w;
    }

    /** Go's ts.initHeap: reestablish the heap order, bottom up. */
    void initHeap() {
        if (n <= 1) {
            return;
        }
        for (int i = (n - 1 - 1) / HEAP_N; i >= 0; i--) {
            siftDown(i);
        }
    }
}
