package dev.gort.runtime;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.tests.JavaProcess;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/** Each scheduling rule of Go's proc.go, observed on the live scheduler. */
class SchedulerTest {

    private static int schedtick() {
        return Current.m().p.schedtick;
    }

    @Test
    void readiedGoroutineRunsNextInTheSameTimeSlice() {
        int[] ticks = new int[3];
        runWithProcs(1, () -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> done = Chan.make();
            Gort.go(() -> {
                c.recv();
                ticks[1] = schedtick(); // readied into runnext: same time slice
                done.send(1);
            });
            waitRecvWaiters(c, 1);
            ticks[0] = schedtick();
            c.send(1); // readies the receiver into runnext
            done.recv(); // we block: the receiver runs next
            Gort.gosched(); // back from the global queue: a new time slice
            ticks[2] = schedtick();
        });
        assertEquals(ticks[0], ticks[1], "a goroutine readied into runnext inherits the time slice");
        assertTrue(ticks[2] > ticks[0], "a goroutine taken from the global queue starts a new time slice");
    }

    @Test
    void readiedGoroutineRunsBeforeOlderLocalWork() {
        StringBuilder order = new StringBuilder();
        runWithProcs(1, () -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> done = Chan.make(3);
            Gort.go(() -> {
                c.recv();
                synchronized (order) {
                    order.append('R');
                }
                done.send(1);
            });
            waitRecvWaiters(c, 1);
            Gort.go(() -> { // goes to runnext, then is kicked to the ring by the next one
                synchronized (order) {
                    order.append('1');
                }
                done.send(1);
            });
            Gort.go(() -> {
                synchronized (order) {
                    order.append('2');
                }
                done.send(1);
            });
            c.send(1); // the receiver takes runnext; '2' goes behind '1' in the ring
            for (int i = 0; i < 3; i++) {
                done.recv();
            }
        });
        assertEquals("R12", order.toString());
    }

    @Test
    void goschedPutsTheGoroutineOnTheGlobalQueue() {
        AtomicBoolean sawIt = new AtomicBoolean();
        runWithProcs(1, () -> {
            G me = getg();
            Chan<Integer> done = Chan.make(1);
            Gort.go(() -> { // runnext: runs as soon as main yields
                Sched.lock.lock();
                try {
                    for (G gp = Sched.runq.head; gp != null; gp = gp.schedlink) {
                        if (gp == me) {
                            sawIt.set(true);
                        }
                    }
                } finally {
                    Sched.lock.unlock();
                }
                done.send(1);
            });
            // findRunnable takes from the global queue first once every 61 schedule ticks
            // (Go's fairness rule), which would run main again before the other goroutine;
            // the tick count depends on what ran before in this JVM, so set it off that beat.
            me.m.p.schedtick = 1;
            Gort.gosched();
            done.recv();
        });
        assertTrue(sawIt.get(), "after Gosched the goroutine waits on the global run queue");
    }

    /**
     * Go's Gosched is nosplit: a goroutine with a pending preemption request (it computed
     * past its time slice without a runtime call) that calls Gosched yields once, and runs
     * again after one turn of the others; gort's entry honoured the request first and then
     * yielded again, so the other goroutine had two turns.
     */
    @Test
    void goschedWithAPendingPreemptionRequestYieldsOnce() {
        java.util.List<String> log = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        runWithProcs(1, () -> {
            AtomicBoolean done = new AtomicBoolean();
            Chan<Integer> finished = Chan.make(1);
            Gort.go(() -> {
                while (!done.get()) {
                    log.add("other");
                    Gort.gosched();
                }
                finished.send(1);
            });
            Gort.gosched(); // the other goroutine starts, and waits on the global queue
            G me = getg();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            long x = 88172645463325252L;
            while (!me.preempt && System.nanoTime() < deadline) {
                x ^= x << 13; // work the JIT cannot fold, with no runtime call: sysmon asks us to yield
                x ^= x >>> 7;
                x ^= x << 17;
            }
            assertTrue(me.preempt, "sysmon asked the computing goroutine to yield (" + x + ")");
            // The other goroutine waits on the local queue (the global queue's batch put it
            // there); on Go's fairness beat (schedtick % 61 == 0), findRunnable would take
            // main from the global queue before it (1 run in 5 of the suite failed so): off
            // the beat, as in the test above.
            me.m.p.schedtick = 1;
            log.add("gosched");
            Gort.gosched();
            log.add("back");
            done.set(true);
            finished.recv();
        });
        java.util.List<String> l = java.util.List.copyOf(log);
        int between = l.subList(l.indexOf("gosched"), l.indexOf("back")).size() - 1;
        assertEquals(1, between, "turns of the other goroutine during one Gosched: " + l);
    }

    /**
     * Concurrent GOMAXPROCS calls from goroutines and a plain thread: each stop-the-world
     * waits its turn on worldsema. A caller that blocked its M there (holding its P) hung the
     * other stopper, which waits for every P, for good (5 runs in 5 with four goroutines).
     */
    @Test
    void concurrentGomaxprocsCallsDoNotHang() throws Exception {
        int old = Gort.gomaxprocs(0);
        try {
            int rounds = stress(50);
            AtomicInteger calls = new AtomicInteger();
            Thread plain = new Thread(() -> {
                for (int i = 0; i < rounds; i++) {
                    Gort.gomaxprocs(1 + i % 3);
                    calls.incrementAndGet();
                }
            });
            plain.start();
            Gort.run(() -> {
                Chan<Integer> done = Chan.make(4);
                for (int g = 0; g < 4; g++) {
                    int id = g;
                    Gort.go(() -> {
                        for (int i = 0; i < rounds; i++) {
                            Gort.gomaxprocs(1 + (i + id) % 3);
                            calls.incrementAndGet();
                        }
                        done.send(1);
                    });
                }
                for (int g = 0; g < 4; g++) {
                    done.recv();
                }
            });
            plain.join(TIMEOUT.toMillis());
            assertFalse(plain.isAlive(), "the plain thread's gomaxprocs calls finished");
            assertEquals(5 * rounds, calls.get());
        } finally {
            Gort.gomaxprocs(old);
        }
    }

    /**
     * A stop-the-world runs gort code from start to end: a nested entry inside it (worldsema)
     * must not mark the goroutine as back in user code, or sysmon may claim it as blocked
     * in the JDK (it waits on sched.lock) and take its P while it stops the world (a
     * NullPointerException under sched.lock hung the runtime).
     */
    @Test
    void aStopTheWorldStaysInTheRuntimeThroughout() {
        int[] seen = new int[1];
        int old = Gort.gomaxprocs(0);
        try {
            inGoroutine(() -> {
                G gp = Entry.enter(); // as Rt.gomaxprocs does
                try {
                    Stw.stopTheWorld();
                    seen[0] = (int) M.IN_RUNTIME.getVolatile(Current.m());
                    Stw.startTheWorld();
                } finally {
                    Entry.exit(gp);
                }
            });
        } finally {
            Gort.gomaxprocs(old);
        }
        assertEquals(1, seen[0], "the goroutine was marked as in user code in the middle of a stop-the-world");
    }

    /**
     * findRunnable takes a G from the global queue every 61 schedticks even when the local
     * queue never empties (Go's fairness rule). Here 200 goroutines wait in the ring and
     * main waits on the global queue: main must run again well before the ring drains.
     */
    @Test
    void globalQueueIsCheckedEvery61Ticks() {
        int ring = 200;
        AtomicInteger ran = new AtomicInteger();
        int[] ranBeforeMainResumed = new int[1];
        runWithProcs(1, () -> {
            Chan<Integer> done = Chan.make(ring);
            for (int i = 0; i < ring; i++) {
                Gort.go(() -> {
                    ran.incrementAndGet();
                    done.send(1);
                });
            }
            Gort.gosched(); // main to the global queue, behind nothing; the ring has 199 + runnext
            ranBeforeMainResumed[0] = ran.get();
            for (int i = 0; i < ring; i++) {
                done.recv();
            }
        });
        assertTrue(ranBeforeMainResumed[0] <= FindRunnable.GLOBAL_RUNQ_CHECK + 1,
                "main resumed after " + ranBeforeMainResumed[0] + " local goroutines; the global queue must be checked every "
                        + FindRunnable.GLOBAL_RUNQ_CHECK + " ticks");
    }

    /** A new goroutine goes to runnext: it runs before the creator's older children. */
    @Test
    void newGoroutineGoesToRunnext() {
        StringBuilder order = new StringBuilder();
        runWithProcs(1, () -> {
            Chan<Integer> done = Chan.make(3);
            for (char ch : "abc".toCharArray()) {
                Gort.go(() -> {
                    synchronized (order) {
                        order.append(ch);
                    }
                    done.send(1);
                });
            }
            for (int i = 0; i < 3; i++) {
                done.recv();
            }
        });
        // c is in runnext; a and b were kicked to the ring in order.
        assertEquals("cab", order.toString());
    }

    /** With several Ps, idle ones steal: work spawned on one P spreads to all Ms. */
    @Test
    void goroutinesSpreadAndMigrateAcrossMs() {
        Set<M> ms = ConcurrentHashMap.newKeySet();
        Set<M> seenByOne = new HashSet<>();
        runWithProcs(2, () -> {
            Chan<Integer> done = Chan.make();
            Chan<Integer> tick = Chan.make();
            Gort.go(() -> { // one goroutine, observed at each wake-up
                for (int i = 0; i < 100_000 && seenByOne.size() < 2; i++) {
                    tick.recv();
                    seenByOne.add(Current.m());
                }
                done.send(1);
            });
            for (int w = 0; w < 4; w++) {
                Gort.go(() -> {
                    long until = System.nanoTime() + 50_000_000;
                    while (System.nanoTime() < until) {
                        ms.add(Current.m());
                        Gort.gosched();
                    }
                });
            }
            Gort.go(() -> {
                for (int i = 0; ; i++) {
                    if (!tick.trySend(i) && seenByOne.size() >= 2) {
                        return;
                    }
                    Gort.gosched();
                }
            });
            done.recv();
        });
        assertTrue(ms.size() >= 2, "runnable goroutines are spread over the Ms: " + ms);
        assertEquals(2, seenByOne.size(), "one goroutine resumed on more than one M over its life");
    }

    /**
     * A lone goroutine's Gosched at GOMAXPROCS=2 takes itself back from the global queue at
     * once (goschedImpl's fused schedule), so no other M is woken to look for it: Go's
     * unconditional wakep there made the idle M spin and park on every switch.
     */
    @Test
    void aLoneGoroutinesGoschedWakesNoOtherM() {
        AtomicLong samples = new AtomicLong();
        AtomicLong spinning = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean started = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!stop.get()) {
                if (started.get()) {
                    samples.incrementAndGet();
                    if (Sched.nmspinning != 0) {
                        spinning.incrementAndGet();
                    }
                }
                Thread.onSpinWait();
            }
        });
        sampler.start();
        try {
            runWithProcs(2, () -> {
                for (int i = 0; i < 1_000; i++) {
                    Gort.gosched(); // settle: Ms started before this test have gone idle
                }
                waitUntil("no M spinning", () -> Sched.nmspinning == 0);
                started.set(true);
                for (int i = 0; i < stress(50_000); i++) {
                    Gort.gosched();
                }
                started.set(false);
            });
        } finally {
            stop.set(true);
        }
        assertTrue(samples.get() > 0, "the sampler ran");
        assertTrue(spinning.get() * 10 < samples.get(),
                "an M was spinning in " + spinning.get() + " of " + samples.get() + " samples while one goroutine called Gosched");
    }

    /**
     * With nothing else queued anywhere, a goroutine's Gosched takes it back without the
     * scheduler lock (Go would queue it globally and take it straight back): a plain thread
     * holds sched.lock meanwhile, and the Goscheds still complete. In a fresh JVM: here,
     * goroutines earlier tests left behind may be queued.
     */
    @Test
    void aLoneGoroutinesGoschedTakesNoSchedulerLock() {
        assertPrintsOkAtOneProc(GoschedLockProgram.class);
    }

    /**
     * With nothing else to run, a Gosched takes effect without leaving the goroutine's stack
     * (Park.goschedInPlace): seen where a switch cannot happen, in a pinned stack, and
     * refused while a goroutine or a timer waits. In a fresh JVM, as the test above.
     */
    @Test
    void aGoschedWithNothingElseToRunStaysOnItsStack() {
        assertPrintsOkAtOneProc(GoschedInPlaceProgram.class);
    }

    /** Runs program's main in a fresh JVM at GOMAXPROCS=1; it must print just "ok". */
    private static void assertPrintsOkAtOneProc(Class<?> program) {
        JavaProcess.Result r = JavaProcess.run(60, JavaProcess.ADD_EXPORTS.split(" ")[0], JavaProcess.ADD_EXPORTS.split(" ")[1],
                "-Dgort.maxprocs=1", "-cp", JavaProcess.testClassPath(), program.getName());
        r.assertOk();
        assertEquals("ok", r.out().strip(), r::describe);
    }

    /** At most half of the busy Ps have a spinning M (Go's limit), even with many idle Ps. */
    @Test
    void spinningMsAreLimitedToHalfTheBusyPs() {
        int procs = 8;
        AtomicInteger maxSpinning = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!stop.get()) {
                int s = Sched.nmspinning;
                maxSpinning.accumulateAndGet(s, Math::max);
                Thread.onSpinWait();
            }
        });
        sampler.start();
        try {
            runWithProcs(procs, () -> {
                // One ping-pong pair: each hand-off readies a G and calls wakep, so idle Ms
                // are woken over and over; they may spin only within the limit.
                Chan<Integer> a = Chan.make();
                Chan<Integer> b = Chan.make();
                Gort.go(() -> {
                    for (Integer v; (v = a.recv()) != null; ) {
                        b.send(v);
                    }
                });
                for (int i = 0; i < stress(20_000); i++) {
                    a.send(i);
                    b.recv();
                }
                a.close();
            });
        } finally {
            stop.set(true);
        }
        // With 1-2 busy Ps, the limit allows ~1 spinning M (wakep's first one is always
        // allowed); without it, all 7 idle Ms would end up spinning.
        assertTrue(maxSpinning.get() <= procs / 2,
                "saw " + maxSpinning.get() + " spinning Ms with " + procs + " Ps and at most 2 busy");
    }

    /** 100k park/ready cycles across Ms: no wake-up is lost (the run would deadlock or hang). */
    @Test
    void noLostWakeupsUnderStress() {
        int cycles = stress(100_000);
        int pairs = 4;
        AtomicLong total = new AtomicLong();
        runWithProcs(4, () -> {
            Chan<Integer> done = Chan.make(pairs);
            for (int p = 0; p < pairs; p++) {
                Chan<Integer> ping = Chan.make();
                Chan<Integer> pong = Chan.make();
                Gort.go(() -> {
                    for (int i = 0; i < cycles / pairs; i++) {
                        pong.send(ping.recv() + 1);
                    }
                });
                Gort.go(() -> {
                    for (int i = 0; i < cycles / pairs; i++) {
                        ping.send(i);
                        total.addAndGet(pong.recv() - i);
                    }
                    done.send(1);
                });
            }
            for (int p = 0; p < pairs; p++) {
                done.recv();
            }
        });
        assertEquals((cycles / pairs) * pairs, total.get());
    }

    /** Wake-ups from plain threads (no P: the global queue and an idle P) are not lost either. */
    @Test
    void noLostWakeupsFromPlainThreads() throws Exception {
        int n = stress(20_000);
        Chan<Integer> in = Chan.make();
        Chan<Integer> out = Chan.make();
        java.util.concurrent.CountDownLatch usesGort = new java.util.concurrent.CountDownLatch(1);
        Thread feeder = new Thread(() -> {
            Chan.make(1).trySend(0); // counts as a thread that uses gort from now on
            usesGort.countDown();
            for (int i = 0; i < n; i++) {
                in.send(i);
                assertEquals(i, out.recv());
            }
            in.close();
        });
        int old = Gort.gomaxprocs(2);
        try {
            feeder.start();
            usesGort.await();
            Gort.run(() -> {
                for (Integer v; (v = in.recv()) != null; ) {
                    out.send(v);
                }
            });
            feeder.join();
        } finally {
            Gort.gomaxprocs(old);
        }
    }

    @Test
    void aMillionGoroutinesAreCreatedAndFinish() {
        int n = 1_000_000;
        AtomicInteger count = new AtomicInteger();
        int before = Gort.numGoroutine();
        Gort.run(() -> {
            Chan<Integer> done = Chan.make();
            for (int i = 0; i < n; i++) {
                Gort.go(() -> {
                    if (count.incrementAndGet() == n) {
                        done.send(1);
                    }
                });
            }
            done.recv();
        });
        assertEquals(n, count.get());
        waitUntil("the goroutines are gone", () -> Gort.numGoroutine() <= before);
    }

    @Test
    void deadGsAreReused() {
        Gort.run(() -> {
            Chan<Integer> done = Chan.make();
            for (int i = 0; i < 1000; i++) {
                Gort.go(() -> done.send(1));
                done.recv();
            }
        });
        int before = Sched.allglen;
        Gort.run(() -> {
            Chan<Integer> done = Chan.make();
            for (int i = 0; i < 10_000; i++) {
                Gort.go(() -> done.send(1));
                done.recv();
            }
        });
        assertTrue(Sched.allglen - before < 100, "10000 sequential goroutines made "
                + (Sched.allglen - before) + " new Gs; dead ones must be reused");
    }

    @Test
    void goidsAreUniqueAndPositive() {
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        int n = 10_000;
        Gort.run(() -> {
            Chan<Long> c = Chan.make(n);
            for (int i = 0; i < n; i++) {
                Gort.go(() -> c.send(Gort.goid()));
            }
            for (int i = 0; i < n; i++) {
                ids.add(c.recv());
            }
        });
        assertEquals(n, ids.size());
        assertTrue(ids.stream().allMatch(id -> id > 0));
    }
}
