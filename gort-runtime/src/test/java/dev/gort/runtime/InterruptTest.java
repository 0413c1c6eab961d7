package dev.gort.runtime;

import dev.gort.Chan;
import dev.gort.Gort;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Inside a goroutine, {@code Thread.currentThread()} is its M, so the usual idiom after
 * catching {@code InterruptedException} ({@code Thread.currentThread().interrupt()}) sets
 * the M's interrupt status. It belongs to the goroutine: it travels with it when it leaves
 * the M, never reaches the next goroutine on that M, and never makes the M's own parking
 * return at once (an interrupted idle M spun at a full core).
 */
class InterruptTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void anInterruptTravelsWithItsGoroutineAndReachesNoOther() {
        AtomicBoolean keptItsOwn = new AtomicBoolean();
        AtomicBoolean otherSawOne = new AtomicBoolean(true);
        runWithProcs(1, () -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> done = Chan.make(1);
            Gort.go(() -> {
                Thread.currentThread().interrupt();
                c.recv(); // parks: the goroutine leaves its M with its interrupt
                keptItsOwn.set(Current.interrupted()); // the M read afresh after the park (Testing.currentThread)
                done.send(1);
            });
            waitRecvWaiters(c, 1);
            // The only P: this goroutine runs on the M the other one just left.
            otherSawOne.set(Current.thread().isInterrupted());
            c.send(1);
            done.recv();
        });
        assertFalse(otherSawOne.get(), "the next goroutine on the M saw the previous one's interrupt");
        assertTrue(keptItsOwn.get(), "the goroutine's interrupt was lost while it was parked");
    }

    /**
     * A goroutine locked to its M (LockOSThread) owns that thread: an interrupt sent to it
     * while the goroutine is parked (its M waits for it alone) is the goroutine's, and is
     * kept (e.g. a Future.cancel(true) of a task that handed itself to a goroutine).
     */
    @Test
    void anInterruptToALockedGoroutinesThreadWhileItIsParkedIsKept() throws Exception {
        AtomicBoolean seen = new AtomicBoolean();
        AtomicReference<Thread> thread = new AtomicReference<>();
        Gort.run(() -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> done = Chan.make(1);
            Gort.go(() -> {
                Gort.lockOSThread();
                thread.set(Current.thread());
                c.recv(); // parks (not pinned): its locked M sleeps in stoplockedm
                seen.set(Current.interrupted());
                Gort.unlockOSThread();
                done.send(1);
            });
            waitRecvWaiters(c, 1);
            Thread t = new Thread(() -> thread.get().interrupt());
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            c.send(1);
            done.recv();
        });
        assertTrue(seen.get(), "the interrupt sent to the locked goroutine's thread while it was parked was dropped");
    }

    @Test
    void anIdleMLeftInterruptedDoesNotSpin() {
        Gort.run(() -> {
            Chan<Integer> done = Chan.make();
            Gort.go(() -> {
                Thread.currentThread().interrupt(); // and ends so: the M goes idle after it
                done.send(1);
            });
            done.recv();
            Thread.currentThread().interrupt();
            Gort.gosched();
            Thread.interrupted();
        });
        long used = cpuOfIdleMs(300);
        assertTrue(used < 150, "idle Ms used " + used + " ms of CPU in 300 ms");
    }

    @Test
    void aPinnedGoroutineParkedWithItsInterruptDoesNotSpinItsM() {
        AtomicReference<Long> used = new AtomicReference<>();
        AtomicBoolean kept = new AtomicBoolean();
        Gort.run(() -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> done = Chan.make(1);
            Gort.go(() -> {
                Pin.pin();
                try {
                    Thread.currentThread().interrupt();
                    c.recv(); // pinned: its M sleeps with the goroutine mounted
                    kept.set(Current.interrupted());
                } finally {
                    Pin.unpin();
                }
                done.send(1);
            });
            waitRecvWaiters(c, 1);
            used.set(cpuOfIdleMs(300));
            c.send(1);
            done.recv();
        });
        assertTrue(used.get() < 150, "Ms used " + used.get() + " ms of CPU in 300 ms while the pinned goroutine slept");
        assertTrue(kept.get(), "the pinned goroutine's interrupt was lost while it slept");
    }

    /** CPU milliseconds the gort-m threads use during the next ms milliseconds (all of them, idle or not). */
    private static long cpuOfIdleMs(long ms) {
        long before = cpuOfMs();
        LockSupport.parkNanos(ms * 1_000_000);
        return (cpuOfMs() - before) / 1_000_000;
    }

    private static long cpuOfMs() {
        long ns = 0;
        for (M mp : Sched.allm()) {
            long t = THREADS.getThreadCpuTime(mp.threadId());
            if (t > 0) {
                ns += t;
            }
        }
        return ns;
    }
}
