package dev.gort.runtime;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A goroutine entering a syscall races sysmon retaking its P (Go's retake through
 * setBlockOnExitSyscall and releaseP). Once the goroutine is in _Gsyscall the P may be
 * unwired at any moment, so entersyscall must not read {@code m.p} after the switch (Go:
 * "we must not touch it after this point"); the P's run queue holds a G, so entersyscall
 * takes its wake-sysmon path. Sysmon retakes the moment it sees the syscall, so its writes
 * land in the few instructions after the switch (a goroutine descheduled there was how CI
 * met it: SysmonTest, an NPE in entersyscall). The M and P are built by hand and never run:
 * nothing but the two functions under test touches them.
 *
 * <p>Result: r1 = 1 if entersyscall failed, r2 = 1 if sysmon retook the P, r3 = 1 if the P
 * ends consistent: idle and unwired from the M if retaken, else still wired and running.
 */
@JCStressTest
@Description("entersyscall racing sysmon's retake of the P never reads the P after the switch to _Gsyscall.")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "Sysmon retook the P of the goroutine in the syscall.")
@Outcome(expect = FORBIDDEN, desc = "entersyscall failed (it read the P after losing it), or the P is half unwired.")
@State
public class SyscallEnterVsRetakeTest {
    private final G gp = new G();
    private final M mp = new M(1);
    private final P pp = new P(0, 4);
    private int failed;
    private int retook;

    public SyscallEnterVsRetakeTest() {
        gp.initDead();
        G.casgstatus(gp, G._Gdead, G._Grunnable);
        G.casgstatus(gp, G._Grunnable, G._Grunning);
        gp.m = mp;
        mp.curg = gp;
        mp.p = pp;
        pp.m = mp;
        pp.status = P._Prunning;
        G queued = new G();
        queued.initDead();
        RunQueue.runqput(pp, queued, false);
    }

    @Actor
    public void goroutine() {
        try {
            Syscall.entersyscall(gp);
        } catch (Throwable t) {
            failed = 1;
        }
    }

    @Actor
    public void sysmon() {
        // Retake the moment the goroutine is in the syscall, to land in the window right after
        // the switch (the goroutine always gets there: entersyscall's switch cannot fail).
        while (G.readgstatus(gp) != G._Gsyscall) {
            Thread.onSpinWait();
        }
        Syscall.Claim c = Syscall.setBlockOnExitSyscall(pp);
        if (c != null) {
            c.releaseP(P._Pidle);
            c.resume();
            retook = 1;
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = failed;
        r.r2 = retook;
        boolean retaken = pp.status == P._Pidle && pp.m == null && mp.p == null;
        boolean kept = pp.status == P._Prunning && pp.m == mp && mp.p == pp;
        r.r3 = (retook == 1 ? retaken : kept) ? 1 : 0;
    }
}
