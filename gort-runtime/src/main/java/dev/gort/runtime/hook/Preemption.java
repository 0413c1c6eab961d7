package dev.gort.runtime.hook;

import dev.gort.runtime.HookRt;

import java.lang.invoke.MethodHandles;

/**
 * The preemption check the agent injects at method prologues and loop back-edges, Go's
 * stackguard0 check: {@code if (Preemption.requested != 0) Preemption.preempt();}, injected
 * as a call of {@link #check()}.
 *
 * <p>Go poisons the running goroutine's own {@code stackguard0}; instrumented Java code
 * cannot cheaply find its goroutine (that needs the current thread, see
 * {@code dev.gort.runtime.Current}), so the flag is global: sysmon raises it whenever it
 * sets a goroutine's preemption request, and it is lowered as soon as no running
 * goroutine has a request it can act on. Outside those short windows every check costs
 * one load and one untaken branch.
 */
public final class Preemption {
    private Preemption() {}

    /**
     * Nonzero while some preemption request may be pending; a counter, so that lowering it
     * (a CAS from the value read before looking) never hides a request raised meanwhile.
     * Volatile: C2 hoists a plain read out of a hot loop, which then never sees the flag raised
     * (measured: a spinning loop missed it for good).
     */
    public static volatile int requested;

    static {
        try {
            HookRt.usePreemptionFlag(MethodHandles.lookup().findStaticVarHandle(Preemption.class, "requested", int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Initializes this class (which hands the flag to the runtime): the agent calls it at start. */
    public static void init() {}

    /**
     * The check itself, which the agent injects as one call (3 bytes of bytecode, where the
     * check written out at each site took 9): the JIT inlines this method (10 bytes, far
     * under the 35 bytes it always inlines), so compiled code reads the flag exactly as the
     * written-out check did, while each instrumented method grows 6 bytes less and so stays
     * under the JIT's inlining thresholds far more often (see the agent's PreemptChecks).
     */
    public static void check() {
        if (requested != 0) {
            preempt();
        }
    }

    /** The out-of-line slow path: yield the P if this goroutine has a request and may. */
    public static void preempt() {
        HookRt.preemptSlow();
    }
}
