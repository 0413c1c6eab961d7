package dev.gort.explore;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.Panic;
import dev.gort.sync.Mutex;
import dev.gort.time.Time;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** What fails a controlled run, and the errors for bad input. */
class ExploreFailuresTest {

    private static Explore.Config once() {
        return Explore.random().iterations(1).seed(11);
    }

    @Test
    void anUncaughtThrowableIsTheFailureItself() {
        RuntimeException boom = new UnsupportedOperationException("boom");
        Explore.Result r = Explore.run(once(), () -> {
            Chan<Integer> c = Chan.make();
            Gort.go(() -> {
                c.send(1);
                throw boom;
            });
            c.recv();
            Time.sleep(Duration.ofSeconds(1));
        });
        assertTrue(r.failed());
        assertSame(boom, r.failure());
        assertEquals(1, r.iterations());
    }

    @Test
    void aPanicInMain() {
        Explore.Result r = Explore.run(once(), () -> {
            throw new Panic("main panics");
        });
        assertInstanceOf(Panic.class, r.failure());
        Panic p = assertThrows(Panic.class, () -> Explore.replay(r.schedule(), () -> {
            throw new Panic("main panics");
        }));
        assertEquals(r.failure().getMessage(), p.getMessage());
    }

    @Test
    void aDeadlockIsGosFatalError() {
        Explore.Result r = Explore.run(once(), () -> {
            Chan<Integer> c = Chan.make();
            Gort.go(() -> c.send(1));
            Gort.go(() -> c.send(2));
            c.recv(); // the second sender blocks for ever, then main: deadlock
            c.recv();
            c.recv();
        });
        assertInstanceOf(FatalError.class, r.failure());
        assertEquals("all goroutines are asleep - deadlock!", r.failure().getMessage());
    }

    @Test
    void mainGoexitWithNothingLeft() {
        Explore.Result r = Explore.run(once(), () -> {
            Gort.go(() -> Gort.gosched());
            Gort.goexit();
        });
        assertInstanceOf(FatalError.class, r.failure());
        assertEquals("no goroutines (main called runtime.Goexit) - deadlock!", r.failure().getMessage());
    }

    @Test
    void aFatalErrorOfSync() {
        Explore.Result r = Explore.run(once(), () -> new Mutex().unlock());
        assertInstanceOf(FatalError.class, r.failure());
        assertEquals("sync: unlock of unlocked mutex", r.failure().getMessage());
    }

    @Test
    void aLivelockExceedsMaxSteps() {
        Explore.Result r = Explore.run(once().maxSteps(500), () -> {
            boolean[] stop = {false};
            Gort.go(() -> {
                while (!stop[0]) {
                    Gort.gosched();
                }
            });
            while (!stop[0]) {
                Gort.gosched(); // nobody ever sets stop
            }
        });
        assertInstanceOf(Explore.ScheduleFailure.class, r.failure());
        assertInstanceOf(AssertionError.class, r.failure());
        assertTrue(r.failure().getMessage().startsWith("maxSteps exceeded: the run took more than 500 steps"),
                r.failure().getMessage());
        Explore.ScheduleFailure again = assertThrows(Explore.ScheduleFailure.class,
                () -> Explore.replay(r.schedule(), () -> {
                    for (;;) {
                        Gort.gosched();
                    }
                }));
        assertEquals(r.failure().getMessage(), again.getMessage());
    }

    @Test
    void goroutinesBlockedAfterMainReturnedAreALeak() {
        Explore.Result r = Explore.run(once(), () -> {
            Chan<Integer> never = Chan.make();
            Gort.go(() -> never.recv());
            Gort.go(() -> Time.sleep(Duration.ofHours(1)));
            Gort.go(() -> { }); // exits: not a leak
        });
        assertInstanceOf(Explore.ScheduleFailure.class, r.failure());
        assertEquals("goroutine leak: 2 goroutines blocked after main returned: goroutine 2 [chan receive],"
                + " goroutine 3 [sleep]", r.failure().getMessage());
    }

    @Test
    void aRunThatEndsCleanlyPasses() {
        Explore.Result r = Explore.run(Explore.random().iterations(50).seed(2), () -> {
            Chan<Integer> c = Chan.make();
            Gort.go(() -> c.send(1));
            assertEquals(1, c.recv());
            assertEquals(1, Gort.goid());
        });
        assertFalse(r.failed(), r.toString());
        assertEquals(50, r.iterations());
    }

    /** A controlled goroutine waking a plain thread blocked on the run's channel: the run is not under control. */
    @Test
    void aPlainThreadOnTheRunsChannelIsUncontrolled() throws Exception {
        Chan<Integer> shared = Chan.make();
        Thread t = new Thread(() -> shared.recv(), "plain-receiver");
        t.setDaemon(true);
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "the plain thread blocks on the channel");
            Thread.sleep(1);
        }
        Explore.Result r = Explore.run(once(), () -> shared.send(1));
        assertInstanceOf(Explore.ScheduleFailure.class, r.failure());
        assertEquals("uncontrolled concurrency: the controlled run woke thread \"plain-receiver\", blocked"
                + " [chan receive] on one of its channels or locks", r.failure().getMessage());
        t.join(30_000);
        assertFalse(t.isAlive(), "the plain thread got its value");
    }

    /** A plain thread waking a goroutine of the run: the run is not under control. */
    @Test
    void aPlainThreadWakingTheRunIsUncontrolled() throws InterruptedException {
        List<Chan<Integer>> chan = new ArrayList<>();
        List<Thread> sender = new ArrayList<>();
        Explore.Result r = Explore.run(once().maxSteps(Integer.MAX_VALUE), () -> {
            Chan<Integer> c = Chan.make();
            boolean[] got = {false};
            Gort.go(() -> {
                while (!got[0]) {
                    Gort.gosched(); // keeps the run going while the plain thread sends
                }
            });
            Thread t = new Thread(() -> c.send(1), "plain-sender");
            t.setDaemon(true);
            chan.add(c);
            sender.add(t);
            t.start();
            c.recv();
            got[0] = true;
        });
        assertInstanceOf(Explore.ScheduleFailure.class, r.failure());
        // Seen first: the thread's send on the run's channel (it is the run's: made by main).
        assertEquals("uncontrolled concurrency: thread \"plain-sender\" sent on a channel of the controlled run",
                r.failure().getMessage());
        // The run may end (failed) before main received: the sender would stay parked in its
        // send for good, and a live plain thread keeps checkdead from judging any later run
        // of this JVM. Take its value from a thread of its own, until it has returned.
        Thread t = sender.get(0);
        Thread drain = new Thread(() -> {
            while (t.isAlive()) {
                chan.get(0).tryRecv();
                Thread.yield();
            }
        }, "drain");
        drain.setDaemon(true);
        drain.start();
        t.join(30_000);
        drain.join(30_000);
        assertFalse(t.isAlive() || drain.isAlive(), "the plain sender returned");
    }

    @Test
    void badInput() {
        assertEquals("pct depth must be at least 1 (the number of orderings the bug needs), got 0",
                assertThrows(IllegalArgumentException.class, () -> Explore.pct(0)).getMessage());
        assertEquals("exhaustive preemption bound must be at least 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> Explore.exhaustive(-1)).getMessage());
        assertEquals("iterations must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> Explore.random().iterations(0)).getMessage());
        assertEquals("maxSteps must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> Explore.random().maxSteps(0)).getMessage());
        assertEquals("gomaxprocs must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> Explore.random().gomaxprocs(0)).getMessage());
        assertThrows(NullPointerException.class, () -> Explore.run(null, () -> { }));
        assertThrows(NullPointerException.class, () -> Explore.run(Explore.random(), null));
    }

    @Test
    void badTokens() {
        Runnable nop = () -> { };
        String good = new Schedule("random", 0x1234, 1000, 0, 0).token();
        assertEquals("gort1:random:seed=0000000000001234:maxSteps=1000:check=" + good.substring(good.length() - 8), good);
        Explore.replay(good, nop); // a passing run: returns
        assertMessage("schedule token is null", null);
        assertMessage("not a gort schedule token (it should begin with \"gort1:\"): \"hello\"", "hello");
        assertMessage("schedule token version \"gort2\" is not supported (this gort reads gort1)",
                "gort2:random:seed=1:check=00000000");
        assertMessage("schedule token has no check field (truncated?): \"gort1:random:seed=0000000000001234\"",
                "gort1:random:seed=0000000000001234");
        String edited = good.replace("seed=0000000000001234", "seed=0000000000001235");
        assertTrue(message(edited).startsWith("schedule token is corrupted: its check field does not match"), message(edited));
        assertMessage("schedule token names an unknown strategy \"walk\" (known: random, pct, exhaustive)",
                withCheck("gort1:walk:seed=1:maxSteps=5"));
        assertMessage("schedule token lacks the field seed", withCheck("gort1:random:maxSteps=5"));
        assertMessage("schedule token field maxSteps is not a positive integer: \"-5\"",
                withCheck("gort1:random:seed=1:maxSteps=-5"));
        assertMessage("schedule token field seed is not hexadecimal: \"xyz\"", withCheck("gort1:random:seed=xyz:maxSteps=5"));
        assertMessage("schedule token has unknown fields [extra]", withCheck("gort1:random:seed=1:maxSteps=5:extra=1"));
        assertMessage("schedule token field depth is not a positive integer: \"0\"",
                withCheck("gort1:pct:depth=0:steps=10:seed=1:maxSteps=5"));
        assertMessage("schedule token field gomaxprocs is not 1: \"2\" (only runs under gomaxprocs(1) record it)",
                withCheck("gort1:random:seed=1:gomaxprocs=2:maxSteps=5"));
    }

    private static String withCheck(String body) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return body + ":check=" + String.format("%08x", crc.getValue());
    }

    private static String message(String token) {
        return assertThrows(IllegalArgumentException.class, () -> Explore.replay(token, () -> { })).getMessage();
    }

    private static void assertMessage(String expected, String token) {
        assertEquals(expected, message(token));
    }

    @Test
    void explorationsDoNotNest() {
        Explore.Result r = Explore.run(once(), () -> Explore.run(once(), () -> { }));
        assertInstanceOf(IllegalStateException.class, r.failure());
        assertEquals("Explore.run inside a controlled run: explorations do not nest", r.failure().getMessage());
        Explore.Result r2 = Explore.run(once(), () -> Gort.run(() -> { }));
        assertInstanceOf(IllegalStateException.class, r2.failure());
        assertTrue(r2.failure().getMessage().startsWith("Gort.run inside a controlled run"), r2.failure().getMessage());
    }

    /** From inside a normal goroutine, an exploration runs too (the goroutine waits as in a syscall). */
    @Test
    void fromAGoroutine() {
        Explore.Result[] r = new Explore.Result[1];
        Gort.run(() -> r[0] = Explore.run(Explore.random().iterations(20).seed(4), Programs.lostUpdateFixed()));
        assertFalse(r[0].failed(), r[0].toString());
    }

    /** Syscalls run inline and LockOSThread is a no-op (the run has one thread); GOMAXPROCS cannot change. */
    @Test
    void syscallsLockOSThreadAndGomaxprocs() {
        Explore.Result r = Explore.run(Explore.random().iterations(20).seed(3), () -> {
            Chan<Integer> c = Chan.make();
            Gort.go(() -> {
                Gort.lockOSThread();
                int v = Gort.syscall(() -> 41) + 1;
                c.send(v);
                Gort.unlockOSThread();
            });
            assertEquals(42, c.recv());
            assertTrue(Gort.gomaxprocs(0) >= 1);
        });
        assertFalse(r.failed(), r.toString());
        Explore.Result g = Explore.run(once(), () -> Gort.gomaxprocs(3));
        assertInstanceOf(UnsupportedOperationException.class, g.failure());
    }

    /** A plain thread's non-blocking operation on the run's channel, which wakes nobody, is caught too. */
    @Test
    void aPlainThreadsTrySendIsUncontrolled() {
        Explore.Result r = Explore.run(once().maxSteps(Integer.MAX_VALUE), () -> {
            Chan<Integer> c = Chan.make(1);
            Thread t = new Thread(() -> c.trySend(1), "plain-try");
            t.setDaemon(true);
            t.start();
            while (c.tryRecv() == null) {
                Gort.gosched(); // until the value is there (the run fails first)
            }
        });
        assertInstanceOf(Explore.ScheduleFailure.class, r.failure());
        assertEquals("uncontrolled concurrency: thread \"plain-try\" sent on a channel of the controlled run",
                r.failure().getMessage());
    }

    /** A channel kept from one run to the next (a static field) is shared between runs: the next run fails. */
    @Test
    void aChannelSharedBetweenRunsIsUncontrolled() {
        Object[] kept = {null};
        Explore.Result r = Explore.run(Explore.random().iterations(2).seed(1), () -> {
            if (kept[0] == null) {
                kept[0] = Chan.<Integer>make(1);
            }
            @SuppressWarnings("unchecked")
            Chan<Integer> c = (Chan<Integer>) kept[0];
            c.trySend(1);
        });
        assertEquals(2, r.iterations());
        assertEquals("uncontrolled concurrency: goroutine 1 sent on a channel made by an earlier run: a channel shared"
                + " between runs", r.failure().getMessage());
    }

    /** Waiting on the network: the poller would decide when the goroutine wakes, so the run fails at once. */
    @Test
    void networkIoIsUncontrolled() throws Exception {
        dev.gort.net.Listener[] listener = {null};
        Explore.Result r = Explore.run(once(), () -> {
            try {
                listener[0] = dev.gort.net.Net.listen("tcp", "127.0.0.1:0");
                listener[0].accept();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertInstanceOf(Explore.ScheduleFailure.class, r.failure());
        assertEquals("uncontrolled: goroutine 1 waits on the network [IO wait]: network I/O cannot be controlled",
                r.failure().getMessage());
        // The goroutine stays frozen in accept; closing wakes it, and it is set aside for good
        // (its run is over), never run by another M.
        listener[0].close();
    }
}
