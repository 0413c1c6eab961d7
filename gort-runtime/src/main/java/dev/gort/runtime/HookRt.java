package dev.gort.runtime;

import dev.gort.runtime.hook.Preemption;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * The runtime side of the agent's hooks ({@code dev.gort.runtime.hook}): the preemption
 * check's slow path, pinning for held locks and monitors, syscalls around blocking JDK
 * calls, and sleep. Internal: public only because the hook package is another package.
 *
 * <h2>The preemption flag</h2>
 * Go's sysmon poisons the running goroutine's {@code stackguard0} (preemptone) and its next
 * prologue calls {@code newstack}, which yields ({@code gopreempt_m}) unless the M holds
 * locks ({@code m.locks > 0}): then it only restores the guard and the request stays, to
 * be re-armed at sysmon's next tick. Here the injected checks read one global counter,
 * {@link Preemption#requested}: {@link #raisePreemptFlag} bumps it after setting a
 * goroutine's {@code preempt}; {@link #preemptSlow} yields if the current goroutine has a
 * request and is not pinned, and otherwise lowers the counter (CAS from the value it read
 * before looking) when no running goroutine has a request. A request raised while it looked
 * changes the counter, so the CAS fails and nothing is lost. A pinned goroutine's request
 * stays on the G, and sysmon raises the flag again at its next tick (as Go re-poisons
 * stackguard0), so the flag is down for all other goroutines between ticks.
 *
 * <p>Rejected: a per-M or per-G flag (what Go has): instrumented code would have to find
 * its goroutine first, through {@link Current#thread()} (a call C2 may not inline), on
 * every check.
 *
 * <h2>Pinning</h2>
 * A goroutine holding a monitor or an owner-based JDK lock must not leave its M (another
 * goroutine on that M would own the lock too: shared/DESIGN.md, "Thread identity"). The
 * agent calls {@link #pin()} after each acquisition and {@link #unpin()} after each
 * release; {@code G.lockPins} counts them, so an unpin without a matching pin (an
 * application's {@code unlock} of a lock taken in uninstrumented code) is ignored instead
 * of throwing the JDK's "pin underflow".
 */
public final class HookRt {
    private HookRt() {}

    private static final VarHandle REQUESTED;

    static {
        try {
            REQUESTED = MethodHandles.lookup().findStaticVarHandle(Preemption.class, "requested", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Called after setting a goroutine's preempt (Go's preemptone poisoning stackguard0). */
    static void raisePreemptFlag() {
        for (;;) {
            int e = (int) REQUESTED.getVolatile();
            int n = e + 1 == 0 ? 1 : e + 1; // 0 means "no request": skip it on wrap-around
            if (REQUESTED.compareAndSet(e, n)) {
                return;
            }
        }
    }

    /** Go's newstack, preemption part: the injected check's out-of-line path. */
    public static void preemptSlow() {
        int epoch = (int) REQUESTED.getVolatile(); // before looking at any G (see the class comment)
        M mp = Current.m();
        G self = mp != null ? mp.curg : null;
        // A goroutine running without a P (sysmon moved it into an implicit syscall while its
        // thread was blocked) goes back for one, on its own M (Syscall.noticeWoken).
        if (self != null && self.implicitSyscall() != 0 && G.readgstatus(self) != G._Grunning) {
            Syscall.exitWoken(self);
        }
        if (self != null && self.preempt && self.lockPins == 0) {
            G gp = Entry.enter(); // gopreempt_m: to the global queue (or the exitsyscall path)
            Entry.exit(gp);
            if (!self.preempt) {
                return; // yielded: execute cleared the request
            }
            // Could not yield (a native frame pins the stack): deferred, as with m.locks > 0.
        }
        if (Syscall.nawake.get() > 0) {
            return; // a goroutine without a P has yet to see the flag
        }
        for (P pp : Sched.allp) {
            M m = pp.m;
            G g = m != null ? m.curg : null;
            // lockPins is the other goroutine's plain field: a stale read only keeps the flag
            // up one more check, or lowers it early, and sysmon raises it again next tick.
            if (g != null && g != self && g.preempt && g.lockPins == 0 && pp.status == P._Prunning) {
                return; // another goroutine has yet to act on its request
            }
            // A pinned one cannot act on it until it unpins, and unpin re-raises the flag
            // (Go's releasem): keeping the flag up meanwhile would send every check of every
            // other goroutine down this slow path (found with H2, which runs each statement
            // holding a lock: 19% of the CPU went here).
        }
        REQUESTED.compareAndSet(epoch, 0);
    }

    /** A lock or monitor was taken: pin the current goroutine to its M. */
    public static void pin() {
        if (Current.thread() instanceof M mp) {
            G gp = mp.curg;
            if (gp != null) {
                gp.lockPins++;
                GoStack.pinCurrent();
            }
        }
    }

    /** A lock or monitor was released: undo one {@link #pin()}, if there is one. */
    public static void unpin() {
        if (Current.thread() instanceof M mp) {
            G gp = mp.curg;
            if (gp != null && gp.lockPins > 0) {
                gp.lockPins--;
                GoStack.unpinCurrent();
                if (gp.lockPins == 0 && gp.preempt) {
                    // Go's releasem: letting go of the last lock restores a preemption
                    // request deferred while pinned, so the next check acts on it.
                    raisePreemptFlag();
                }
            }
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
        if (!(Current.thread() instanceof M mp) || mp.curg == null) {
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

    /** For tests: the locks and monitors the current goroutine holds pinned; -1 outside one. */
    public static int lockPins() {
        return Current.thread() instanceof M mp && mp.curg != null ? mp.curg.lockPins : -1;
    }

    /**
     * entersyscall (or entersyscallblock) before a blocking call; returns what
     * {@link #exitSyscall} needs. On a plain thread, nothing.
     */
    public static Object enterSyscall(boolean block) {
        G gp = Entry.enter();
        if (gp == null || gp.m == null) {
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
            // A runtime call inside the syscall may have left it already; the rest of the
            // call then ran as user code, which sysmon may be taking for blocked in the JDK
            // right now (claimBlocked). So announce ourselves first, as Entry.enter does, and
            // leave whatever syscall we are in once sysmon's claim, if any, is settled.
            M.IN_RUNTIME.setVolatile(gp.m, 1);
            Syscall.exitImplicit(gp);
            Entry.exit(gp);
        }
    }

    /**
     * {@code Thread.sleep} under the agent: a goroutine sleeps on a timer and its M runs
     * others; a plain thread, or a pinned goroutine (it holds a lock, so it may not leave its
     * M), sleeps the thread (the pinned one as a blocking syscall: its P is handed off).
     * Interruption is honoured as the JDK's: checked on entry only, since a goroutine's
     * sleep is not tied to a thread that {@code interrupt} could reach.
     */
    public static void sleep(long nanos) throws InterruptedException {
        M mp = Current.m();
        G gp = mp != null ? mp.curg : null;
        if (gp == null || gp.lockPins > 0) {
            Object s = gp != null ? enterSyscall(true) : null;
            try {
                Thread.sleep(Duration.ofNanos(nanos));
            } finally {
                exitSyscall(s);
            }
            return;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("sleep interrupted");
        }
        TimeRt.sleep(nanos);
    }
}
