package dev.gort.runtime.hook;

import dev.gort.runtime.HookRt;

/**
 * Called by instrumented code after it takes or releases a monitor or an owner-based JDK
 * lock: a goroutine holding one stays on its M (pinned) until it lets go, so no other
 * goroutine on that M can "own" the lock too (docs/design.md, "Pinning"). Never
 * throws: a release without a matching acquisition (taken in uninstrumented code) is
 * ignored, and the application sees only its own lock's errors.
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

    /** After {@code Lock.lock()} or {@code lockInterruptibly()} returned. */
    public static void lockAcquired() {
        HookRt.pin();
    }

    /** After {@code Lock.tryLock(...)}: pins if it succeeded; returns its result. */
    public static boolean lockAcquiredIf(boolean acquired) {
        if (acquired) {
            HookRt.pin();
        }
        return acquired;
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

    /** After {@code Lock.unlock()} returned (a failed unlock throws before this). */
    public static void lockReleased() {
        HookRt.unpin();
    }
}
