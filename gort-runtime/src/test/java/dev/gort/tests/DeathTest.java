package dev.gort.tests;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.Panic;
import dev.gort.Select;
import dev.gort.runtime.SyncRt;
import dev.gort.sync.Cond;
import dev.gort.sync.Mutex;
import dev.gort.sync.RWMutex;
import dev.gort.sync.WaitGroup;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * How runs die (docs/api.md, "Runs, deaths and deadlocks"): panics, fatal errors and deadlocks,
 * their Go-shaped reports, which run they kill, and the plain-thread deadlock rule.
 */
class DeathTest {
    private static final String DEADLOCK = "all goroutines are asleep - deadlock!";

    @Test
    void deadlockKillsTheRunWithGosReport() {
        try (StderrCapture err = new StderrCapture()) {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
                Chan<Integer> c = Chan.make();
                Chan<Integer> d = Chan.make();
                Gort.go(() -> d.send(1)); // blocked in chan send
                Gort.go(() -> Select.select(Select.recv(Chan.<Integer>make(), null), Select.recv(Chan.<Integer>make(), null)));
                c.recv(); // main: blocked in chan receive
            }));
            assertEquals(DEADLOCK, e.getMessage());
            assertNull(e.getCause());
            String report = err.text();
            assertTrue(report.startsWith("fatal error: " + DEADLOCK + "\n\ngoroutine "), report);
            assertTrue(Pattern.compile("goroutine \\d+ \\[chan receive]:\ndev\\.gort\\.tests\\.DeathTest\\.lambda\\$\\S+\\(\\.\\.\\.\\)\n\tDeathTest\\.java:\\d+\n")
                    .matcher(report).find(), report);
            assertTrue(report.contains(" [chan send]:\n"), report);
            assertTrue(report.contains(" [select]:\n"), report);
            assertFalse(report.contains("dev.gort.runtime."), "runtime frames are hidden, as Go's: " + report);
        }
    }

    @Test
    void mainThatCalledGoexitWithNothingLeftIsAGoexitDeadlock() {
        try (StderrCapture err = new StderrCapture()) {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(Gort::goexit));
            assertEquals("no goroutines (main called runtime.Goexit) - deadlock!", e.getMessage());
            assertTrue(err.text().startsWith("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n"));
        }
    }

    @Test
    void mainThatCalledGoexitWhileOthersRunEndsWhenTheyDo() {
        AtomicLong work = new AtomicLong();
        try (StderrCapture err = new StderrCapture()) {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
                for (int i = 0; i < 4; i++) {
                    Gort.go(() -> {
                        for (int k = 0; k < 1000; k++) {
                            work.incrementAndGet();
                            Gort.gosched();
                        }
                    });
                }
                Gort.goexit();
            }));
            assertEquals("no goroutines (main called runtime.Goexit) - deadlock!", e.getMessage());
            assertEquals(4000, work.get(), "the other goroutines ran to completion first");
        }
    }

    @Test
    void mainThatCalledGoexitWithBlockedGoroutinesIsADeadlock() {
        try (StderrCapture err = new StderrCapture()) {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
                Gort.go(() -> Chan.make().recv());
                Gort.goexit();
            }));
            assertEquals(DEADLOCK, e.getMessage());
        }
    }

    @Test
    void uncaughtThrowableKillsItsRunWithAPanicReport() {
        try (StderrCapture err = new StderrCapture()) {
            AtomicReference<IllegalStateException> thrown = new AtomicReference<>();
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
                Chan<Integer> c = Chan.make();
                Gort.go(() -> {
                    IllegalStateException boom = new IllegalStateException("boom");
                    thrown.set(boom);
                    throw boom;
                });
                c.recv(); // never woken: the panic ends the run
            }));
            assertSame(thrown.get(), e.getCause());
            assertEquals("java.lang.IllegalStateException: boom", e.getMessage());
            String report = err.text();
            assertTrue(report.startsWith("panic: java.lang.IllegalStateException: boom\n\ngoroutine "), report);
            assertTrue(Pattern.compile("goroutine \\d+ \\[running]:\ndev\\.gort\\.tests\\.DeathTest\\.lambda\\$\\S+\\(\\.\\.\\.\\)\n\tDeathTest\\.java:\\d+\n")
                    .matcher(report).find(), report);
        }
    }

    @Test
    void gortPanicReportsGosText() {
        try (StderrCapture err = new StderrCapture()) {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
                Chan<Integer> c = Chan.make();
                c.close();
                c.close();
            }));
            assertInstanceOf(Panic.class, e.getCause());
            assertTrue(err.text().startsWith("panic: close of closed channel\n\ngoroutine "), err.text());
        }
    }

    @Test
    void recoveredPanicDisturbsNothing() {
        AtomicReference<String> msg = new AtomicReference<>();
        Gort.run(() -> {
            Chan<Integer> c = Chan.make();
            c.close();
            try {
                c.send(1);
            } catch (Panic p) {
                msg.set(p.getMessage());
            }
        });
        assertEquals("send on closed channel", msg.get());
    }

    @Test
    void fatalErrorKillsTheRunAndStopsItsGoroutineWhereItIs() {
        try (StderrCapture err = new StderrCapture()) {
            AtomicBoolean caught = new AtomicBoolean();
            AtomicBoolean finallyRan = new AtomicBoolean();
            int frozenBefore = parked("frozen");
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
                try {
                    throw SyncRt.fatal("test: a fatal runtime error");
                } catch (FatalError caughtError) {
                    caught.set(true);
                } finally {
                    finallyRan.set(true);
                }
            }));
            assertEquals("test: a fatal runtime error", e.getMessage());
            // Go runs no deferred call after a fatal error: the goroutine stays where it was,
            // parked for good, and neither its catch nor its finally ever runs.
            waitUntil("the goroutine that hit the fatal error is parked for good", () -> parked("frozen") > frozenBefore);
            assertFalse(caught.get(), "the goroutine went on after the fatal error");
            assertFalse(finallyRan.get(), "a finally block ran after the fatal error");
            String text = err.text();
            assertTrue(text.startsWith("fatal error: test: a fatal runtime error\n\ngoroutine "), text);
            assertEquals(1, count(text, "fatal error:"), "one report: " + text);
            assertFalse(text.contains("panic:"), "a fatal error is not reported again as a panic: " + text);
        }
    }

    /**
     * A dying run is frozen, as Go freezes the world: its other goroutines stop before the
     * report is printed, and never run again (they kept printing during and after the
     * report, thousands of lines in a simple test).
     */
    @Test
    void aDyingRunIsFrozenBeforeItsReport() {
        AtomicLong ticks = new AtomicLong();
        String text;
        try (StderrCapture err = new StderrCapture()) {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
                Chan<Integer> started = Chan.make(4);
                for (int i = 0; i < 4; i++) {
                    Gort.go(() -> {
                        started.send(1);
                        for (;;) {
                            ticks.incrementAndGet();
                            System.err.println("tick");
                            Gort.gosched();
                        }
                    });
                }
                for (int i = 0; i < 4; i++) {
                    started.recv();
                }
                while (ticks.get() < 1000) {
                    Gort.gosched();
                }
                throw new IllegalStateException("boom");
            }));
            assertEquals("java.lang.IllegalStateException: boom", e.getMessage());
            long atDeath = ticks.get();
            // Nothing of the dead run runs again: watch for a while (they tick every few
            // microseconds when they run).
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
            assertEquals(atDeath, ticks.get(), "the dead run's goroutines went on running");
            text = err.text();
        }
        int report = text.indexOf("panic: java.lang.IllegalStateException: boom");
        assertTrue(report >= 0, text);
        assertFalse(text.substring(report).contains("tick"), "a goroutine of the dying run printed during or after the report");
    }

    /**
     * A goroutine of a dying run that waits on a Mutex shared with another run: when it is
     * woken and frozen, the wake-up goes on to the next waiter (the live run's), which
     * otherwise waited for good on a free mutex (the frozen one kept the "woken" role).
     */
    @Test
    void aFrozenWaiterPassesItsWakeUpOnToOtherRuns() throws Exception {
        Mutex m = new Mutex();
        m.lock(); // held by this plain thread
        int before = parked("sync.Mutex.Lock");
        try (StderrCapture err = new StderrCapture()) {
            assertThrows(FatalError.class, () -> Gort.run(() -> {
                Gort.go(() -> {
                    m.lock(); // first in line, of the run about to die
                    m.unlock();
                });
                waitUntil("the dying run's goroutine waits for the mutex", () -> parked("sync.Mutex.Lock") == before + 1);
                throw new IllegalStateException("die");
            }));
        }
        CountDownLatch got = new CountDownLatch(1);
        Gort.go(() -> { // a goroutine of no run: alive
            m.lock();
            got.countDown();
            m.unlock();
        });
        waitUntil("the live goroutine waits for the mutex", () -> parked("sync.Mutex.Lock") == before + 2);
        m.unlock(); // wakes the first in line, which is frozen: the wake-up must go on
        waitUntil("the live goroutine got the mutex", () -> got.getCount() == 0);
    }

    /** The unlock of an unlocked Mutex, in a run: one report (it was printed twice: fatal error, then panic). */
    @Test
    void aFatalErrorIsReportedOnce() {
        try (StderrCapture err = new StderrCapture()) {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> new Mutex().unlock()));
            assertEquals("sync: unlock of unlocked mutex", e.getMessage());
            String text = err.text();
            assertEquals(1, count(text, "fatal error:"), text);
            assertFalse(text.contains("panic:"), text);
        }
    }

    /** A goroutine of no run: the fatal error is thrown (catchable); uncaught, it is still reported once. */
    @Test
    void aFatalErrorInAGoroutineOfNoRunIsThrownAndReportedOnce() {
        try (StderrCapture err = new StderrCapture()) {
            AtomicReference<Throwable> seen = new AtomicReference<>();
            AtomicLong goid = new AtomicLong();
            CountDownLatch done = new CountDownLatch(1);
            Thread t = new Thread(() -> Gort.go(() -> {
                goid.set(Gort.goid());
                try {
                    new Mutex().unlock();
                } catch (FatalError fe) {
                    seen.set(fe);
                }
                done.countDown();
                new Mutex().unlock(); // uncaught this time: the goroutine ends
            }));
            t.start();
            waitUntil("the goroutine caught the fatal error", () -> done.getCount() == 0);
            assertEquals("sync: unlock of unlocked mutex", seen.get().getMessage());
            waitUntil("the goroutine ended", () -> !exists(goid.get()));
            String text = err.text();
            assertEquals(2, count(text, "fatal error: sync: unlock of unlocked mutex"), text);
            assertFalse(text.contains("panic:"), "the uncaught fatal error was reported again: " + text);
        }
    }

    /** Occurrences of what in text. */
    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aDyingRunLeavesOtherRunsAlone() throws Exception {
        Chan<Integer> go = Chan.make();
        // This thread will wake the other run later: it must count as a thread that uses
        // gort from the start, or the other run is (rightly) judged deadlocked meanwhile.
        Chan.make(1).trySend(0);
        AtomicReference<Throwable> otherFailed = new AtomicReference<>();
        AtomicLong otherSum = new AtomicLong();
        Thread other = new Thread(() -> {
            try {
                Gort.run(() -> {
                    Chan<Integer> c = Chan.make();
                    Gort.go(() -> {
                        for (int i = 1; i <= 1000; i++) {
                            c.send(i);
                        }
                        c.close();
                    });
                    go.recv(); // wait until the first run has died
                    for (Integer v : c) {
                        otherSum.addAndGet(v);
                    }
                });
            } catch (Throwable t) {
                otherFailed.set(t);
            }
        });
        other.start();
        try (StderrCapture err = new StderrCapture()) {
            assertThrows(FatalError.class, () -> Gort.run(() -> {
                throw new RuntimeException("this run dies");
            }));
        }
        go.send(1);
        other.join();
        assertNull(otherFailed.get());
        assertEquals(500500, otherSum.get());
        // and the runtime keeps working for new runs
        AtomicBoolean ran = new AtomicBoolean();
        Gort.run(() -> ran.set(true));
        assertTrue(ran.get());
    }

    @Test
    void runsFromManyThreadsAtOnce() throws Exception {
        int threads = 8;
        AtomicLong total = new AtomicLong();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    for (int r = 0; r < 20; r++) {
                        Gort.run(() -> {
                            Chan<Integer> c = Chan.make();
                            Gort.go(() -> {
                                for (int i = 0; i < 100; i++) {
                                    c.send(1);
                                }
                                c.close();
                            });
                            for (Integer v : c) {
                                total.addAndGet(v);
                            }
                        });
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertNull(failed.get());
        assertEquals(threads * 20 * 100, total.get());
    }

    @Test
    void runInsideAGoroutineParksItAndReportsDeathToIt() {
        AtomicReference<String> inner = new AtomicReference<>();
        try (StderrCapture err = new StderrCapture()) {
            Gort.run(() -> {
                Chan<Integer> c = Chan.make(1);
                Gort.run(() -> c.send(7)); // a nested run
                assertEquals(7, c.recv());
                try {
                    Gort.run(() -> Chan.make().recv()); // a nested run that deadlocks
                } catch (FatalError e) {
                    inner.set(e.getMessage());
                }
            });
        }
        assertEquals(DEADLOCK, inner.get(), "the nested run died; the outer one caught it and returned normally");
    }

    @Test
    void goroutineOutsideAnyRunPanicsWithAReportOnly() throws Exception {
        try (StderrCapture err = new StderrCapture()) {
            Chan<Integer> started = Chan.make();
            Gort.go(() -> {
                started.send(1);
                throw new IllegalArgumentException("no run to kill");
            });
            started.recv();
            waitUntil("the report is printed", () -> err.text().contains("panic: java.lang.IllegalArgumentException: no run to kill"));
        }
        AtomicBoolean ran = new AtomicBoolean();
        Gort.run(() -> ran.set(true));
        assertTrue(ran.get(), "the runtime goes on");
    }

    /** A live plain thread that used gort may still wake a goroutine: no deadlock while it lives. */
    @Test
    void livePlainThreadThatUsedGortPostponesTheDeadlockVerdict() throws Exception {
        Chan<Integer> c = Chan.make();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch used = new CountDownLatch(1);
        Thread helper = new Thread(() -> {
            Chan.make(1).trySend(0); // uses gort: now it counts
            used.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                return;
            }
            c.send(42); // wakes main
        });
        helper.start();
        used.await();
        AtomicLong got = new AtomicLong();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                Gort.run(() -> got.set(c.recv()));
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        long before = deadlockVerdictsPostponed();
        runner.start();
        // Everything is blocked; the watcher must have looked and postponed, not killed.
        waitUntil("the deadlock watcher postponed its verdict for the live thread", () -> deadlockVerdictsPostponed() > before + 1);
        assertNull(failed.get(), "no deadlock while a plain thread that used gort is alive");
        release.countDown();
        runner.join();
        helper.join();
        assertNull(failed.get());
        assertEquals(42, got.get());
    }

    /**
     * A plain thread blocked for good in a gort operation (a send nobody will take) can wake
     * no one: a deadlocked run is reported while it lives.
     */
    @Test
    void aPlainThreadBlockedInGortDoesNotHideADeadlock() throws Exception {
        Chan<Integer> nobody = Chan.make();
        Thread stuck = new Thread(() -> nobody.send(1), "stuck-sender");
        stuck.setDaemon(true);
        stuck.start();
        waitUntil("the plain thread blocked on its send", () -> stuck.getState() == Thread.State.WAITING);
        try (StderrCapture err = new StderrCapture()) {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> Chan.make().recv()));
            assertEquals(DEADLOCK, e.getMessage());
        }
        assertTrue(stuck.isAlive(), "the blocked thread is still there");
        nobody.tryRecv(); // let it go
        stuck.join();
    }

    /** Once every plain thread that used gort has ended, the blocked run dies. */
    @Test
    void deadlockIsReportedOnceTheLastPlainThreadEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread helper = new Thread(() -> {
            Chan.make(1).trySend(0);
            try {
                release.await();
            } catch (InterruptedException ignored) {
                // end
            }
        });
        helper.start();
        try (StderrCapture err = new StderrCapture()) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    Gort.run(() -> Chan.make().recv());
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            long before = deadlockVerdictsPostponed();
            runner.start();
            waitUntil("the watcher postponed its verdict", () -> deadlockVerdictsPostponed() > before);
            assertTrue(runner.isAlive());
            release.countDown(); // the helper ends without waking anyone
            runner.join();
            assertInstanceOf(FatalError.class, failed.get());
            assertEquals(DEADLOCK, failed.get().getMessage());
        }
    }

    /** A thread waiting inside Gort.run can wake no one: it does not postpone a deadlock. */
    @Test
    void threadsWaitingInsideRunDoNotPostponeDeadlock() throws Exception {
        Chan<Integer> never = Chan.make();
        try (StderrCapture err = new StderrCapture()) {
            AtomicReference<Throwable> a = new AtomicReference<>(), b = new AtomicReference<>();
            Thread ta = new Thread(() -> {
                try {
                    Gort.run(never::recv);
                } catch (Throwable t) {
                    a.set(t);
                }
            });
            Thread tb = new Thread(() -> {
                try {
                    Gort.run(never::recv);
                } catch (Throwable t) {
                    b.set(t);
                }
            });
            ta.start();
            tb.start();
            ta.join();
            tb.join();
            assertEquals(DEADLOCK, a.get().getMessage());
            assertEquals(DEADLOCK, b.get().getMessage());
        }
    }

    /** Goroutines asleep in sync are a deadlock too, each shown with Go's wait reason. */
    @Test
    void deadlockInSyncShowsGosWaitReasons() {
        try (StderrCapture err = new StderrCapture()) {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
                Mutex mu = new Mutex();
                mu.lock();
                RWMutex rw = new RWMutex();
                rw.rLock(); // main reads: a writer waits for it, then readers wait for the writer
                Chan<Integer> started = Chan.make(4);
                Gort.go(() -> {
                    started.send(1);
                    mu.lock();
                });
                Gort.go(() -> {
                    started.send(1);
                    rw.lock();
                });
                while (rw.tryRLock()) { // until the writer is pending
                    rw.rUnlock();
                    Gort.gosched();
                }
                Gort.go(() -> {
                    started.send(1);
                    rw.rLock();
                });
                Mutex condLock = new Mutex();
                Cond cond = new Cond(condLock);
                WaitGroup wg = new WaitGroup();
                wg.add(1);
                Gort.go(() -> {
                    condLock.lock();
                    started.send(1);
                    cond.await();
                });
                for (int i = 0; i < 4; i++) {
                    started.recv();
                }
                wg.await();
            }));
            assertEquals(DEADLOCK, e.getMessage());
            String report = err.text();
            for (String reason : new String[] {"sync.WaitGroup.Wait", "sync.Mutex.Lock", "sync.RWMutex.RLock",
                    "sync.RWMutex.Lock", "sync.Cond.Wait"}) {
                assertTrue(report.contains(" [" + reason + "]:\n"), reason + " missing in " + report);
            }
        }
    }
}
