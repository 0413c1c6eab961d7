package dev.gort.sync;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.time.Time;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/** sync.Mutex and sync.RWMutex, after Go's sync/mutex_test.go and rwmutex_test.go. */
class MutexTest {

    /** Go's HammerMutex: mutual exclusion of a plain counter under heavy contention. */
    @Test
    void mutualExclusionUnderContention() {
        int goroutines = 10;
        int loops = stress(20_000);
        long[] counter = new long[1];
        runWithProcs(4, () -> {
            Mutex m = new Mutex();
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < goroutines; i++) {
                wg.go(() -> {
                    for (int k = 0; k < loops; k++) {
                        if (k % 3 == 0 && m.tryLock()) {
                            counter[0]++;
                            m.unlock();
                            continue;
                        }
                        m.lock();
                        long v = counter[0];
                        if (k % 100 == 0) {
                            Gort.gosched(); // hold the lock across a reschedule
                        }
                        counter[0] = v + 1;
                        m.unlock();
                    }
                });
            }
            wg.await();
        });
        assertEquals((long) goroutines * loops, counter[0]);
    }

    /** Goroutines and plain Java threads share one Mutex. */
    @Test
    void goroutinesAndPlainThreadsExcludeEachOther() throws Exception {
        Mutex m = new Mutex();
        long[] counter = new long[1];
        int loops = stress(20_000);
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int k = 0; k < loops; k++) {
                    m.lock();
                    counter[0]++;
                    m.unlock();
                }
            });
            threads[t].start();
        }
        Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 2; i++) {
                wg.go(() -> {
                    for (int k = 0; k < loops; k++) {
                        m.lock();
                        counter[0]++;
                        m.unlock();
                    }
                });
            }
            wg.await();
        });
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(4L * loops, counter[0]);
    }

    /**
     * Go's TestMutexFairness: a goroutine that holds the mutex most of the time cannot keep a
     * waiter out; starvation mode hands the mutex to it.
     */
    @Test
    void starvationModeBoundsAWaitersWait() {
        AtomicBoolean sawStarving = new AtomicBoolean();
        runWithProcs(2, () -> {
            Mutex mu = new Mutex();
            Chan<Boolean> stop = Chan.make();
            Gort.go(() -> {
                for (;;) {
                    mu.lock();
                    Time.sleep(Duration.ofNanos(100_000));
                    mu.unlock();
                    if (Select.select(Select.recv(stop, null), Select.otherwise(null)) == 0) {
                        return;
                    }
                }
            });
            Chan<Boolean> done = Chan.make(1);
            Gort.go(() -> {
                for (int i = 0; i < 10; i++) {
                    Time.sleep(Duration.ofNanos(100_000));
                    mu.lock();
                    mu.unlock();
                }
                done.send(true);
            });
            AtomicBoolean finished = new AtomicBoolean();
            Gort.go(() -> { // watch the state word: starvation mode must show up
                while (!finished.get()) {
                    if ((MutexProbe.state(mu) & Mutex.MUTEX_STARVING) != 0) {
                        sawStarving.set(true);
                    }
                    Time.sleep(Duration.ofNanos(50_000));
                }
            });
            dev.gort.time.Timer timeout = dev.gort.time.Timer.newTimer(Duration.ofSeconds(30));
            int k = Select.select(Select.recv(done, null), Select.recv(timeout.c(), null));
            timeout.stop();
            finished.set(true);
            stop.close();
            assertEquals(0, k, "can't acquire Mutex in 30 seconds");
        });
        assertTrue(sawStarving.get(), "the mutex entered starvation mode");
    }

    @Test
    void unlockOfUnlockedMutexKillsTheRun() {
        AtomicBoolean continued = new AtomicBoolean();
        int frozen = parked("frozen");
        FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
            Mutex m = new Mutex();
            try {
                m.unlock();
            } catch (FatalError caught) {
                continued.set(true);
            }
        }));
        assertEquals("sync: unlock of unlocked mutex", e.getMessage());
        // Go's fatal error: the goroutine stops where it is, its catch never runs.
        waitUntil("the goroutine is parked for good", () -> parked("frozen") > frozen);
        assertFalse(continued.get(), "the goroutine caught the fatal error and went on");
    }

    @Test
    void lockedMutexCanBeUnlockedByAnotherGoroutine() {
        Gort.run(() -> {
            Mutex m = new Mutex();
            m.lock();
            Chan<Integer> done = Chan.make();
            Gort.go(() -> {
                m.unlock();
                done.send(1);
            });
            done.recv();
            assertTrue(m.tryLock());
            assertFalse(m.tryLock());
            m.unlock();
        });
    }

    /** Go's TestParallelReaders: readers hold the lock together. */
    @Test
    void readersHoldTheLockTogether() {
        int readers = 4;
        runWithProcs(4, () -> {
            RWMutex m = new RWMutex();
            Chan<Boolean> clocked = Chan.make();
            Chan<Boolean> cunlock = Chan.make();
            Chan<Boolean> cdone = Chan.make();
            for (int i = 0; i < readers; i++) {
                Gort.go(() -> {
                    m.rLock();
                    clocked.send(true);
                    cunlock.recv();
                    m.rUnlock();
                    cdone.send(true);
                });
            }
            for (int i = 0; i < readers; i++) {
                clocked.recv(); // all readers hold the lock at once
            }
            assertFalse(m.tryLock(), "a writer cannot enter while readers hold the lock");
            for (int i = 0; i < readers; i++) {
                cunlock.send(true);
            }
            for (int i = 0; i < readers; i++) {
                cdone.recv();
            }
            assertTrue(m.tryLock());
            assertFalse(m.tryRLock());
            m.unlock();
        });
    }

    /** Go's HammerRWMutex: writers exclude everyone, readers exclude writers. */
    @Test
    void rwMutexHammer() {
        int iterations = stress(2000);
        AtomicInteger activity = new AtomicInteger();
        AtomicBoolean broken = new AtomicBoolean();
        runWithProcs(4, () -> {
            RWMutex rwm = new RWMutex();
            WaitGroup wg = new WaitGroup();
            for (int w = 0; w < 2; w++) {
                wg.go(() -> {
                    for (int i = 0; i < iterations; i++) {
                        rwm.lock();
                        int n = activity.addAndGet(10000);
                        if (n != 10000) {
                            broken.set(true);
                        }
                        Gort.gosched();
                        activity.addAndGet(-10000);
                        rwm.unlock();
                    }
                });
            }
            for (int r = 0; r < 6; r++) {
                wg.go(() -> {
                    for (int i = 0; i < iterations; i++) {
                        rwm.rLock();
                        int n = activity.incrementAndGet();
                        if (n < 1 || n >= 10000) {
                            broken.set(true);
                        }
                        Gort.gosched();
                        activity.decrementAndGet();
                        rwm.rUnlock();
                    }
                });
            }
            wg.await();
        });
        assertFalse(broken.get(), "a writer shared the RWMutex");
    }

    @Test
    void rLockerLocksForReading() {
        Gort.run(() -> {
            RWMutex rw = new RWMutex();
            Locker r = rw.rLocker();
            r.lock();
            assertTrue(rw.tryRLock());
            rw.rUnlock();
            assertFalse(rw.tryLock());
            r.unlock();
            assertTrue(rw.tryLock());
            rw.unlock();
        });
    }

    @Test
    void rwMutexMisuseKillsTheRunWithGosTexts() {
        FatalError e1 = assertThrows(FatalError.class, () -> Gort.run(() -> new RWMutex().unlock()));
        assertEquals("sync: Unlock of unlocked RWMutex", e1.getMessage());
        FatalError e2 = assertThrows(FatalError.class, () -> Gort.run(() -> new RWMutex().rUnlock()));
        assertEquals("sync: RUnlock of unlocked RWMutex", e2.getMessage());
    }

    @Test
    void deadlockOnAMutexIsReported() {
        FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
            Mutex m = new Mutex();
            m.lock();
            m.lock();
        }));
        assertEquals("all goroutines are asleep - deadlock!", e.getMessage());
    }
}
