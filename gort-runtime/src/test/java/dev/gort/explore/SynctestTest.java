package dev.gort.explore;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.Panic;
import dev.gort.Select;
import dev.gort.sync.Cond;
import dev.gort.sync.Mutex;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Ticker;
import dev.gort.time.Time;
import dev.gort.time.Timer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Go 1.25's testing/synctest: the tests of Go's own {@code internal/synctest/synctest_test.go}
 * that apply, ported (named after Go's), and gort's additions: an hour of sleeps, await and
 * mutexes, bad input, bubbles in controlled runs. A failing assertion inside a bubble kills
 * the bubble's run, and {@code Synctest.run} on the test's thread throws {@code FatalError}
 * with it as the cause; most values are recorded and checked outside instead.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SynctestTest {
    private static final Instant EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    private static Duration sec(long s) {
        return Duration.ofSeconds(s);
    }

    // ---- time ----

    @Test
    void testNow() {
        List<Instant> seen = Collections.synchronizedList(new ArrayList<>());
        Synctest.run(() -> {
            // Time starts at 2000-1-1 00:00:00.
            seen.add(Time.now());
            // New goroutines see the same fake clock.
            Gort.go(() -> seen.add(Time.now()));
            // Time advances after a sleep.
            Time.sleep(sec(1));
            seen.add(Time.now());
        });
        assertEquals(List.of(EPOCH, EPOCH, EPOCH.plusSeconds(1)), seen);
    }

    /** Comparing times from inside a bubble with ones from outside: a real instant is reached by sleeping to it. */
    @Test
    void testMonotonicClock() {
        Instant start = Time.now();
        assertTrue(start.isAfter(Instant.parse("2020-01-01T00:00:00Z")), "outside a bubble, the wall clock: " + start);
        Object[] got = new Object[3];
        Synctest.run(() -> {
            Time.sleep(Duration.between(Time.now(), start));
            got[0] = Time.now();
            Time.sleep(sec(1));
            got[1] = Time.since(start);
            got[2] = Duration.between(start, Time.now());
        });
        assertEquals(start, got[0]);
        assertEquals(sec(1), got[1]);
        assertEquals(sec(1), got[2]);
    }

    /** An hour of sleeps, in 60 goroutines, finishes in well under a second of real time; the fake time is exact. */
    @Test
    void anHourOfSleepsTakesNoTime() {
        long t0 = System.nanoTime();
        Duration[] elapsed = new Duration[1];
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Synctest.run(() -> {
            Instant start = Time.now();
            WaitGroup wg = new WaitGroup();
            for (int i = 1; i <= 60; i++) {
                int minute = i;
                wg.go(() -> {
                    for (int s = 0; s < 60; s++) {
                        Time.sleep(Duration.ofMinutes(minute).dividedBy(60)); // minute seconds, 60 times
                    }
                    order.add(minute + "m@" + Duration.between(start, Time.now()));
                });
            }
            wg.await();
            elapsed[0] = Time.since(start);
        });
        long realMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Duration.ofHours(1), elapsed[0]);
        assertEquals(60, order.size());
        for (int i = 1; i <= 60; i++) {
            assertEquals(i + "m@" + Duration.ofMinutes(i), order.get(i - 1), "goroutine i wakes at minute i, in order");
        }
        assertTrue(realMs < 10_000, "an hour of fake time took " + realMs + " ms of real time");
    }

    @Test
    void tickerTicksOnTheFakeClock() {
        List<Instant> ticks = new ArrayList<>();
        Synctest.run(() -> {
            Ticker t = Ticker.newTicker(Duration.ofMillis(250));
            for (int i = 0; i < 4; i++) {
                ticks.add(t.c().recv());
            }
            t.stop();
        });
        assertEquals(List.of(EPOCH.plusMillis(250), EPOCH.plusMillis(500), EPOCH.plusMillis(750), EPOCH.plusMillis(1000)),
                ticks);
    }

    // ---- Run and Wait ----

    @Test
    void testRunEmpty() {
        Synctest.run(() -> {});
    }

    @Test
    void testSimpleWait() {
        Synctest.run(Synctest::await);
    }

    @Test
    void testGoroutineWait() {
        Synctest.run(() -> {
            Gort.go(() -> {});
            Synctest.await();
        });
    }

    /** A chain of 100 goroutines handing a count down: await returns once the last one has finished. */
    @Test
    void testWait() {
        boolean[] done = new boolean[1];
        Synctest.run(() -> {
            Chan<Integer> ch = Chan.make();
            Runnable[] f = new Runnable[1];
            f[0] = () -> {
                int count = ch.recv();
                if (count == 0) {
                    done[0] = true;
                } else {
                    Gort.go(f[0]);
                    ch.send(count - 1);
                }
            };
            Gort.go(f[0]);
            ch.send(100);
            Synctest.await();
            if (!done[0]) {
                throw new AssertionError("done = false, want true");
            }
        });
        assertTrue(done[0]);
    }

    /** Go's synctest.Run from a goroutine: the goroutine is the root, and parks. */
    @Test
    void runFromAGoroutine() {
        Instant[] t = new Instant[2];
        Gort.run(() -> {
            t[0] = Time.now();
            Synctest.run(() -> Time.sleep(Duration.ofDays(1)));
            t[1] = Time.now();
        });
        assertTrue(t[0].isAfter(Instant.parse("2020-01-01T00:00:00Z")), t[0].toString());
        assertTrue(Duration.between(t[0], t[1]).compareTo(Duration.ofMinutes(1)) < 0, "outside, real time: " + t[1]);
    }

    /**
     * await waits for goroutines blocked on a mutex (not durable): the mutex is released from
     * outside the bubble, long after; await returns only once the goroutine got it.
     */
    @Test
    void awaitWaitsForAGoroutineBlockedOnAMutex() {
        Mutex mu = new Mutex();
        mu.lock(); // held by this thread, outside the bubble
        Gort.go(() -> { // outside the bubble: unlock after a while of real time
            Time.sleep(Duration.ofMillis(100));
            mu.unlock();
        });
        boolean[] got = new boolean[2];
        Synctest.run(() -> {
            Chan<Boolean> block = Chan.make();
            Gort.go(() -> {
                mu.lock(); // non-durable: the bubble cannot be idle while this waits
                got[0] = true;
                mu.unlock();
                block.recv(); // durable
            });
            Synctest.await();
            got[1] = got[0];
            block.close();
        });
        assertTrue(got[1], "await returned while a goroutine of the bubble waited for a mutex");
    }

    /** Durably blocked goroutines of a bubble show the durable wait reasons (Go 1.26's), and the waiter its own. */
    @Test
    void durableWaitReasons() {
        String[] stacks = new String[1];
        Synctest.run(() -> {
            Chan<Integer> a = Chan.make();
            Chan<Integer> b = Chan.make();
            Chan<Integer> c = Chan.make();
            Chan<Integer> d = Chan.make();
            Gort.go(() -> a.recv());
            Gort.go(() -> b.send(1));
            Gort.go(() -> Select.select(Select.recv(c, v -> {}), Select.recv(d, v -> {})));
            Synctest.await();
            stacks[0] = Gort.stack(true);
            a.close();
            b.recv();
            c.close();
        });
        for (String want : List.of("[chan receive (durable)", "[chan send (durable)", "[select (durable)")) {
            assertTrue(stacks[0].contains(want), want + " in:\n" + stacks[0]);
        }
    }

    // ---- timers ----

    @Test
    void testTimerReadBeforeDeadline() {
        Duration[] got = new Duration[1];
        Synctest.run(() -> {
            Instant start = Time.now();
            Timer tm = Timer.newTimer(sec(5));
            tm.c().recv();
            got[0] = Time.since(start);
        });
        assertEquals(sec(5), got[0]);
    }

    @Test
    void testTimerReadAfterDeadline() {
        Instant[] got = new Instant[2];
        Synctest.run(() -> {
            Duration delay = sec(1);
            got[1] = Time.now().plus(delay);
            Timer tm = Timer.newTimer(delay);
            Time.sleep(delay.multipliedBy(2));
            got[0] = tm.c().recv();
        });
        assertEquals(got[1], got[0], "the time the timer fired, not when it was read");
    }

    @Test
    void testTimerReset() {
        List<Instant> got = new ArrayList<>();
        Synctest.run(() -> {
            Timer tm = Timer.newTimer(sec(1));
            got.add(tm.c().recv());
            tm.reset(sec(2));
            got.add(tm.c().recv());
            tm.reset(sec(3));
            Time.sleep(sec(1));
            tm.reset(sec(3));
            got.add(tm.c().recv());
        });
        assertEquals(List.of(EPOCH.plusSeconds(1), EPOCH.plusSeconds(1 + 2), EPOCH.plusSeconds(1 + 2 + 4)), got);
    }

    /** AfterFunc's goroutine is in the bubble: so is the goroutine it starts, whose sleep is fake. */
    @Test
    void testTimeAfter() {
        AtomicInteger i = new AtomicInteger();
        int[] got = new int[1];
        Synctest.run(() -> {
            Time.afterFunc(sec(1), () -> {
                i.incrementAndGet(); // 1
                Gort.go(() -> {
                    Time.sleep(sec(1));
                    i.incrementAndGet(); // 2
                });
            });
            Time.sleep(sec(3));
            Synctest.await();
            got[0] = i.get();
        });
        assertEquals(2, got[0]);
    }

    /** Time stops when the main goroutine of the bubble exits: a pending AfterFunc never runs. */
    @Test
    void testTimerAfterBubbleExit() {
        AtomicBoolean ran = new AtomicBoolean();
        Synctest.run(() -> Time.afterFunc(sec(1), () -> ran.set(true)));
        assertFalse(ran.get(), "timer ran before bubble exit");
    }

    /** A real timer read inside a bubble is not durable: the bubble waits for it in real time. */
    @Test
    void testTimerFromOutsideBubble() {
        Timer tm = Timer.newTimer(Duration.ofMillis(10));
        Instant[] got = new Instant[1];
        Synctest.run(() -> got[0] = tm.c().recv());
        assertFalse(tm.stop(), "synctest.Run unexpectedly returned before timer fired");
        assertTrue(got[0].isAfter(Instant.parse("2020-01-01T00:00:00Z")), "a real timer sends the real time: " + got[0]);
    }

    /** A zero-duration timer sends on its channel without waiting for the bubble to block. */
    @Test
    void testTimerRunsImmediately() {
        Object[] got = new Object[1];
        Synctest.run(() -> {
            Timer tm = Timer.newTimer(Duration.ZERO);
            got[0] = tm.c().tryRecv().ok() ? "ready" : "not readable";
        });
        assertEquals("ready", got[0]);
    }

    @Test
    void testTimerRanInPast() {
        Object[] got = new Object[1];
        Synctest.run(() -> {
            Instant want = Time.now().plusSeconds(1);
            Timer tm = Timer.newTimer(sec(1));
            Time.sleep(sec(2));
            var r = tm.c().tryRecv();
            got[0] = r.ok() ? (r.value().equals(want) ? "ok" : "got " + r.value()) : "not readable";
        });
        assertEquals("ok", got[0]);
    }

    /** A zero-duration AfterFunc starts its goroutine at once: the caller's busy loop (not blocked) sees it run. */
    @Test
    void testAfterFuncRunsImmediately() {
        Synctest.run(() -> {
            AtomicBoolean b = new AtomicBoolean();
            Time.afterFunc(Duration.ZERO, () -> b.set(true));
            while (!b.get()) {
                Gort.gosched();
            }
        });
    }

    /** Go issue 76052: Reset(0) of a timer a goroutine selects on must not hang the bubble. */
    @Test
    void testTimerResetZeroDoNotHang() {
        Synctest.run(() -> {
            Timer timer = Timer.newTimer(Duration.ZERO);
            Chan<Boolean> done = Chan.make();
            Gort.go(() -> {
                for (;;) {
                    if (Select.choose(Select.recv(done, null), Select.recv(timer.c(), null)).index() == 0) {
                        return;
                    }
                }
            });
            Synctest.await();
            timer.reset(Duration.ZERO);
            Synctest.await();
            done.close();
            Synctest.await();
        });
    }

    // ---- deadlocks ----

    @Test
    void testDeadlockRoot() {
        Panic p = assertThrows(Panic.class, () -> Synctest.run(() -> Select.select()));
        assertEquals("deadlock: all goroutines in bubble are blocked", p.getMessage());
    }

    @Test
    void testDeadlockChild() {
        Panic p = assertThrows(Panic.class, () -> Synctest.run(() -> Gort.go(() -> Chan.make().recv())));
        assertEquals("deadlock: main bubble goroutine has exited but blocked goroutines remain", p.getMessage());
    }

    @Test
    void testDeadlockTicker() {
        AtomicBoolean ticked = new AtomicBoolean();
        Panic p = assertThrows(Panic.class, () -> Synctest.run(() -> Gort.go(() -> {
            Ticker t = Ticker.newTicker(sec(1));
            t.c().recv();
            ticked.set(true);
        })));
        assertEquals("deadlock: main bubble goroutine has exited but blocked goroutines remain", p.getMessage());
        assertFalse(ticked.get(), "ticker unexpectedly ran");
    }

    /** A select over channels of the bubble only is durable (deadlock); a WaitGroup of the bubble too; a Cond too. */
    @Test
    void durableBlockingDeadlocks() {
        Panic p = assertThrows(Panic.class, () -> Synctest.run(() -> {
            Chan<Integer> a = Chan.make();
            Chan<Integer> b = Chan.make(1);
            b.send(1);
            Select.select(Select.recv(a, v -> {}), Select.send(b, 2, () -> {}));
        }));
        assertEquals("deadlock: all goroutines in bubble are blocked", p.getMessage());
        p = assertThrows(Panic.class, () -> Synctest.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            wg.await();
        }));
        assertEquals("deadlock: all goroutines in bubble are blocked", p.getMessage());
        p = assertThrows(Panic.class, () -> Synctest.run(() -> {
            Mutex mu = new Mutex();
            Cond c = new Cond(mu);
            mu.lock();
            c.await();
        }));
        assertEquals("deadlock: all goroutines in bubble are blocked", p.getMessage());
    }

    /** An unrecovered deadlock panic in a run reports the bubble's goroutines too (Go's dopanic_m). */
    @Test
    void anUnrecoveredDeadlockKillsTheRun() {
        FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> Synctest.run(() -> Chan.make().recv())));
        assertInstanceOf(Panic.class, e.getCause());
        assertEquals("deadlock: all goroutines in bubble are blocked", e.getCause().getMessage());
    }

    // ---- channels and timers across the bubble's edge ----

    /**
     * A bubble goroutine blocked on a channel made outside is not durably blocked: the
     * bubble waits for the outside (a real timer) instead of reporting a deadlock.
     */
    @Test
    void testChannelFromOutsideBubble() {
        Chan<Object> choutside = Chan.make();
        record Case(String desc, Consumer<Chan<Integer>> outside, Consumer<Chan<Integer>> inside) {}
        for (Case test : List.of(
                new Case("read closed", Chan::close, Chan::recv),
                new Case("read value", ch -> ch.send(0), Chan::recv),
                new Case("write value", Chan::recv, ch -> ch.send(0)),
                new Case("select outside only", Chan::close,
                        ch -> Select.select(Select.recv(ch, v -> {}), Select.recv(choutside, v -> {}))),
                new Case("select mixed", Chan::close, ch -> {
                    Chan<Object> ch2 = Chan.make();
                    Select.select(Select.recv(ch, v -> {}), Select.recv(ch2, v -> {}));
                }))) {
            Chan<Integer> ch = Chan.make();
            Time.afterFunc(Duration.ofMillis(1), () -> test.outside().accept(ch));
            assertDoesNotThrow(() -> Synctest.run(() -> test.inside().accept(ch)), test.desc());
        }
    }

    private static final List<String> MOVED = List.of("receive", "send", "close");

    private static void use(String op, Chan<Object> ch) {
        switch (op) {
            case "receive" -> ch.recv();
            case "send" -> ch.send(new Object());
            default -> ch.close();
        }
    }

    private static String fatalOf(String op) {
        return switch (op) {
            case "receive" -> "receive on synctest channel from outside bubble";
            case "send" -> "send on synctest channel from outside bubble";
            default -> "close of synctest channel from outside bubble";
        };
    }

    /** A bubble's channel used by a goroutine outside any bubble, or in another bubble: Go's fatal error, which kills that run. */
    @Test
    void testChannelMovedOutOfBubble() {
        for (String op : MOVED) {
            FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> {
                Chan<Object> donec = Chan.make();
                Chan<Chan<Object>> ch = Chan.make();
                Gort.go(() -> {
                    use(op, ch.recv());
                    donec.close();
                });
                Synctest.run(() -> ch.send(Chan.make()));
                donec.recv();
            }), "outside_bubble " + op);
            assertEquals(fatalOf(op), e.getMessage(), "outside_bubble");
            e = assertThrows(FatalError.class, () -> Gort.run(() -> {
                Chan<Object> donec = Chan.make();
                Chan<Chan<Object>> ch = Chan.make();
                Gort.go(() -> {
                    Chan<Object> c = ch.recv();
                    Synctest.run(() -> use(op, c));
                    donec.close();
                });
                Synctest.run(() -> ch.send(Chan.make()));
                donec.recv();
            }), "different_bubble " + op);
            assertEquals(fatalOf(op), e.getMessage(), "different_bubble");
        }
    }

    /** On a plain thread Go's fatal error is thrown (there is no run to kill); a select says so too. */
    @Test
    void aBubblesChannelOnAPlainThread() {
        AtomicReference<Chan<Object>> leaked = new AtomicReference<>();
        Synctest.run(() -> leaked.set(Chan.make(1)));
        Chan<Object> c = leaked.get();
        for (String op : MOVED) {
            FatalError e = assertThrows(FatalError.class, () -> use(op, c));
            assertEquals(fatalOf(op), e.getMessage());
        }
        FatalError e = assertThrows(FatalError.class,
                () -> Select.select(Select.recv(c, v -> {}), Select.recv(Chan.make(), v -> {}), Select.otherwise(() -> {})));
        assertEquals("select on synctest channel from outside bubble", e.getMessage());
    }

    /** A bubble's timer used outside any bubble: Go's fatal errors. */
    @Test
    void testTimerFromInsideBubble() {
        AtomicReference<Timer> leaked = new AtomicReference<>();
        Synctest.run(() -> leaked.set(Timer.newTimer(sec(1))));
        Timer tm = leaked.get();
        FatalError e = assertThrows(FatalError.class, () -> tm.c().recv());
        assertEquals("receive on synctest channel from outside bubble", e.getMessage());
        e = assertThrows(FatalError.class, () -> tm.reset(sec(1)));
        assertEquals("reset of synctest timer from outside bubble", e.getMessage());
        e = assertThrows(FatalError.class, tm::stop);
        assertEquals("stop of synctest timer from outside bubble", e.getMessage());
        // In a goroutine of a run, the fatal error kills the run.
        e = assertThrows(FatalError.class, () -> Gort.run(tm::stop));
        assertEquals("stop of synctest timer from outside bubble", e.getMessage());
    }

    /** A Cond waiter of a bubble signalled from outside: Go's fatal error. */
    @Test
    void aCondWaiterWokenFromOutside() {
        Mutex mu = new Mutex();
        Cond c = new Cond(mu);
        Chan<Object> waiting = Chan.make();
        AtomicReference<Throwable> outside = new AtomicReference<>();
        Gort.go(() -> { // outside the bubble: signal once the waiter is durably blocked
            waiting.recv();
            try {
                mu.lock();
                mu.unlock();
                c.signal();
            } catch (Throwable t) {
                outside.set(t);
            }
        });
        Panic p = assertThrows(Panic.class, () -> Synctest.run(() -> {
            Gort.go(() -> {
                mu.lock();
                c.await();
                mu.unlock();
            });
            Synctest.await(); // the waiter is parked in Cond.await (durable)
            waiting.send(true); // an outside channel: not durable until the other side took it
        }));
        // The waiter is never woken; the bubble deadlocks, and the outside goroutine (of no
        // run) had the fatal error.
        assertEquals("deadlock: main bubble goroutine has exited but blocked goroutines remain", p.getMessage());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (outside.get() == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertInstanceOf(FatalError.class, outside.get());
        assertEquals("semaphore wake of synctest goroutine from outside bubble", outside.get().getMessage());
    }

    // ---- sync ----

    @Test
    void testCond() {
        Duration[] got = new Duration[2];
        boolean[] waiterDone = new boolean[2];
        Synctest.run(() -> {
            Mutex mu = new Mutex();
            Cond cond = new Cond(mu);
            Instant start = Time.now();
            Duration waitTime = Duration.ofMillis(1);
            Gort.go(() -> {
                // Signal the cond.
                Time.sleep(waitTime);
                mu.lock();
                cond.signal();
                mu.unlock();
                // Broadcast to the cond.
                Time.sleep(waitTime);
                mu.lock();
                cond.broadcast();
                mu.unlock();
            });
            // Wait for cond.Signal.
            mu.lock();
            cond.await();
            mu.unlock();
            got[0] = Time.since(start);
            // Wait for cond.Broadcast in two goroutines.
            Gort.go(() -> {
                mu.lock();
                cond.await();
                mu.unlock();
                waiterDone[0] = true;
            });
            mu.lock();
            cond.await();
            mu.unlock();
            Synctest.await();
            waiterDone[1] = waiterDone[0];
            got[1] = Time.since(start);
        });
        assertEquals(Duration.ofMillis(1), got[0]);
        assertTrue(waiterDone[1], "after cond.Broadcast: waiter not done");
        assertEquals(Duration.ofMillis(2), got[1]);
    }

    @Test
    void testWaitGroupInBubble() {
        Duration[] got = new Duration[1];
        Synctest.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            Duration delay = sec(1);
            Gort.go(() -> {
                Time.sleep(delay);
                wg.done();
            });
            Instant start = Time.now();
            wg.await();
            got[0] = Time.since(start);
        });
        assertEquals(sec(1), got[0]);
    }

    /** Go issue 74386. */
    @Test
    void testWaitGroupRacingAdds() {
        Synctest.run(() -> {
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 100; i++) {
                wg.go(() -> {});
            }
            wg.await();
        });
    }

    /**
     * Add was called outside the bubble, so Wait inside it is not durable and waits for the
     * outside Done (were it durable, the bubble would report a deadlock at once).
     */
    @Test
    void testWaitGroupOutOfBubble() {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        Chan<Object> donec = Chan.make(1);
        AtomicBoolean after = new AtomicBoolean();
        Gort.go(() -> {
            try {
                Synctest.run(wg::await);
                donec.send(after.get() ? "ok" : "synctest.Run finished before WaitGroup.Done called");
            } catch (Throwable t) {
                donec.send(t);
            }
        });
        Time.sleep(Duration.ofMillis(20)); // real time: a durable Wait would have deadlocked the bubble by now
        after.set(true);
        wg.done();
        assertEquals("ok", donec.recv());
    }

    /** A WaitGroup of a bubble used outside it while it counts: Go's fatal error. */
    @Test
    void testWaitGroupMovedOutOfBubble() {
        AtomicReference<WaitGroup> leaked = new AtomicReference<>();
        Synctest.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            leaked.set(wg);
        });
        FatalError e = assertThrows(FatalError.class, () -> leaked.get().add(1));
        assertEquals("sync: WaitGroup.Add called from inside and outside synctest bubble", e.getMessage());
    }

    /** Go's fatal error in a goroutine of the second bubble kills its run: Synctest.run throws it (on a plain thread). */
    @Test
    void testWaitGroupMovedBetweenBubblesWithNonZeroCount() {
        AtomicReference<WaitGroup> leaked = new AtomicReference<>();
        Synctest.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            leaked.set(wg);
        });
        FatalError e = assertThrows(FatalError.class, () -> Synctest.run(() -> leaked.get().add(1)));
        assertEquals("sync: WaitGroup.Add called from multiple synctest bubbles", e.getMessage());
    }

    /** Count and waiters 0: Wait disassociates the WaitGroup, which another bubble may then use. */
    @Test
    void testWaitGroupDisassociateInWait() {
        AtomicReference<WaitGroup> wg = new AtomicReference<>();
        Synctest.run(() -> {
            wg.set(new WaitGroup());
            wg.get().add(1);
            wg.get().done();
            wg.get().await();
        });
        Synctest.run(() -> {
            // Reusing the WaitGroup is safe, because it is no longer bubbled; and its Wait
            // is durable in the new bubble (no deadlock: the sleeper's Done ends it).
            wg.get().add(1);
            Gort.go(() -> {
                Time.sleep(sec(1));
                wg.get().done();
            });
            wg.get().await();
        });
        wg.get().add(1); // and outside, once idle again
        wg.get().done();
    }

    /** Count 0 and waiters: Done wakes them and disassociates the WaitGroup. */
    @Test
    void testWaitGroupDisassociateInAdd() {
        AtomicReference<WaitGroup> wg = new AtomicReference<>();
        Synctest.run(() -> {
            wg.set(new WaitGroup());
            wg.get().add(1);
            Gort.go(wg.get()::await);
            Synctest.await(); // wait for Wait to block
            wg.get().done();
        });
        Synctest.run(() -> {
            wg.get().add(1);
            wg.get().done();
        });
    }

    /** Go issue 75134: many racing bubbles. */
    @Test
    void testWaitGroupManyBubbles() {
        WaitGroup wg = new WaitGroup();
        AtomicInteger ok = new AtomicInteger();
        for (int i = 0; i < 20; i++) {
            wg.go(() -> Synctest.run(() -> {
                Chan<Object> cancelc = Chan.make();
                WaitGroup wg2 = new WaitGroup();
                for (int j = 0; j < 50; j++) {
                    wg2.go(cancelc::recv);
                }
                Synctest.await();
                cancelc.close();
                wg2.await();
                ok.incrementAndGet();
            }));
        }
        wg.await();
        assertEquals(20, ok.get());
    }

    // ---- happens-before, await's errors, nesting, bad input ----

    /** Plain fields written by goroutines of the bubble are seen after await and after run returns. */
    @Test
    void testHappensBefore() {
        int[] v = new int[2];
        Synctest.run(() -> {
            v[0]++; // 1
            v[1]++; // 1
            // Wait returns after these goroutines exit.
            Gort.go(() -> v[0]++); // 2
            Gort.go(() -> v[1]++); // 2
            Synctest.await();
            v[0]++; // 3
            v[1]++; // 3
            // Wait returns after these goroutines block.
            Chan<Object> ch1 = Chan.make();
            Gort.go(() -> {
                v[0]++; // 4
                ch1.recv();
            });
            Gort.go(() -> {
                v[1]++; // 4
                ch1.recv();
            });
            Synctest.await();
            v[0]++; // 5
            v[1]++; // 5
            ch1.close();
            // Wait returns after these timers run.
            Time.afterFunc(Duration.ZERO, () -> v[0]++); // 6
            Time.afterFunc(Duration.ZERO, () -> v[1]++); // 6
            Synctest.await();
            v[0]++; // 7
            v[1]++; // 7
            // Wait returns after these timer goroutines block.
            Chan<Object> ch2 = Chan.make();
            Time.afterFunc(Duration.ZERO, () -> {
                v[0]++; // 8
                ch2.recv();
            });
            Time.afterFunc(Duration.ZERO, () -> {
                v[1]++; // 8
                ch2.recv();
            });
            Synctest.await();
            v[0]++; // 9
            v[1]++; // 9
            ch2.close();
        });
        // This Run happens after the previous Run returns.
        Synctest.run(() -> {
            Gort.go(() -> Gort.go(() -> v[0]++)); // 10
            Gort.go(() -> Gort.go(() -> v[1]++)); // 10
        });
        assertEquals(10, v[0]);
        assertEquals(10, v[1]);
    }

    @Test
    void testWaitFromOutsideBubble() {
        Panic p = assertThrows(Panic.class, Synctest::await);
        assertEquals("goroutine is not in a bubble", p.getMessage());
        String[] got = new String[1];
        Gort.run(() -> {
            try {
                Synctest.await();
            } catch (Panic e) {
                got[0] = e.getMessage();
            }
        });
        assertEquals("goroutine is not in a bubble", got[0]);
    }

    /** Two goroutines of a bubble in await at once: the second panics. */
    @Test
    void concurrentAwaitsPanic() {
        String[] got = new String[1];
        Synctest.run(() -> {
            Mutex mu = new Mutex();
            mu.lock();
            Gort.go(() -> { // blocked on a mutex (not durable): the bubble stays active
                mu.lock();
                mu.unlock();
            });
            Gort.go(Synctest::await); // waits: the goroutine above is not durably blocked
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Gort.stack(true).contains("[synctest.Wait") && System.nanoTime() < deadline) {
                Gort.gosched();
            }
            try {
                Synctest.await();
                got[0] = "no panic";
            } catch (Panic e) {
                got[0] = e.getMessage();
            }
            mu.unlock();
        });
        assertEquals("wait already in progress", got[0]);
    }

    @Test
    void nestedRunPanics() {
        String[] got = new String[1];
        Synctest.run(() -> {
            try {
                Synctest.run(() -> {});
                got[0] = "no panic";
            } catch (Panic e) {
                got[0] = e.getMessage();
            }
        });
        assertEquals("synctest.Run called from within a synctest bubble", got[0]);
    }

    @Test
    void badInput() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Synctest.run(null));
        assertEquals("go of nil func value", e.getMessage());
        assertThrows(NullPointerException.class, () -> Time.since(null));
    }

    /** An exception escaping a goroutine of the bubble kills the bubble's run: on a plain thread, run throws FatalError. */
    @Test
    void anUncaughtExceptionInTheBubble() {
        FatalError e = assertThrows(FatalError.class, () -> Synctest.run(() -> {
            throw new IllegalStateException("boom");
        }));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("boom", e.getCause().getMessage());
    }

    /** The README's example. */
    @Test
    void theReadmesExample() {
        Synctest.run(() -> {
            Chan<String> evicted = Chan.make(1);
            Gort.go(() -> {                                    // the code under test
                Time.sleep(Duration.ofSeconds(5));
                evicted.send("key");
            });
            Time.sleep(Duration.ofSeconds(5).minusNanos(1));    // returns at once
            Synctest.await();                                   // the evictor sleeps: nothing else can happen
            assertEquals(0, evicted.len());
            Time.sleep(Duration.ofNanos(1));
            Synctest.await();                                   // the evictor has sent and exited
            assertEquals("key", evicted.recv());
            assertEquals(Instant.parse("2000-01-01T00:00:05Z"), Time.now());
        });
        // ... and a failing assertion inside the bubble fails the test.
        FatalError e = assertThrows(FatalError.class, () -> Synctest.run(() -> assertEquals(1, 2)));
        assertInstanceOf(AssertionError.class, e.getCause());
    }

    // ---- controlled runs ----

    /** A bubble inside a controlled run: its own clock from 2000-01-01, exact; every schedule passes. */
    @Test
    void aBubbleInsideAControlledRun() {
        Explore.Result r = Explore.run(Explore.random().iterations(50).seed(3), () -> {
            Instant[] end = new Instant[1];
            Synctest.run(() -> {
                Chan<Integer> c = Chan.make();
                for (int i = 1; i <= 3; i++) {
                    int n = i;
                    Gort.go(() -> {
                        Time.sleep(Duration.ofMinutes(n));
                        c.send(n);
                    });
                }
                int sum = 0;
                for (int i = 0; i < 3; i++) {
                    sum += c.recv();
                }
                Synctest.await();
                if (sum != 6) {
                    throw new AssertionError("sum " + sum);
                }
                end[0] = Time.now();
            });
            if (!end[0].equals(EPOCH.plus(Duration.ofMinutes(3)))) {
                throw new AssertionError("end " + end[0]);
            }
        });
        assertFalse(r.failed(), r.toString());
        assertEquals(50, r.iterations());
    }

    @Test
    void aDeadlockedBubbleFailsTheControlledRun() {
        Explore.Result r = Explore.run(Explore.random().iterations(5).seed(3),
                () -> Synctest.run(() -> Gort.go(() -> Chan.make().recv())));
        assertTrue(r.failed(), r.toString());
        assertInstanceOf(Panic.class, r.failure());
        assertEquals("deadlock: main bubble goroutine has exited but blocked goroutines remain", r.failure().getMessage());
    }
}
