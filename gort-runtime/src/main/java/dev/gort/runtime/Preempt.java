package dev.gort.runtime;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Preemption, in one place: Go's preemptone and preemptall (proc.go), the stack-guard
 * check's slow path (newstack's preemption part, preempt.go) and gopreempt_m.
 *
 * <h2>Requests</h2>
 * Go's sysmon (a time slice over 10ms) and stop-the-world set {@code gp.preempt} on the
 * running goroutine and poison its {@code stackguard0}; the goroutine notices at its next
 * function prologue and yields to the global run queue ({@code gopreempt_m}), unless it
 * cannot be preempted now ({@code m.locks > 0}): then the request stays on the G and acts
 * later. {@code execute} clears it when the goroutine next starts a turn.
 *
 * <p>gort's goroutines notice at every runtime call ({@link Entry#enter()}); under the
 * agent, also at the checks injected into user code ({@link #preemptSlow}). A goroutine
 * that cannot yield (its continuation is pinned: a held lock, a native frame, a static
 * initializer) keeps running and the request stays, as with Go's {@code m.locks > 0}.
 *
 * <h2>The flag the injected checks read</h2>
 * Instrumented code cannot cheaply find its goroutine (that needs the current thread,
 * see {@link Current}), so the checks read one global counter instead of a per-G guard:
 * {@code dev.gort.runtime.hook.Preemption.requested}. {@link #raisePreemptFlag} bumps it
 * after setting a goroutine's {@code preempt}; {@link #preemptSlow} yields if the current
 * goroutine has a request and is not pinned, and otherwise lowers the counter (a CAS from
 * the value it read before looking) when no running goroutine has a request it can act
 * on. A request raised while it looked changes the counter, so the CAS fails and nothing
 * is lost. A pinned goroutine's request stays on the G; unpinning the last lock raises the
 * flag again (Go's releasem restores the poisoned guard), and sysmon re-raises it every
 * tick while the slice is over, so between those the flag is down for everyone else.
 *
 * <p>The counter lives in the hook package, which the agent's generated code links
 * against; the hook class hands this class a handle to it when it initializes
 * ({@link #useFlag}), so the runtime never names the hook package and the dependency runs
 * one way. Before that no injected check has ever run, so there is nothing to raise.
 *
 * <p>Rejected: a per-M or per-G flag (what Go has): instrumented code would have to find
 * its goroutine first, through {@link Current#thread()} (a call C2 may not inline), on
 * every check.
 */
final class Preempt {
    private Preempt() {}

    /** The injected checks' counter ({@code hook.Preemption.requested}); null until the hook class is used. */
    private static volatile VarHandle requested;

    /** Called once by the hook class that owns the counter, from its static initializer. */
    static void useFlag(VarHandle flag) {
        if (flag.varType() != int.class || !flag.coordinateTypes().isEmpty()) {
            throw new IllegalArgumentException("the preemption flag is a static int field: " + flag);
        }
        if (requested == null) {
            requested = flag;
        }
    }

    /**
     * Go's preemptone: request that the goroutine running on pp stop. Racy, as Go's: the
     * goroutine may be gone by the time it looks, and the request is then harmless
     * (execute clears it).
     */
    static boolean preemptone(P pp) {
        M mp = pp.m;
        if (mp == null) {
            return false;
        }
        G gp = mp.curg;
        if (gp == null) {
            return false;
        }
        gp.preempt = true;
        pp.preempt = true;
        raisePreemptFlag(); // after gp.preempt: the checks in user code see both
        return true;
    }

    /** Go's preemptall: ask every running goroutine to stop at its next check. */
    static void preemptall() {
        for (P pp : Sched.allp) {
            if (pp.status == P._Prunning) {
                preemptone(pp);
            }
        }
    }

    /** Called after setting a goroutine's preempt (Go's preemptone poisoning stackguard0). */
    static void raisePreemptFlag() {
        VarHandle flag = requested;
        if (flag == null) {
            return; // no injected check has run yet
        }
        for (;;) {
            int e = (int) flag.getVolatile();
            int n = e + 1 == 0 ? 1 : e + 1; // 0 means "no request": skip it on wrap-around
            if (flag.compareAndSet(e, n)) {
                return;
            }
        }
    }

    /**
     * Controllers whose running goroutine should yield at the injected checks (a controlled
     * run's step with a rival, {@link Controlled}). While it is nonzero {@link #preemptSlow}
     * keeps the flag up: the controller's private P is in no {@code allp}, so the look over
     * the Ps would not see that goroutine's request.
     */
    static final AtomicInteger controlledRequests = new AtomicInteger();

    /**
     * A controlled step wants its goroutine to yield at the next injected check: counts it
     * in {@link #controlledRequests} and raises the flag. False (and nothing done) without
     * the agent: no injected check has ever run, so there is nothing to raise.
     */
    static boolean raiseForControlledStep() {
        if (requested == null) {
            return false;
        }
        controlledRequests.incrementAndGet();
        raisePreemptFlag();
        return true;
    }

    /** The end of a step that {@link #raiseForControlledStep} raised for. */
    static void controlledStepDone() {
        controlledRequests.decrementAndGet();
    }

    /** Entry's check: a pending request is honoured at every runtime call, unless pinned. */
    static void preemptCheck(G gp) {
        if (gp.preempt) {
            gopreempt();
        }
    }

    /** Go's gopreempt_m entry: yield for a preemption request (to the global queue). */
    static void gopreempt() {
        if (Current.thread() instanceof M mp && mp.curg != null) {
            Controlled c = mp.ctl;
            if (c != null && c.continueWithoutYield(mp.curg)) {
                return; // a controlled run's strategy picked this goroutine again
            }
            Park.mcall(mp, M.GOPREEMPT_M); // pinned: the request stays (Go: m.locks > 0)
        }
    }

    /** Go's newstack, preemption part: the injected check's out-of-line path. */
    static void preemptSlow() {
        StackReserve.reserve(); // a runtime entry (see Entry): it may leave a syscall and yield
        VarHandle flag = requested;
        int epoch = (int) flag.getVolatile(); // before looking at any G (see the class comment)
        M mp = Current.m();
        G self = mp != null ? mp.curg : null;
        // A goroutine running without a P (sysmon moved it into an implicit syscall while its
        // thread was blocked) goes back for one, on its own M (Syscall.noticeWoken).
        if (self != null && self.implicitSyscall() != 0 && G.readgstatus(self) != G._Grunning) {
            Syscall.exitWoken(self);
        }
        if (self != null && self.preempt && self.lockPins() == 0 && !ClassInits.inside(self)) {
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
            if (g != null && g != self && g.preempt && g.lockPins() == 0 && g.inits() == null
                    && pp.status == P._Prunning) {
                return; // another goroutine has yet to act on its request
            }
            // A pinned one cannot act on it until it unpins, and unpin re-raises the flag
            // (Go's releasem): keeping the flag up meanwhile would send every check of every
            // other goroutine down this slow path (found with H2, which runs each statement
            // holding a lock: 19% of the CPU went here). The same for one inside a static
            // initializer (the VM pins it), whose last exit re-raises the flag (ClassInits).
        }
        if (controlledRequests.get() > 0) {
            return; // a controlled run's goroutine has yet to reach a check (its P is private)
        }
        flag.compareAndSet(epoch, 0);
    }
}
