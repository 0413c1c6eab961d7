package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The rarely set part of a goroutine ({@link G}): what only some goroutines ever need (a
 * controlled run or synctest bubble, locks and class initializers the agent saw, the
 * tracer's and the profiles' state, LockOSThread, a sleep timer, an interrupt status, an
 * implicit syscall). A G points to it from {@link G#extra}, made by the first write of a
 * non-zero value ({@link G#ext()}), so a goroutine that needs none of it (most of them, and
 * most of the many that sit parked) pays one null reference instead of ~60 bytes.
 *
 * <p>Each field keeps the access discipline it had on G (documented at its accessor on G):
 * the side object only moves it. Once made, it stays with its G, also across the G's reuse
 * from the free list (newproc1 and goexit0 reset its fields, as they reset G's), so a G is
 * given at most one side object, published by CAS (two threads may make the first write at
 * once: the goroutine itself and, for instance, a tracer or a profile that looks at it).
 */
final class GExtra {
    static final VarHandle TRACE;
    static final VarHandle IMPLICIT_SYSCALL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TRACE = l.findVarHandle(GExtra.class, "trace", TraceSched.class);
            IMPLICIT_SYSCALL = l.findVarHandle(GExtra.class, "implicitSyscall", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** See {@link G#ctl()}. */
    Controlled ctl;
    /** See {@link G#bubble()}. */
    SynctestBubble bubble;
    /** See {@link G#inits()}. */
    ClassInits.State inits;
    /** See {@link G#ownedSyncs()}. */
    Object[] ownedSyncs;
    /** See {@link G#trace()}. */
    volatile TraceSched trace;
    /** See {@link G#profStack()}. */
    ProfRt.Stack profStack;
    /** See {@link G#leakCandidate()}. */
    GoroutineLeak.Candidate leakCandidate;
    /** See {@link G#blockStacks()}. */
    BlockStacks blockStacks;
    /** See {@link G#lockedm()}. */
    M lockedm;
    /** See {@link G#timer()}. */
    RuntimeTimer timer;
    /** See {@link G#waitsince()}. */
    long waitsince;
    /** See {@link G#lockPins()}. */
    int lockPins;
    /** See {@link G#implicitSyscall()}. */
    volatile int implicitSyscall;
    /** See {@link G#interrupted()}. */
    boolean interrupted;
}
