package dev.gort.runtime;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The implicit-syscall state machine ({@link Implicits}) for a goroutine waiting for a class
 * initialization: sysmon claimed it by its thread state (the wait looked WAITING for a
 * moment), then finds it RUNNABLE without CPU (stuck kind), then running, then stuck again,
 * while the goroutine leaves the syscall (exitsyscall) at any point. The counts must come
 * back to zero whoever wins each race, and never go negative: a lost decrement of
 * {@code stuck} would make the deadlock detector ignore a running M, a lost one of
 * {@code awake} would keep the preemption flag up for good.
 *
 * <p>Result: r1 = 1 if sysmon never saw a negative count after a step; r2, r3, r4: the
 * counts of goroutines in an implicit syscall, awake, and stuck, at the end.
 */
@JCStressTest
@Description("Sysmon's awake/blocked transitions of a stuck goroutine racing its exitsyscall keep the counts exact.")
@Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE, desc = "Every count back to zero, none ever negative.")
@Outcome(expect = FORBIDDEN, desc = "A count lost or doubled.")
@State
public class ImplicitStatesTest {
    private final Implicits c = new Implicits();
    private final G gp = new G();

    public ImplicitStatesTest() {
        c.claimed(gp, 0); // sysmon's claimBlocked
    }

    @Actor
    public void sysmon(IIII_Result r) {
        boolean ok = true;
        int st = gp.implicitSyscall();
        if (st != 0) {
            c.blocked(gp, st, Syscall.IMPLICIT_STUCK); // RUNNABLE without CPU: the stuck kind
        }
        ok &= nonNegative();
        st = gp.implicitSyscall();
        if (st != 0) {
            c.woke(gp, st); // its thread runs
        }
        ok &= nonNegative();
        st = gp.implicitSyscall();
        if (st != 0) {
            c.blocked(gp, st, st & Syscall.IMPLICIT_STUCK); // and stops again
        }
        ok &= nonNegative();
        r.r1 = ok ? 1 : 0;
    }

    @Actor
    public void goroutine() {
        c.left(gp);
    }

    private boolean nonNegative() {
        return c.awake.get() >= 0 && c.stuck.get() >= 0 && c.n.get() >= 0;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r2 = c.n.get();
        r.r3 = c.awake.get();
        r.r4 = c.stuck.get();
    }
}
