package dev.gort.runtime;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * The runtime side of the agent's hooks ({@code dev.gort.runtime.hook}): the preemption
 * check's slow path, pinning for held locks and monitors, static initializers, syscalls
 * around blocking JDK calls, and sleep. A facade: public only because the hook package is
 * another package; the mechanisms live in {@link Preempt}, {@link ClassInits},
 * {@link Syscall} and {@link TimeRt}.
 *
 * <h2>Pinning</h2>
 * A goroutine holding a monitor or an owner-based JDK lock must not leave its M (another
 * goroutine on that M would own the lock too: docs/design.md, "Thread identity"). The
 * agent calls {@link #pin()} after each acquisition and {@link #unpin()} after each
 * release (a {@code Lock}'s calls themselves go through {@link #lock} and its siblings,
 * which pin and unpin); {@code G.lockPins} counts them, so an unpin without a matching pin (an
 * application's {@code unlock} of a lock taken in uninstrumented code) is ignored instead
 * of throwing the JDK's "pin underflow".
 */
public final class HookRt {
    private HookRt() {}

    /**
     * The hook class that owns the injected checks' flag hands it over (from its static
     * initializer); see {@link Preempt}, "The flag the injected checks read".
     */
    public static void usePreemptionFlag(VarHandle flag) {
        Preempt.useFlag(flag);
    }

    /**
     * GODEBUG's {@code asyncpreemptoff=1} (or {@code gort.debug}'s), as the runtime reads it:
     * the agent then injects no loop back-edge checks, as Go then sends no preemption
     * signals.
     */
    public static boolean asyncPreemptOff() {
        return Env.settings().asyncpreemptoff();
    }

    /** Go's newstack, preemption part: the injected check's out-of-line path. */
    public static void preemptSlow() {
        Preempt.preemptSlow();
    }

    /**
     * A cheap first look: false on a plain thread (the common case for library code such as
     * a cache's locks), where the hooks do nothing. {@code Thread.currentThread()} is enough
     * to say "not an M": a value the JIT kept from before a park is stale only for a
     * goroutine, and then it is still an M; so only "an M" needs the fresh read of
     * {@link Current#thread()} (a call the JIT never inlines).
     */
    private static boolean onAnM() {
        return Thread.currentThread() instanceof M;
    }

    /**
     * The application's {@code Thread.currentThread()}: the thread read afresh
     * ({@link Current#thread()}) when the first look says an M, which is the only case where
     * the inlined read can be stale (see {@link #onAnM()}); a plain thread pays no call.
     */
    public static Thread currentThread() {
        Thread t = Thread.currentThread();
        return t instanceof M ? Current.thread() : t;
    }

    /** A lock or monitor was taken: pin the current goroutine to its M. */
    public static void pin() {
        if (!onAnM()) {
            return;
        }
        if (Current.thread() instanceof M mp) {
            G gp = mp.curg;
            if (gp != null) {
                GoStack.pinCurrent(); // first: a StackOverflowError in it leaves the count right
                gp.setLockPins(gp.lockPins() + 1);
            }
        }
    }

    /** A lock or monitor was released: undo one {@link #pin()}, if there is one. */
    public static void unpin() {
        if (!onAnM()) {
            return;
        }
        if (Current.thread() instanceof M mp) {
            G gp = mp.curg;
            if (gp != null && gp.lockPins() > 0) {
                GoStack.unpinCurrent(); // first, as in pin
                gp.setLockPins(gp.lockPins() - 1);
                if (gp.lockPins() == 0 && gp.preempt) {
                    // Go's releasem: letting go of the last lock restores a preemption
                    // request deferred while pinned, so the next check acts on it.
                    Preempt.raisePreemptFlag();
                }
            }
        }
    }

    /**
     * The application's {@code lock.lock()}: taken in a frame C2 never merges with the
     * caller's ({@link Current#lockCall}, which says why), then pinned.
     */
    public static void lock(Lock lock) {
        if (!onAnM()) { // a plain thread never moves: the call as it was, inlined
            lock.lock();
            return;
        }
        lockUninterruptibly(lock, Current.LOCK);
        pin();
    }

    /** The application's {@code lock.lockInterruptibly()}, as {@link #lock}. */
    public static void lockInterruptibly(Lock lock) throws InterruptedException {
        if (!onAnM()) {
            lock.lockInterruptibly();
            return;
        }
        Current.lockCall(lock, Current.LOCK_INTERRUPTIBLY, 0, null);
        pin();
    }

    /** The application's {@code lock.tryLock()}, as {@link #lock}: pinned if it succeeded. */
    public static boolean tryLock(Lock lock) {
        if (!onAnM()) {
            return lock.tryLock();
        }
        boolean acquired = lockUninterruptibly(lock, Current.TRY_LOCK);
        if (acquired) {
            pin();
        }
        return acquired;
    }

    /** The application's {@code lock.tryLock(time, unit)}, as {@link #tryLock(Lock)}. */
    public static boolean tryLock(Lock lock, long time, TimeUnit unit) throws InterruptedException {
        if (!onAnM()) {
            return lock.tryLock(time, unit);
        }
        boolean acquired = Current.lockCall(lock, Current.TRY_LOCK_TIMED, time, unit);
        if (acquired) {
            pin();
        }
        return acquired;
    }

    /**
     * The application's {@code lock.unlock()}, in a frame of its own as {@link #lock} (the
     * owner check reads the current thread), then unpinned; a failed unlock throws before
     * the unpin.
     */
    public static void unlock(Lock lock) {
        if (!onAnM()) {
            lock.unlock();
            return;
        }
        lockUninterruptibly(lock, Current.UNLOCK);
        unpin();
    }

    /** {@link Current#lockCall} for an operation that cannot be interrupted. */
    private static boolean lockUninterruptibly(Lock lock, int op) {
        try {
            return Current.lockCall(lock, op, 0, null);
        } catch (InterruptedException e) {
            throw new AssertionError("lock operation " + op + " is not interruptible", e);
        }
    }

    /**
     * An owner-based synchronizer ({@code AbstractOwnableSynchronizer.setExclusiveOwnerThread},
     * called by its own tryAcquire or tryRelease) named owner: the current goroutine's thread
     * (it took the synchronizer: pin) or nobody (it let go: unpin). Counted once per
     * synchronizer, however often its owner is set while held (reentrancy), so that a
     * release always matches its acquisition. Other owners (a hand-off to another thread)
     * change nothing here.
     */
    public static void ownerSet(Object sync, Thread owner) {
        if (!onAnM() || !(Current.thread() instanceof M mp) || mp.curg == null) {
            return;
        }
        G gp = mp.curg;
        if (owner == mp) {
            if (gp.addOwnedSync(sync)) {
                pin();
            }
        } else if (owner == null && gp.removeOwnedSync(sync)) {
            unpin();
        }
    }

    /**
     * The start of a static initializer (the agent's hook, first thing in every
     * {@code <clinit>}): the current goroutine is initializing c (null in class files too old
     * to name it). Nothing on a plain thread. See {@link ClassInits}.
     */
    public static void clinitEnter(Class<?> c) {
        if (Current.thread() instanceof M mp) {
            G gp = mp.curg;
            if (gp != null) {
                ClassInits.enter(gp, c);
            }
        }
    }

    /** The end of c's static initializer, normal or exceptional: undoes {@link #clinitEnter}. */
    public static void clinitExit(Class<?> c) {
        if (Current.thread() instanceof M mp) {
            G gp = mp.curg;
            if (gp != null) {
                ClassInits.exit(gp, c);
            }
        }
    }

    /** For tests: how many static initializers the current goroutine is inside; -1 outside a goroutine. */
    public static int clinitDepth() {
        if (Current.thread() instanceof M mp && mp.curg != null) {
            ClassInits.State s = mp.curg.inits();
            return s == null ? 0 : s.depth;
        }
        return -1;
    }

    /** For tests: the locks and monitors the current goroutine holds pinned; -1 outside one. */
    public static int lockPins() {
        return Current.thread() instanceof M mp && mp.curg != null ? mp.curg.lockPins() : -1;
    }

    /**
     * entersyscall (or entersyscallblock) before a blocking call; returns what
     * {@link #exitSyscall} needs. On a plain thread, nothing.
     */
    public static Object enterSyscall(boolean block) {
        G gp = Entry.enter();
        if (gp == null || gp.m == null || gp.ctl() != null) {
            // A controlled run (Controlled) runs the call inline: its one M has nobody to
            // hand its P to.
            Entry.exit(gp);
            return null;
        }
        if (block) {
            Syscall.entersyscallblock(gp);
        } else {
            Syscall.entersyscall(gp);
        }
        return gp;
    }

    /** exitsyscall after the call {@link #enterSyscall} preceded, however it ended. */
    public static void exitSyscall(Object token) {
        if (token instanceof G gp) {
            StackReserve.reserve(); // a runtime entry (see Entry)
            // A runtime call inside the syscall may have left it already; the rest of the
            // call then ran as user code, which sysmon may be taking for blocked in the JDK
            // right now (claimBlocked). So announce ourselves first, as Entry.enter does, and
            // leave whatever syscall we are in once sysmon's claim, if any, is settled.
            M.IN_RUNTIME.setVolatile(gp.m, 1);
            Syscall.exitImplicit(gp);
            // Go's exitsyscall re-poisons the stack guard for a request that came meanwhile
            // (sysmon's, or a dying run's freeze): honour it on the way out.
            Preempt.preemptCheck(gp);
            Entry.exit(gp);
        }
    }

    /**
     * {@code Thread.sleep} under the agent: a goroutine sleeps on a timer and its M runs
     * others; a plain thread, or a pinned goroutine (it holds a lock, so it may not leave its
     * M; or it runs a static initializer, which the VM pins), sleeps the thread (the pinned
     * one as a blocking syscall: its P is handed off, and waking needs no P to run a timer,
     * which matters when the initializer's waiters hold the Ps: {@link ClassInits}).
     * Interruption is honoured as the JDK's: checked on entry only, since a goroutine's
     * sleep is not tied to a thread that {@code interrupt} could reach.
     */
    public static void sleep(long nanos) throws InterruptedException {
        M mp = Current.m();
        G gp = mp != null ? mp.curg : null;
        if (gp == null || gp.lockPins() > 0 || gp.inits() != null) {
            Object s = gp != null ? enterSyscall(true) : null;
            try {
                Thread.sleep(Duration.ofNanos(nanos));
            } finally {
                exitSyscall(s);
            }
            return;
        }
        if (Current.interrupted()) {
            throw new InterruptedException("sleep interrupted");
        }
        TimeRt.sleep(nanos);
    }
}
