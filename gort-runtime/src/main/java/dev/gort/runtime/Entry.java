package dev.gort.runtime;

/**
 * The door every call from user code into gort goes through ({@link #enter()} /
 * {@link #exit(G)}): Go's runtime entry points get the same effect from {@code getg()},
 * {@code acquirem()} and the stack guard check in the prologue.
 *
 * <p>Entering does four things:
 * <ol>
 *   <li>reserves the stack the runtime's work may need ({@link StackReserve}): a
 *       StackOverflowError is thrown here, before anything is done, or not at all;</li>
 *   <li>returns the caller's G (Go's {@code getg()}): a goroutine, a plain thread's
 *       {@link ExternalG}, or null on an M's own stack (g0);</li>
 *   <li>announces that the goroutine is running gort code ({@code m.inRuntime}), and
 *       checks that its M still owns its P: sysmon may have treated the M as blocked in a
 *       syscall while the goroutine was blocked in plain JDK code (a lock, {@code wait},
 *       {@code sleep}) and taken the P; the goroutine then takes the exitsyscall path
 *       before touching any P-owned state;</li>
 *   <li>honours a pending preemption request (Go: stackguard0 = stackPreempt makes the next
 *       prologue call the scheduler): the goroutine yields to the global run queue.</li>
 * </ol>
 *
 * <h2>The ownership handshake (docs/design.md, "Syscalls")</h2>
 * The goroutine writes {@code inRuntime = 1} (volatile) and then reads its status;
 * sysmon CASes the status to claim the goroutine (the {@code _Gscan} bit) and then reads
 * {@code inRuntime}. Both sides are sequentially consistent, so either sysmon sees the
 * goroutine inside gort and backs off, or the goroutine sees the claim and waits for it,
 * then leaves the implicit syscall. A goroutine blocked <em>inside</em> gort (a contended
 * runtime lock) has {@code inRuntime = 1} and is never claimed. Measured cost: one fence
 * per call, lost in the noise of a channel round trip.
 */
final class Entry {
    private Entry() {}

    /** Go's getg() for a runtime entry point, with the ownership and preemption checks. */
    static G enter() {
        StackReserve.reserve();
        M mp = Current.m();
        if (mp == null) {
            return ExternalG.current();
        }
        G gp = mp.curg;
        if (gp == null) {
            return null; // g0: the M's own runtime code (timers, the scheduler)
        }
        announce(mp, gp);
        if (gp.preempt) {
            Preempt.preemptCheck(gp);
        }
        return gp;
    }

    /**
     * {@link #enter()} without the preemption check, for entries that yield the P
     * themselves (Go's {@code //go:nosplit} Gosched: honouring a pending request on the way
     * in would yield twice; the yield itself clears the request, since execute does).
     */
    static G enterNosplit() {
        StackReserve.reserve();
        M mp = Current.m();
        if (mp == null) {
            return ExternalG.current();
        }
        G gp = mp.curg;
        if (gp != null) {
            announce(mp, gp);
        }
        return gp;
    }

    /** The handshake: say we run gort code, then leave any syscall sysmon moved us into. */
    private static void announce(M mp, G gp) {
        M.IN_RUNTIME.setVolatile(mp, 1);
        if (G.readgstatus(gp) != G._Grunning) {
            Syscall.exitImplicit(gp);
        }
    }

    /** Leaves gort code: user code follows (sysmon may now treat a block as a syscall). */
    static void exit(G gp) {
        if (gp != null) {
            M mp = gp.m;
            if (mp != null) {
                M.IN_RUNTIME.setRelease(mp, 0);
            }
        }
    }
}
