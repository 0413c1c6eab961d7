package dev.gort.junit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.sync.Mutex;
import dev.gort.sync.WaitGroup;

/** The small concurrent programs the fixtures run, buggy and fixed. */
final class Programs {
    private Programs() {}

    /**
     * A lost update, the Mutex forgotten: two goroutines each read a shared counter, log a
     * visit on a channel (a scheduling point between the check and the act), then write
     * what they read plus one. If both read before either writes, one update is lost.
     * Fixed: a Mutex held from the read to the write.
     */
    static void lostUpdate(boolean fixed) {
        int[] counter = {0};
        Mutex mu = new Mutex();
        Chan<String> log = Chan.make(2);
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < 2; i++) {
            wg.add(1);
            Gort.go(() -> {
                if (fixed) {
                    mu.lock();
                }
                int seen = counter[0];
                log.send("visit");
                counter[0] = seen + 1;
                if (fixed) {
                    mu.unlock();
                }
                wg.done();
            });
        }
        wg.await();
        if (counter[0] != 2) {
            throw new IllegalStateException("lost update: counter is " + counter[0] + ", want 2");
        }
    }

    /**
     * A forgotten WaitGroup.done (GoKer's shape): a worker that sees the cancel flag returns
     * without done, and main waits forever: a deadlock, whether it happens depends on the
     * order of the canceller and the workers.
     */
    static void forgottenDone() {
        WaitGroup wg = new WaitGroup();
        Chan<Integer> results = Chan.make(2);
        boolean[] cancelled = {false};
        Gort.go(() -> {
            results.recv();
            cancelled[0] = true;
        });
        for (int w = 0; w < 2; w++) {
            int job = w;
            wg.add(1);
            Gort.go(() -> {
                Gort.gosched();
                if (cancelled[0]) {
                    return; // the bug: no wg.done() on this path
                }
                results.send(job);
                wg.done();
            });
        }
        wg.await();
    }

    /** Two goroutines that yield once each: 3 schedules with at most 2 preemptions (gort-runtime's ExhaustiveTest). */
    static void yieldOnceEach() {
        Gort.go(Gort::gosched);
        Gort.gosched();
    }
}
