package dev.gort.runtime;

import dev.gort.FatalError;

/**
 * The runtime entry points of package sync ({@code dev.gort.sync}): Go's functions that
 * sync reaches through linkname (sema.go's sync_runtime_Semacquire*,
 * sync_runtime_Semrelease and the notifyList* functions, proc.go's sync_runtime_canSpin
 * and sync_runtime_doSpin, internal_sync_nanotime, panic.go's sync_fatal). A facade:
 * public only because sync is another package. Go's semaphores are addresses; gort's are
 * objects, handed out here as opaque handles (a {@link Sema}, a {@link NotifyList}) that
 * only this class looks into.
 */
public final class SyncRt {
    private SyncRt() {}

    /** A new semaphore with a count of 0 (Go: a uint32 field set to 0). */
    public static Object newSema() {
        return new Sema();
    }

    /** Go's sync_runtime_SemacquireMutex: for Mutex.Lock; lifo queues a waiter that waited before at the head. */
    public static void semacquireMutex(Object sema, boolean lifo) {
        ((Sema) sema).acquire(lifo, MProf.SEMA_BLOCK_PROFILE | MProf.SEMA_MUTEX_PROFILE, WaitReason.SYNC_MUTEX_LOCK);
    }

    /** Go's sync_runtime_SemacquireRWMutexR: for RWMutex.RLock. */
    public static void semacquireRWMutexR(Object sema) {
        ((Sema) sema).acquire(false, MProf.SEMA_BLOCK_PROFILE | MProf.SEMA_MUTEX_PROFILE, WaitReason.SYNC_RWMUTEX_RLOCK);
    }

    /** Go's sync_runtime_SemacquireRWMutex: for RWMutex.Lock. */
    public static void semacquireRWMutex(Object sema) {
        ((Sema) sema).acquire(false, MProf.SEMA_BLOCK_PROFILE | MProf.SEMA_MUTEX_PROFILE, WaitReason.SYNC_RWMUTEX_LOCK);
    }

    /**
     * Go's sync_runtime_SemacquireWaitGroup: for WaitGroup.Wait; durably blocking in a
     * synctest bubble when {@code synctestDurable} (the WaitGroup is the caller's bubble's).
     */
    public static void semacquireWaitGroup(Object sema, boolean synctestDurable) {
        WaitReason reason = WaitReason.SYNC_WAITGROUP_WAIT;
        if (synctestDurable) {
            reason = WaitReason.SYNCTEST_WAITGROUP_WAIT;
        }
        ((Sema) sema).acquire(false, MProf.SEMA_BLOCK_PROFILE, reason);
    }

    /** Go's sync_runtime_Semrelease; with handoff the count goes straight to the first waiter, which runs next. */
    public static void semrelease(Object sema, boolean handoff) {
        ((Sema) sema).release(handoff);
    }

    /** A new notify list (Go: the notifyList in sync.Cond). */
    public static Object newNotifyList() {
        return new NotifyList();
    }

    /** Go's sync_runtime_notifyListAdd: a ticket to wait on. */
    public static int notifyListAdd(Object l) {
        return ((NotifyList) l).notifyListAdd();
    }

    /** Go's sync_runtime_notifyListWait: wait until the ticket is notified. */
    public static void notifyListWait(Object l, int ticket) {
        ((NotifyList) l).notifyListWait(ticket);
    }

    /** Go's sync_runtime_notifyListNotifyAll. */
    public static void notifyListNotifyAll(Object l) {
        ((NotifyList) l).notifyListNotifyAll();
    }

    /** Go's sync_runtime_notifyListNotifyOne. */
    public static void notifyListNotifyOne(Object l) {
        ((NotifyList) l).notifyListNotifyOne();
    }

    /**
     * The synctest bubble of the caller, as an opaque handle, or null (Go's
     * synctest.IsInBubble and the bubble Associate records): one plain static read while no
     * bubble exists ({@link SynctestBubble#current}).
     */
    public static Object bubble() {
        return SynctestBubble.current();
    }

    /** Whether the caller is a goroutine of a controlled run (its sync objects take controlled paths). */
    public static boolean controlled() {
        M mp = Controlled.controllerM();
        return mp != null && mp.curg != null;
    }

    /**
     * A scheduling point of a controlled run: its goroutine yields to the controller here
     * (as at every runtime entry, {@link Controlled}); elsewhere, a runtime entry.
     */
    public static void yieldPoint() {
        G gp = Entry.enter();
        Entry.exit(gp);
    }

    /** Go's sync_runtime_canSpin: whether Mutex.Lock may spin (iteration i). */
    public static boolean canSpin(int i) {
        return Sema.canSpin(i);
    }

    /** Go's sync_runtime_doSpin. */
    public static void doSpin() {
        Sema.doSpin();
    }

    /**
     * Go's internal_sync_nanotime: the real clock, also in a synctest bubble (as Go's: a
     * mutex wait is not durable, so a bubble's clock stands still while a goroutine waits
     * for a mutex, and would never let it starve). In a controlled run, its virtual clock,
     * so that starvation mode depends on the schedule only.
     */
    public static long nanotime() {
        M mp = Controlled.controllerM();
        return mp != null ? mp.ctl.now : Clock.nanotime();
    }

    /**
     * Go's sync_fatal (a fatal error such as unlock of an unlocked mutex): kills the run of
     * the calling goroutine, which stops for good; on a plain thread, or in a goroutine of no
     * run, returns the error for the caller to throw.
     */
    public static FatalError fatal(String msg) {
        return Panics.fatal(msg);
    }
}
