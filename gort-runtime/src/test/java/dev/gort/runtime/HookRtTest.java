package dev.gort.runtime;

import dev.gort.runtime.hook.Pinning;
import dev.gort.runtime.hook.Preemption;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/** The agent's hooks: pin counting, and the preemption flag around pins (Go's releasem). */
class HookRtTest {
    @Test
    void pinsCountAndAnUnmatchedReleaseIsIgnored() {
        AtomicReference<String> got = new AtomicReference<>();
        ReentrantLock lock = new ReentrantLock();
        ReentrantLock busy = new ReentrantLock();
        Thread holder = new Thread(busy::lock); // held by another thread: tryLock fails
        holder.start();
        try {
            holder.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        runWithProcs(1, () -> {
            lock.lock();
            Pinning.unlock(lock); // an unlock of a lock taken in uninstrumented code: no "pin underflow"
            int p0 = HookRt.lockPins();
            Pinning.monitorEntered();
            Pinning.lock(lock);
            boolean no = Pinning.tryLock(busy);
            int p2 = HookRt.lockPins();
            boolean held = lock.isHeldByCurrentThread();
            Pinning.unlock(lock);
            Pinning.monitorExited();
            got.set(p0 + " " + p2 + " " + HookRt.lockPins() + " " + no + " " + held + " " + lock.isLocked());
        });
        assertEquals("0 2 0 false true false", got.get());
        assertEquals(-1, HookRt.lockPins(), "a plain thread");
    }

    /**
     * A synchronizer on AQS pins when it names the goroutine's thread its owner and unpins
     * when it names nobody: once per synchronizer, however often the owner is set while it
     * is held; an owner set to another thread, or a release of a synchronizer never pinned,
     * changes nothing.
     */
    @Test
    void ownerBasedSynchronizersPinOncePerSynchronizer() {
        AtomicReference<String> got = new AtomicReference<>();
        Object a = new Object(), b = new Object();
        runWithProcs(1, () -> {
            Thread me = Thread.currentThread();
            Pinning.ownerSet(a, null); // released, never pinned here
            Pinning.ownerSet(a, me);
            Pinning.ownerSet(a, me); // set again while held (a reentrant acquire)
            Pinning.ownerSet(b, me);
            Pinning.ownerSet(b, new Thread(() -> { })); // handed to another thread: no change
            int held = HookRt.lockPins();
            Pinning.ownerSet(a, null);
            int one = HookRt.lockPins();
            Pinning.ownerSet(b, null);
            Pinning.ownerSet(b, null);
            got.set(held + " " + one + " " + HookRt.lockPins());
        });
        assertEquals("2 1 0", got.get());
    }

    @Test
    void aRequestDeferredWhilePinnedIsRaisedAgainAtTheLastUnpin() {
        AtomicReference<String> got = new AtomicReference<>();
        runWithProcs(1, () -> {
            G gp = Current.m().curg;
            Pinning.monitorEntered();
            gp.preempt = true; // as sysmon's preemptone
            Preemption.requested = 0;
            Preemption.preempt(); // pinned: cannot act; the request stays on the G
            boolean stayed = gp.preempt;
            Pinning.monitorExited(); // the last pin: the flag goes up again
            int raised = Preemption.requested;
            Preemption.preempt(); // now it yields (to the global queue) and runs again
            got.set(stayed + " " + (raised != 0) + " " + gp.preempt);
        });
        assertEquals("true true false", got.get());
    }
}
