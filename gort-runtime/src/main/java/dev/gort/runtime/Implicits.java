package dev.gort.runtime;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state machine of implicit syscalls ({@code G.implicitSyscall}) and the counts that
 * sysmon, the preemption check and the deadlock detector read, in one place
 * ({@link Syscall}, "Implicit syscalls"; Differences from Go). States, with the kind bit
 * {@link Syscall#IMPLICIT_STUCK} (judged by the CPU clock) or without it (by the thread
 * state):
 * <pre>
 *   0 -> BLOCKED             sysmon's claim, under the _Gscan bit          ({@link #claimed})
 *   BLOCKED -> AWAKE         sysmon saw the thread run again (CAS)         ({@link #woke})
 *   AWAKE -> BLOCKED         sysmon saw it blocked again (CAS)             ({@link #blocked})
 *   BLOCKED -> BLOCKED|STUCK sysmon found it RUNNABLE without CPU (CAS)    ({@link #blocked})
 *   any -> 0                 the goroutine leaves the syscall (getAndSet)  ({@link #left})
 * </pre>
 * (AWAKE -> BLOCKED may also change the kind to STUCK.)
 * Counts: {@link #n} goroutines in any state; {@link #awake} in AWAKE (the preemption flag
 * stays up while any); {@link #stuck} in BLOCKED of the stuck kind (CheckDead does not
 * count their Ms as running). A count is raised before the CAS that enters its state and
 * lowered only by whoever takes the goroutine out of it (the winning CAS, or the
 * goroutine's getAndSet), so a count is never below the number of goroutines in its state
 * and never negative (jcstress: {@code ImplicitStatesTest}).
 */
final class Implicits {
    final AtomicInteger n = new AtomicInteger();
    final AtomicInteger awake = new AtomicInteger();
    final AtomicInteger stuck = new AtomicInteger();

    /** Sysmon, holding gp's scan bit: gp is now in an implicit syscall of the given kind (0 or STUCK). */
    void claimed(G gp, int kind) {
        n.incrementAndGet();
        if (kind != 0) {
            stuck.incrementAndGet();
        }
        gp.setImplicitSyscall(Syscall.IMPLICIT_BLOCKED | kind);
    }

    /** Sysmon: gp, seen in state st (BLOCKED), runs again. False if it left the syscall meanwhile. */
    boolean woke(G gp, int st) {
        int kind = st & Syscall.IMPLICIT_STUCK;
        awake.incrementAndGet(); // first, so the goroutine's decrement never precedes it
        if (!gp.casImplicitSyscall(st, Syscall.IMPLICIT_AWAKE | kind)) {
            awake.decrementAndGet(); // it left the syscall meanwhile
            return false;
        }
        if (kind != 0) {
            stuck.decrementAndGet();
        }
        return true;
    }

    /**
     * Sysmon: gp, seen in state st, is blocked (again), now judged of the given kind: from
     * AWAKE, or from BLOCKED of the thread-state kind to the stuck kind (a thread waiting
     * for a class initialization may look WAITING for a moment, then RUNNABLE for good).
     * False if it left the syscall meanwhile.
     */
    boolean blocked(G gp, int st, int kind) {
        int to = Syscall.IMPLICIT_BLOCKED | kind;
        boolean becomesStuck = kind != 0 && st != to;
        if (becomesStuck) {
            stuck.incrementAndGet(); // first: never below the true count
        }
        if (!gp.casImplicitSyscall(st, to)) {
            if (becomesStuck) {
                stuck.decrementAndGet();
            }
            return false;
        }
        if ((st & Syscall.IMPLICIT_AWAKE) != 0) {
            awake.decrementAndGet();
        } else if ((st & Syscall.IMPLICIT_STUCK) != 0 && kind == 0) {
            stuck.decrementAndGet();
        }
        return true;
    }

    /** The goroutine leaves its syscall (exitsyscall): clears its state; returns what it was. */
    int left(G gp) {
        int st = gp.takeImplicitSyscall();
        if (st != 0) {
            n.decrementAndGet();
            if ((st & Syscall.IMPLICIT_AWAKE) != 0) {
                awake.decrementAndGet();
            } else if ((st & Syscall.IMPLICIT_STUCK) != 0) {
                stuck.decrementAndGet();
            }
        }
        return st;
    }
}
