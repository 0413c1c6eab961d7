package dev.gort;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/** The public API of dev.gort.Gort (docs/api.md), including its bad-input errors. */
class GortTest {

    @Test
    void goOfNullIsGosError() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Gort.go(null));
        assertEquals("go of nil func value", e.getMessage());
        AtomicReference<String> inside = new AtomicReference<>();
        Gort.run(() -> {
            try {
                Gort.go(null);
            } catch (NullPointerException npe) {
                inside.set(npe.getMessage());
            }
            // the runtime keeps working for every other goroutine
            Chan<Integer> c = Chan.make();
            Gort.go(() -> c.send(1));
            assertEquals(1, c.recv());
        });
        assertEquals("go of nil func value", inside.get());
        assertThrows(NullPointerException.class, () -> Gort.run(null));
    }

    @Test
    void goexitRunsFinallyBlocksAndCannotBeCaughtAsAnException() {
        List<String> events = new ArrayList<>();
        Gort.run(() -> {
            Chan<Integer> done = Chan.make();
            Gort.go(() -> {
                try {
                    try {
                        Gort.goexit();
                    } catch (Exception e) {
                        events.add("caught as an exception");
                    } finally {
                        events.add("inner finally");
                    }
                    events.add("after goexit");
                } finally {
                    events.add("outer finally");
                    done.send(1);
                }
            });
            done.recv();
        });
        assertEquals(List.of("inner finally", "outer finally"), events);
    }

    @Test
    void goexitOnAPlainThreadIsAnError() {
        assertThrows(IllegalStateException.class, Gort::goexit);
    }

    @Test
    void goidIsMinusOneOnAPlainThread() {
        assertEquals(-1, Gort.goid());
        AtomicLong id = new AtomicLong();
        Gort.run(() -> id.set(Gort.goid()));
        assertTrue(id.get() > 0);
    }

    @Test
    void goschedOnAPlainThreadJustYields() {
        Gort.gosched();
    }

    @Test
    void numGoroutineCountsLiveGoroutines() {
        int[] seen = new int[2];
        Gort.run(() -> {
            int base = Gort.numGoroutine();
            Chan<Integer> block = Chan.make();
            Chan<Integer> done = Chan.make(10);
            for (int i = 0; i < 10; i++) {
                Gort.go(() -> {
                    block.recv();
                    done.send(1);
                });
            }
            seen[0] = Gort.numGoroutine() - base;
            block.close();
            for (int i = 0; i < 10; i++) {
                done.recv();
            }
            waitUntil("the 10 goroutines exited", () -> Gort.numGoroutine() == base);
            seen[1] = Gort.numGoroutine() - base;
        });
        assertEquals(10, seen[0]);
        assertEquals(0, seen[1]);
    }

    /**
     * run returns once its main goroutine has ended, not just its function: a count taken
     * right after sees no main goroutine. (It used to wake the caller from inside main's
     * function, and a count read before main's goexit0 saw 1.) The main goroutine hands a
     * value to another goroutine at the end, which puts the caller's wake-up and main's
     * exit on two Ms racing at GOMAXPROCS 2.
     */
    @Test
    void theMainGoroutineHasEndedWhenRunReturns() {
        int base = Gort.numGoroutine(); // goroutines other tests left exiting only go down
        int seenAlive = 0;
        for (int i = 0; i < 2000; i++) {
            Gort.run(() -> {
                Chan<Integer> c = Chan.make();
                Chan<Integer> done = Chan.make(1);
                Gort.go(() -> done.send(c.recv()));
                c.send(1);
                done.recv();
            });
            if (Gort.numGoroutine() > base) {
                seenAlive++;
            }
        }
        assertEquals(0, seenAlive, "runs whose caller saw a goroutine still counted");
    }

    @Test
    void numCpuIsTheJvmsView() {
        assertEquals(Runtime.getRuntime().availableProcessors(), Gort.numCPU());
    }

    @Test
    void gomaxprocsReturnsThePreviousValueAndIgnoresNonPositive() {
        int old = Gort.gomaxprocs(0);
        assertTrue(old >= 1);
        assertEquals(old, Gort.gomaxprocs(-5));
        try {
            assertEquals(old, Gort.gomaxprocs(3));
            assertEquals(3, Gort.gomaxprocs(0));
            assertEquals(3, Gort.gomaxprocs(1));
            assertEquals(1, Gort.gomaxprocs(0));
        } finally {
            Gort.gomaxprocs(old);
        }
    }

    /** Growing and shrinking the P set while goroutines run, queue and block: no work is lost. */
    @Test
    void gomaxprocsGrowsAndShrinksUnderLoad() {
        int old = Gort.gomaxprocs(2);
        try {
            AtomicLong sum = new AtomicLong();
            AtomicBoolean resizing = new AtomicBoolean(true);
            Gort.run(() -> {
                Chan<Integer> work = Chan.make(64);
                Chan<Integer> done = Chan.make();
                int workers = 16;
                for (int w = 0; w < workers; w++) {
                    Gort.go(() -> {
                        for (Integer v : work) {
                            sum.addAndGet(v);
                            if (v % 7 == 0) {
                                Gort.gosched();
                            }
                        }
                        done.send(1);
                    });
                }
                Gort.go(() -> { // resize from inside a goroutine, many times
                    int[] sizes = {4, 1, 3, 8, 2, 1, 5, 2};
                    for (int round = 0; round < 5; round++) {
                        for (int n : sizes) {
                            Gort.gomaxprocs(n);
                            Gort.gosched();
                        }
                    }
                    resizing.set(false);
                });
                int n = stress(200_000);
                for (int i = 1; i <= n; i++) {
                    work.send(i);
                }
                work.close();
                for (int w = 0; w < workers; w++) {
                    done.recv();
                }
                waitUntil("resizing finished", () -> !resizing.get());
                sum.addAndGet(-(long) n * (n + 1) / 2);
            });
            assertEquals(0, sum.get());
        } finally {
            Gort.gomaxprocs(old);
        }
    }

    /** Shrinking moves the goroutines queued on the removed Ps to the global queue: they still run. */
    @Test
    void shrinkingKeepsQueuedGoroutines() throws Exception {
        int old = Gort.gomaxprocs(4);
        try {
            AtomicInteger ran = new AtomicInteger();
            Chan<Integer> gate = Chan.make();
            Thread resizer = new Thread(() -> {
                gate.recv();
                Gort.gomaxprocs(1);
                gate.send(1);
            });
            resizer.start();
            Gort.run(() -> {
                Chan<Integer> done = Chan.make(1000);
                for (int i = 0; i < 1000; i++) {
                    Gort.go(() -> {
                        ran.incrementAndGet();
                        done.send(1);
                    });
                }
                gate.send(1); // resize while many are queued
                gate.recv();
                for (int i = 0; i < 1000; i++) {
                    done.recv();
                }
            });
            resizer.join();
            assertEquals(1000, ran.get());
        } finally {
            Gort.gomaxprocs(old);
        }
    }

    @Test
    void runReturnsWhenMainReturnsLeavingOthersRunning() {
        Chan<Integer> release = Chan.make();
        Chan<Integer> finished = Chan.make(1);
        Gort.run(() -> Gort.go(() -> {
            release.recv();
            finished.send(1);
        }));
        release.send(1); // the left-behind goroutine is still there, and runs
        assertEquals(1, finished.recv());
    }

    @Test
    void threadLocalsAreThoseOfTheM() {
        AtomicBoolean isM = new AtomicBoolean();
        Gort.run(() -> isM.set(Thread.currentThread().getName().startsWith("gort-m")));
        assertTrue(isM.get(), "Thread.currentThread() inside a goroutine is its M");
    }

    /** Blocking operations are not interruptible; the interrupt status survives the wait. */
    @Test
    void plainThreadInterruptedWhileBlockedKeepsWaiting() throws Exception {
        Chan<Integer> c = Chan.make();
        AtomicReference<Object> got = new AtomicReference<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread t = new Thread(() -> {
            got.set(c.recv());
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        t.start();
        waitRecvWaiters(c, 1);
        t.interrupt();
        Thread.yield();
        assertEquals(1, dev.gort.runtime.Testing.waiters(c, true), "still waiting after the interrupt");
        c.send(5);
        t.join();
        assertEquals(5, got.get());
        assertTrue(interruptedAfter.get());
    }

    /** Plain threads and goroutines talk over channels, both ways. */
    @Test
    void plainThreadsHandWorkToGoroutinesAndTakeResultsBack() {
        Chan<Integer> jobs = Chan.make(8);
        Chan<Integer> results = Chan.make(8);
        for (int w = 0; w < 4; w++) {
            Gort.go(() -> {
                for (Integer j : jobs) {
                    results.send(j * j);
                }
            });
        }
        long sum = 0;
        Thread producer = new Thread(() -> {
            for (int i = 1; i <= 1000; i++) {
                jobs.send(i);
            }
            jobs.close();
        });
        producer.start();
        for (int i = 0; i < 1000; i++) {
            sum += results.recv();
        }
        assertEquals(333_833_500L, sum);
    }
}
