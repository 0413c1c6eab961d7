package dev.gort.runtime;

/**
 * Wiring a goroutine to its M: Go's LockOSThread/UnlockOSThread (dolockOSThread,
 * dounlockOSThread, proc.go), counted as {@code m.lockedExt}. A locked goroutine runs
 * only on its M, and its M runs only it: when it parks, the M sleeps (stoplockedm) and
 * whichever M later picks the G from a run queue hands its P over (startlockedm). A
 * goroutine that exits while locked takes its M with it (the thread ends), because it
 * may have left the thread in an unusual state.
 */
final class LockOSThread {
    private LockOSThread() {}

    /** Go's LockOSThread; nothing on a plain thread. */
    static void lock() {
        if (!(Current.thread() instanceof M mp) || mp.curg == null || mp.ctl != null) {
            return; // a controlled run has one thread: every goroutine of it is locked to it already
        }
        mp.lockedExt++;
        if (mp.lockedExt == 0) {
            mp.lockedExt--;
            throw new dev.gort.Panic("LockOSThread nesting overflow");
        }
        G gp = mp.curg;
        mp.lockedg = gp;
        gp.setLockedm(mp);
    }

    /** Go's UnlockOSThread; nothing on a plain thread or when not locked. */
    static void unlock() {
        if (!(Current.thread() instanceof M mp) || mp.curg == null || mp.ctl != null) {
            return;
        }
        if (mp.lockedExt == 0) {
            return;
        }
        mp.lockedExt--;
        if (mp.lockedExt != 0) {
            return;
        }
        mp.lockedg = null;
        mp.curg.setLockedm(null);
    }

    /** Called by goexit0 for a goroutine that exits while locked: its M exits after handing off the P. */
    static void exitLockedM(M mp) {
        mp.lockedExt = 0;
        mp.exiting = true;
    }
}
