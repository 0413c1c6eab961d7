package dev.gort.runtime.hook;

import dev.gort.runtime.HookRt;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * Called by instrumented code after it takes or releases a monitor or an owner-based JDK
 * lock, and instead of its calls to a {@code Lock}: a goroutine holding one stays on its M
 * (pinned) until it lets go, so no other goroutine on that M can "own" the lock too
 * (docs/design.md, "Pinning"). The hooks themselves never throw (a {@code Lock}'s own
 * errors pass through): a release without a matching acquisition (taken in
 * uninstrumented code) is ignored.
 */
public final class Pinning {
    private Pinning() {}

    /** After {@code monitorenter}, and on entry to a {@code synchronized} method. */
    public static void monitorEntered() {
        HookRt.pin();
    }

    /** After {@code monitorexit}, and on every exit of a {@code synchronized} method. */
    public static void monitorExited() {
        HookRt.unpin();
    }

    /**
     * Instead of {@code lock.lock()}: takes it in a frame of its own, so that it names the
     * thread the goroutine runs on as its owner (C2 keeps {@code Thread.currentThread()}
     * across a park within one compiled method), and pins.
     */
    public static void lock(Lock lock) {
        HookRt.lock(lock);
    }

    /** Instead of {@code lock.lockInterruptibly()}, as {@link #lock}. */
    public static void lockInterruptibly(Lock lock) throws InterruptedException {
        HookRt.lockInterruptibly(lock);
    }

    /** Instead of {@code lock.tryLock()}, as {@link #lock}: pins if it succeeded. */
    public static boolean tryLock(Lock lock) {
        return HookRt.tryLock(lock);
    }

    /** Instead of {@code lock.tryLock(time, unit)}, as {@link #tryLock(Lock)}. */
    public static boolean tryLock(Lock lock, long time, TimeUnit unit) throws InterruptedException {
        return HookRt.tryLock(lock, time, unit);
    }

    /**
     * After {@code setExclusiveOwnerThread(owner)} on an {@code AbstractOwnableSynchronizer}
     * (a synchronizer written on AQS, such as Groovy's {@code LockableObject}, which is no
     * {@code Lock}): pins when the owner becomes the current thread, unpins when it becomes
     * nobody.
     */
    public static void ownerSet(Object sync, Thread owner) {
        HookRt.ownerSet(sync, owner);
    }

    /** Instead of {@code lock.unlock()}, as {@link #lock}: unpins (a failed unlock throws first). */
    public static void unlock(Lock lock) {
        HookRt.unlock(lock);
    }
}
