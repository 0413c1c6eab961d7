package dev.gort.sync;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.Panic;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/** sync.WaitGroup, sync.Cond and sync.Once, after Go's waitgroup_test.go, cond_test.go and once_test.go. */
class WaitGroupCondOnceTest {

    /** Go's testWaitGroup: wg2 waits for the goroutines to have started wg1, then both complete. */
    @Test
    void waitGroupWaitsForEveryone() {
        int n = 16;
        Gort.run(() -> {
            for (int round = 0; round < 8; round++) { // a WaitGroup is reusable
                WaitGroup wg1 = new WaitGroup();
                WaitGroup wg2 = new WaitGroup();
                Chan<Boolean> exited = Chan.make(n);
                wg1.add(n);
                wg2.add(n);
                for (int i = 0; i < n; i++) {
                    Gort.go(() -> {
                        wg1.done();
                        wg2.await();
                        exited.send(true);
                    });
                }
                wg1.await();
                for (int i = 0; i < n; i++) {
                    assertNull(exited.tryRecv(), "WaitGroup released group too soon");
                    wg2.done();
                }
                for (int i = 0; i < n; i++) {
                    exited.recv(); // Will block if barrier fails to unlock someone.
                }
            }
        });
    }

    @Test
    void negativeCounterPanicsAndDisturbsNothing() {
        Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            wg.done();
            Panic p = assertThrows(Panic.class, wg::done);
            assertEquals("sync: negative WaitGroup counter", p.getMessage());
            // still usable
            wg.add(1);
            Gort.go(wg::done);
            wg.await();
        });
    }

    @Test
    void waitGroupGoCountsTheGoroutine() {
        AtomicInteger ran = new AtomicInteger();
        Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 100; i++) {
                wg.go(ran::incrementAndGet);
            }
            wg.go(Gort::goexit); // Goexit counts as done, as Go's deferred Done
            wg.await();
            assertEquals(100, ran.get());
        });
    }

    @Test
    void waitGroupWorksFromPlainThreads() throws Exception {
        WaitGroup wg = new WaitGroup();
        wg.add(3);
        for (int i = 0; i < 3; i++) {
            new Thread(wg::done).start();
        }
        wg.await();
    }

    @Test
    void waitGroupDeadlockIsReported() {
        FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            wg.await();
        }));
        assertEquals("all goroutines are asleep - deadlock!", e.getMessage());
    }

    /** Go's TestCondSignal. */
    @Test
    void condSignalWakesOneAtATime() {
        int n = 2;
        Gort.run(() -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            Chan<Boolean> running = Chan.make(n);
            Chan<Boolean> awake = Chan.make(n);
            for (int i = 0; i < n; i++) {
                Gort.go(() -> {
                    m.lock();
                    running.send(true);
                    c.await();
                    awake.send(true);
                    m.unlock();
                });
            }
            for (int i = 0; i < n; i++) {
                running.recv(); // Wait for everyone to run.
            }
            for (int k = n; k > 0; k--) {
                assertNull(awake.tryRecv(), "goroutine not asleep");
                m.lock();
                c.signal();
                m.unlock();
                awake.recv(); // Will deadlock if no goroutine wakes up
                assertNull(awake.tryRecv(), "too many goroutines awake");
            }
            c.signal();
        });
    }

    /** Go's TestCondSignalGenerations: signals wake waiters in the order they started waiting. */
    @Test
    void condSignalGenerations() {
        int n = 100;
        List<Integer> order = new ArrayList<>();
        Gort.run(() -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            Chan<Integer> awake = Chan.make(n);
            for (int i = 0; i < n; i++) {
                final int id = i;
                Gort.go(() -> {
                    m.lock();
                    awake.send(id); // not yet woken; tells main we are about to wait
                    c.await();
                    awake.send(id);
                    m.unlock();
                });
                assertEquals(id, awake.recv());
            }
            for (int i = 0; i < n; i++) {
                c.signal();
                order.add(awake.recv());
            }
        });
        for (int i = 0; i < n; i++) {
            assertEquals(i, order.get(i), "goroutine " + i + " was not woken in order");
        }
    }

    /** Go's TestCondBroadcast. */
    @Test
    void condBroadcastWakesEveryone() {
        int n = 20;
        Gort.run(() -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            Chan<Integer> running = Chan.make(n);
            Chan<Integer> awake = Chan.make(n);
            boolean[] exit = new boolean[1];
            for (int i = 0; i < n; i++) {
                final int g = i;
                Gort.go(() -> {
                    m.lock();
                    while (!exit[0]) {
                        running.send(g);
                        c.await();
                        awake.send(g);
                    }
                    m.unlock();
                });
            }
            for (int i = 0; i < n; i++) {
                for (int g = 0; g < n; g++) {
                    running.recv(); // Will deadlock unless n are running.
                }
                if (i == n - 1) {
                    m.lock();
                    exit[0] = true;
                    m.unlock();
                }
                assertNull(awake.tryRecv(), "goroutine not asleep");
                m.lock();
                c.broadcast();
                m.unlock();
                boolean[] seen = new boolean[n];
                for (int g = 0; g < n; g++) {
                    int a = awake.recv();
                    assertFalse(seen[a], "goroutine woke up twice");
                    seen[a] = true;
                }
            }
            assertNull(running.tryRecv(), "goroutine did not exit");
            c.broadcast();
        });
    }

    /** The signal sent between Wait's unlock and its sleep is not lost (tickets). */
    @Test
    void condSignalBetweenUnlockAndSleepIsKept() {
        int rounds = stress(2000);
        runWithProcs(2, () -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            int[] turn = new int[1];
            WaitGroup wg = new WaitGroup();
            for (int who = 0; who < 2; who++) {
                final int me = who;
                wg.go(() -> {
                    for (int i = 0; i < rounds; i++) {
                        m.lock();
                        while (turn[0] % 2 != me) {
                            c.await();
                        }
                        turn[0]++;
                        c.signal();
                        m.unlock();
                    }
                });
            }
            wg.await();
            assertEquals(2 * rounds, turn[0]);
        });
    }

    @Test
    void condNeedsALocker() {
        assertThrows(NullPointerException.class, () -> new Cond(null));
    }

    /** Go's TestOnce: run once, every caller sees it done. */
    @Test
    void onceRunsExactlyOnceAndCallersWaitForIt() {
        AtomicInteger count = new AtomicInteger();
        int[] seenByCaller = new int[10];
        Gort.run(() -> {
            Once once = new Once();
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 10; i++) {
                final int k = i;
                wg.go(() -> {
                    once.run(() -> {
                        Gort.gosched(); // others arrive while it runs
                        count.incrementAndGet();
                    });
                    seenByCaller[k] = count.get();
                });
            }
            wg.await();
        });
        assertEquals(1, count.get());
        for (int v : seenByCaller) {
            assertEquals(1, v, "a caller returned before the function had run");
        }
    }

    /** Go's TestOncePanic: a function that panics still counts as done. */
    @Test
    void onceThatThrewIsDone() {
        Gort.run(() -> {
            Once once = new Once();
            assertThrows(IllegalStateException.class, () -> once.run(() -> {
                throw new IllegalStateException("once");
            }));
            once.run(() -> fail("Once.run called twice"));
        });
    }
}
