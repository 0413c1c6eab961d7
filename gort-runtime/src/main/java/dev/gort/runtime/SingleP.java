package dev.gort.runtime;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The run queues of Go's only P when GOMAXPROCS is 1, kept by a controller for a run under
 * {@code Explore...gomaxprocs(1)} ({@link Controlled}): the {@code runnext} slot, the local
 * FIFO ({@code p.runq}, 256 slots), the global FIFO ({@code sched.runq}) and the P's
 * {@code schedtick}. Every rule is proc.go's:
 * <ul>
 *   <li>{@link #runqput}: Go's runqput. {@code next} (a goroutine readied by the running
 *       one through goready/ready(gp, next=true), a new goroutine from newproc, a timer's
 *       goroutineReady) takes runnext and kicks the old runnext to the local tail; a full
 *       local queue moves half of itself and the goroutine to the global queue
 *       (runqputslow). {@code next=false}: the local tail (goyield_m).</li>
 *   <li>{@link #globrunqput}: Go's globrunqput, where goschedImpl puts a goroutine that
 *       called Gosched (gosched_m) or was preempted (gopreempt_m).</li>
 *   <li>{@link #findRunnable}: the queue part of Go's findRunnable, and execute's tick:
 *       every 61st schedtick the global queue goes first ({@code pp.schedtick%61 == 0},
 *       globrunqget); then runqget (runnext first, inheriting the time slice, so no tick;
 *       then the local head); then globrunqgetbatch(len(pp.runq)/2), which with one P takes
 *       {@code min(128, size)} goroutines, runs the first and queues the rest locally
 *       (runqputbatch). {@code execute(gp, inheritTime)} counts a tick unless inheritTime.</li>
 * </ul>
 *
 * <p>Differences from Go: the queues hold only the run's goroutines (no runtime goroutines:
 * bgsweep, the finalizer, GC workers); no {@code randomizeScheduler} (Go's race-mode
 * shuffles); a run's main starts with empty queues and the tick at {@link #MAIN_SCHEDTICK},
 * where a Go main.main that called Gosched first finds its P, rather than amid runtime.main's
 * leftovers; preemption strikes only at the run's scheduling points ({@link Controlled}).
 */
final class SingleP {
    /** len(p.runq). */
    static final int RUNQ_LEN = 256;
    /**
     * The schedtick the run's main goroutine starts with. Go's main.main starts with
     * goroutines of runtime.main's (and a tick that varies a little) left in the queues; once
     * it has let them run and park ({@code runtime.Gosched()} first), its P has empty queues
     * and tick 6 in Go 1.26 (GOMAXPROCS=1 GOGC=off): then 100 goroutines started and a
     * Gosched let main resume after 56 of them (runnext, then 55 local ones until
     * {@code schedtick%61 == 0}); now and then 55 (tick 7). GoOrdersTest's "fairness" checks
     * it against Go. A run's main enters through runnext, inheriting the slice, so the tick
     * stays here until the first goroutine taken from a queue.
     */
    static final int MAIN_SCHEDTICK = 6;

    private G runnext;
    private final ArrayDeque<G> runq = new ArrayDeque<>();
    private final ArrayDeque<G> globalq = new ArrayDeque<>();
    private int schedtick = MAIN_SCHEDTICK;

    /** Go's runqput(pp, gp, next). */
    void runqput(G gp, boolean next) {
        if (next) {
            G old = runnext;
            runnext = gp;
            if (old == null) {
                return;
            }
            gp = old; // kick the old runnext out to the regular run queue
        }
        if (runq.size() < RUNQ_LEN) {
            runq.addLast(gp);
            return;
        }
        // runqputslow: half of the local queue, then gp, to the global queue's tail.
        for (int i = 0; i < RUNQ_LEN / 2; i++) {
            globalq.addLast(runq.pollFirst());
        }
        globalq.addLast(gp);
    }

    /** Go's globrunqput: the global queue's tail. */
    void globrunqput(G gp) {
        globalq.addLast(gp);
    }

    /** The goroutine findRunnable takes, or null if every queue is empty; counts the tick as execute does. */
    G findRunnable() {
        // Check the global runnable queue once in a while to ensure fairness.
        if (schedtick % 61 == 0 && !globalq.isEmpty()) {
            schedtick++; // globrunqget: execute(gp, inheritTime=false)
            return globalq.pollFirst();
        }
        // runqget: runnext first, inheriting the current time slice.
        G gp = runnext;
        if (gp != null) {
            runnext = null;
            return gp;
        }
        gp = runq.pollFirst();
        if (gp == null && !globalq.isEmpty()) {
            // globrunqgetbatch(len(pp.runq)/2): n = min(n, size, size/gomaxprocs+1), the first
            // to run, the rest to the (empty) local queue.
            int n = Math.min(RUNQ_LEN / 2, globalq.size());
            gp = globalq.pollFirst();
            for (n--; n > 0; n--) {
                runq.addLast(globalq.pollFirst());
            }
        }
        if (gp != null) {
            schedtick++;
        }
        return gp;
    }

    /**
     * The goroutine findRunnable would take if {@code cur}, running, were preempted now
     * (gopreempt_m: cur to the global queue's tail, then schedule), without changing
     * anything. It may be cur itself (nothing else queued, or the fairness check finding
     * cur at the global head).
     */
    G afterPreempt(G cur) {
        G globalHead = globalq.isEmpty() ? cur : globalq.peekFirst();
        if (schedtick % 61 == 0) {
            return globalHead;
        }
        if (runnext != null) {
            return runnext;
        }
        G gp = runq.peekFirst();
        return gp != null ? gp : globalHead;
    }

    boolean isEmpty() {
        return runnext == null && runq.isEmpty() && globalq.isEmpty();
    }

    /** Empties every queue into sink (the end of a run). */
    void drain(Consumer<G> sink) {
        if (runnext != null) {
            sink.accept(runnext);
            runnext = null;
        }
        runq.forEach(sink);
        runq.clear();
        globalq.forEach(sink);
        globalq.clear();
    }
}
