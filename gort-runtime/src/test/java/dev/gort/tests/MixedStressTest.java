package dev.gort.tests;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.sync.Cond;
import dev.gort.sync.Mutex;
import dev.gort.sync.Once;
import dev.gort.sync.RWMutex;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every kind of operation at once, at random, while GOMAXPROCS changes under it (from a
 * plain thread and from goroutines), with interrupts, nested runs, syscalls, blocks in
 * plain JDK code and locked threads. Each goroutine checks its own results as it goes
 * (an interrupt it set comes back with it and no other's ever reaches it; a mutex-guarded
 * count adds up); any failure or broken runtime invariant kills the run, and the test with
 * it. The quick version runs in CI ({@code gort.stress.seconds}, 5 by default); the long
 * one is the Maven profile {@code long-stress} (README).
 */
class MixedStressTest {
    private static final int WORKERS = 12;
    private static final int OPS = 16;

    @Test
    @Timeout(value = 1, unit = TimeUnit.DAYS) // bounded by its own duration below, not the default 120 s
    void everythingAtOnce() throws InterruptedException {
        long seconds = Long.getLong("gort.stress.seconds", 5);
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        AtomicLongArray perOp = new AtomicLongArray(OPS);
        AtomicLong guardedTotal = new AtomicLong();
        long[] guarded = new long[1];
        AtomicBoolean stop = new AtomicBoolean();
        int oldProcs = Gort.gomaxprocs(0);
        Thread resizer = new Thread(() -> {
            long x = 0x9E3779B97F4A7C15L;
            while (!stop.get()) {
                x = next(x);
                Gort.gomaxprocs(1 + (int) Long.remainderUnsigned(x, 4));
                try {
                    Thread.sleep(Long.remainderUnsigned(x >>> 8, 5));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "stress-resizer");
        resizer.start();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread main = new Thread(() -> {
            try {
                run(deadline, perOp, guardedTotal, guarded);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "stress-main");
        main.setDaemon(true);
        try {
            main.start();
            main.join(Duration.ofSeconds(seconds + 120).toMillis());
            if (main.isAlive()) {
                fail("the stress did not finish within " + (seconds + 120) + " s of its start (a hang)");
            }
            if (failure.get() instanceof Error e) {
                throw e;
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
        } finally {
            stop.set(true);
            resizer.join();
            Gort.gomaxprocs(oldProcs);
        }
        for (int op = 0; op < OPS; op++) {
            assertTrue(perOp.get(op) > 0, "operation " + op + " never ran");
        }
    }

    /** The stress itself: WORKERS goroutines of a run doing random operations until deadline. */
    private static void run(long deadline, AtomicLongArray perOp, AtomicLong guardedTotal, long[] guarded) {
        Gort.run(() -> {
            Mutex mu = new Mutex();
            RWMutex rw = new RWMutex();
            Chan<Integer> buffered = Chan.make(8);
            Chan<Integer> mailbox = Chan.make();
            Object monitor = new Object();
            WaitGroup workers = new WaitGroup();
            for (int w = 0; w < WORKERS; w++) {
                long seed = 0x2545F4914F6CDD1DL * (w + 1);
                workers.go(() -> {
                    long x = seed;
                    long mine = 0;
                    while (System.nanoTime() < deadline) {
                        x = next(x);
                        int op = (int) Long.remainderUnsigned(x, OPS);
                        assertFalse(dev.gort.runtime.Testing.currentThread().isInterrupted(), "an interrupt reached a goroutine that did not set it");
                        step(op, x, mu, rw, buffered, mailbox, monitor);
                        if (op == 3) {
                            mine++;
                            mu.lock();
                            guarded[0]++;
                            mu.unlock();
                        }
                        perOp.incrementAndGet(op);
                    }
                    guardedTotal.addAndGet(mine);
                });
            }
            workers.await();
            mu.lock();
            assertEquals(guardedTotal.get(), guarded[0], "a mutex-guarded count lost updates");
            mu.unlock();
        });
    }

    /** One operation of kind op (x: randomness). */
    private static void step(int op, long x, Mutex mu, RWMutex rw, Chan<Integer> buffered, Chan<Integer> mailbox,
                             Object monitor) {
        switch (op) {
            case 0 -> { // unbuffered hand-off to and from a new goroutine
                Chan<Integer> c = Chan.make();
                Gort.go(() -> c.send(c.recv() + 1));
                c.send(1);
                assertEquals(2, c.recv());
            }
            case 1 -> { // non-blocking operations on a shared buffered channel
                buffered.trySend((int) x);
                buffered.tryRecv();
            }
            case 2 -> { // select with a timeout, or a message someone else left
                mailbox.trySend(1);
                Select.select(Select.recv(mailbox, null), Select.recv(Time.after(Duration.ofNanos(x & 0xFFFFF)), null));
            }
            case 3 -> {
                // counted by the caller, under mu
            }
            case 4 -> {
                if ((x & 1) == 0) {
                    rw.rLock();
                    rw.rUnlock();
                } else {
                    rw.lock();
                    rw.unlock();
                }
            }
            case 5 -> { // a few children, waited for
                WaitGroup wg = new WaitGroup();
                AtomicLong sum = new AtomicLong();
                int n = 1 + (int) (x & 3);
                for (int i = 0; i < n; i++) {
                    wg.go(() -> sum.incrementAndGet());
                }
                wg.await();
                assertEquals(n, sum.get());
            }
            case 6 -> Time.sleep(Duration.ofNanos(x & 0x3FFFF));
            case 7 -> Gort.gosched();
            case 8 -> { // a syscall that outlasts a sysmon tick now and then
                try {
                    Gort.syscall(() -> Thread.sleep(0, (int) (x & 0x7FFFF)));
                } catch (InterruptedException e) {
                    fail("a syscall saw an interrupt its goroutine did not set");
                }
            }
            case 9 -> { // a nested run
                Chan<Integer> c = Chan.make(1);
                Gort.run(() -> Gort.go(() -> c.send(7)));
                assertEquals(7, c.recv());
            }
            case 10 -> { // the usual idiom: restore an interrupt, then park; it stays ours
                // (Testing.currentThread: the M read afresh, as Thread.currentThread() may not be
                // after a park in compiled code; README, "Thread identity".)
                dev.gort.runtime.Testing.currentThread().interrupt();
                Time.sleep(Duration.ofNanos(x & 0xFFFF));
                assertTrue(dev.gort.runtime.Testing.interrupted(), "the goroutine's interrupt was lost while it was parked");
            }
            case 11 -> {
                Gort.lockOSThread();
                Thread m = dev.gort.runtime.Testing.currentThread();
                Gort.gosched();
                assertSame(m, dev.gort.runtime.Testing.currentThread(), "a locked goroutine moved to another M");
                Gort.unlockOSThread();
            }
            case 12 -> {
                if ((x & 0xF) == 0) {
                    Gort.gomaxprocs(1 + (int) ((x >>> 4) & 3)); // GOMAXPROCS from a goroutine too
                }
            }
            case 13 -> { // a Cond hand-off with a new goroutine
                Mutex m = new Mutex();
                Cond cond = new Cond(m);
                boolean[] ready = new boolean[1];
                Gort.go(() -> {
                    m.lock();
                    ready[0] = true;
                    cond.broadcast();
                    m.unlock();
                });
                m.lock();
                while (!ready[0]) {
                    cond.await();
                }
                m.unlock();
            }
            case 14 -> { // Once, raced by a child
                Once once = new Once();
                AtomicLong runs = new AtomicLong();
                WaitGroup wg = new WaitGroup();
                wg.go(() -> once.run(runs::incrementAndGet));
                once.run(runs::incrementAndGet);
                wg.await();
                assertEquals(1, runs.get());
            }
            case 15 -> { // a block in plain JDK code: sysmon's implicit syscall
                synchronized (monitor) {
                    try {
                        monitor.wait(0, (int) (x & 0x3FFFF) + 1);
                    } catch (InterruptedException e) {
                        fail("Object.wait saw an interrupt its goroutine did not set");
                    }
                }
            }
            default -> throw new AssertionError(op);
        }
    }

    /** xorshift64: randomness the JIT cannot fold. */
    private static long next(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }
}
