package dev.gort.explore;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.sync.Mutex;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;
import dev.gort.time.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Small programs the exploration tests run. */
final class Programs {
    private Programs() {}

    /**
     * Check-then-act across a channel operation: each of two goroutines reads a shared
     * counter, sends on a channel, then writes the value it read plus one. An interleaving
     * where both read before either writes loses an update.
     */
    static Runnable lostUpdate() {
        return () -> {
            int[] counter = {0};
            Chan<Integer> events = Chan.make(4);
            for (int i = 0; i < 2; i++) {
                Gort.go(() -> {
                    int v = counter[0];
                    events.send(0); // a gort operation between the check and the act
                    counter[0] = v + 1;
                    events.send(1);
                });
            }
            for (int i = 0; i < 4; i++) {
                events.recv();
            }
            if (counter[0] != 2) {
                throw new IllegalStateException("lost update: counter is " + counter[0] + ", want 2");
            }
        };
    }

    /** lostUpdate, fixed: a one-slot channel used as a lock makes read-modify-write atomic. */
    static Runnable lostUpdateFixed() {
        return () -> {
            int[] counter = {0};
            Chan<Integer> events = Chan.make(4);
            Chan<Boolean> lock = Chan.make(1);
            for (int i = 0; i < 2; i++) {
                Gort.go(() -> {
                    lock.send(true);
                    int v = counter[0];
                    events.send(0);
                    counter[0] = v + 1;
                    lock.recv();
                    events.send(1);
                });
            }
            for (int i = 0; i < 4; i++) {
                events.recv();
            }
            if (counter[0] != 2) {
                throw new IllegalStateException("lost update: counter is " + counter[0] + ", want 2");
            }
        };
    }

    /**
     * A forgotten WaitGroup.done on one path (GoKer-style): a canceller sets a flag after the
     * first result, and a worker that sees the flag returns early without done. Whether a
     * worker sees it depends on the order of the workers and the canceller.
     */
    static Runnable forgottenDone() {
        return forgottenDone(false);
    }

    /** forgottenDone, fixed: done in a finally block. */
    static Runnable forgottenDoneFixed() {
        return forgottenDone(true);
    }

    private static Runnable forgottenDone(boolean fixed) {
        return () -> {
            WaitGroup wg = new WaitGroup();
            Chan<Integer> jobs = Chan.make(3);
            Chan<Integer> results = Chan.make(3);
            boolean[] cancelled = {false};
            for (int j = 0; j < 3; j++) {
                jobs.send(j);
            }
            jobs.close();
            Gort.go(() -> {
                results.recv();
                cancelled[0] = true; // enough: the others may stop
            });
            for (int w = 0; w < 3; w++) {
                wg.add(1);
                Gort.go(() -> {
                    boolean done = false;
                    try {
                        int job = jobs.recv();
                        if (cancelled[0]) {
                            return; // the bug: no wg.done() on this path
                        }
                        results.send(job);
                        wg.done();
                        done = true;
                    } finally {
                        if (fixed && !done) {
                            wg.done();
                        }
                    }
                });
            }
            wg.await();
        };
    }

    /**
     * A program with every kind of choice: goroutines racing on a buffered channel, a
     * select among ready cases, sleeps and a timer on the virtual clock, a mutex and a
     * WaitGroup. It writes what happened, in order, to out (goids, picks, times).
     */
    static Runnable busy(List<String> out) {
        return () -> {
            Chan<Integer> a = Chan.make(8);
            Chan<Integer> b = Chan.make(8);
            Mutex mu = new Mutex();
            WaitGroup wg = new WaitGroup();
            int[] shared = {0};
            for (int i = 0; i < 4; i++) {
                int id = i;
                wg.add(1);
                Gort.go(() -> {
                    try {
                        for (int k = 0; k < 3; k++) {
                            (k % 2 == 0 ? a : b).send(id * 10 + k);
                            mu.lock();
                            shared[0] = shared[0] * 31 + id;
                            mu.unlock();
                            Time.sleep(Duration.ofMillis(1 + id));
                            out.add("g" + Gort.goid() + " k" + k);
                        }
                    } finally {
                        wg.done();
                    }
                });
            }
            Timer t = Timer.newTimer(Duration.ofMillis(3));
            for (int n = 0; n < 12; n++) {
                Select.select(
                        Select.recv(a, v -> out.add("a" + v)),
                        Select.recv(b, v -> out.add("b" + v)));
            }
            Instant fired = t.c().recv();
            out.add("timer " + fired);
            wg.await();
            out.add("shared " + shared[0] + " goroutines " + Gort.numGoroutine() + " main " + Gort.goid());
        };
    }

    /**
     * Check-then-act under a mutex held in two pieces: each goroutine reads the counter under
     * the lock, unlocks, then writes under the lock again. No channel operation in between:
     * only the mutex's own scheduling points let the other goroutine in.
     */
    static Runnable mutexSplit(boolean fixed) {
        return () -> {
            Mutex mu = new Mutex();
            WaitGroup wg = new WaitGroup();
            int[] counter = {0};
            for (int i = 0; i < 2; i++) {
                wg.add(1);
                Gort.go(() -> {
                    mu.lock();
                    int v = counter[0];
                    if (!fixed) {
                        mu.unlock();
                        mu.lock();
                    }
                    counter[0] = v + 1;
                    mu.unlock();
                    wg.done();
                });
            }
            wg.await();
            if (counter[0] != 2) {
                throw new IllegalStateException("lost update under a split lock: counter is " + counter[0]);
            }
        };
    }
}
