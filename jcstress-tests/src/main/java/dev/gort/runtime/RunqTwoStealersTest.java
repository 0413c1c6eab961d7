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
 * Two Ps steal from a third at once: both runqgrab calls copy overlapping runs of slots
 * and race on the victim's head CAS, so the loser must discard its copies and retry with
 * the new head. The victim's ring (8 slots) is full when the actors start (runnext empty);
 * each stealer steals three times, draining its own ring in between. The arbiter then
 * drains what is left, as the victim's owner.
 *
 * <p>jcstress runs a test only if it has a CPU per actor, so on the 2-CPU CI machine the
 * owner cannot get concurrently with two stealers: the owner's get racing one stealer is
 * {@link RunqOwnerVsStealerTest}, and {@link RunqMutualStealTest} has each ring consumed by
 * its owner and a stealer while it also receives stolen batches.
 *
 * <p>Result: r1 = mask of the goids seen (all 8: 255), r2 = duplicates, r3 = how many the
 * first stealer got.
 */
@JCStressTest
@Description("Run queue: two concurrent runqsteal (different thief Ps) on one full victim ring: every G is taken "
        + "exactly once, none lost, none duplicated.")
@Outcome(id = "255, 0, [0-8]", expect = ACCEPTABLE, desc = "Each G taken once (r3: how many the first stealer got).")
@Outcome(expect = FORBIDDEN, desc = "A G was lost (bit missing from r1) or taken twice (r2 > 0).")
@State
public class RunqTwoStealersTest {
    private final P victim = new P(0, 8);
    private final P thief1 = new P(1, 8);
    private final P thief2 = new P(2, 8);
    private final G[] gs = RunqTally.newGs(8);
    private final RunqTally stealer1 = new RunqTally(10);
    private final RunqTally stealer2 = new RunqTally(10);

    public RunqTwoStealersTest() {
        for (G gp : gs) {
            RunQueue.runqput(victim, gp, false); // 8 Gs in 8 slots: full, not overflowing
        }
    }

    @Actor
    public void stealer1() {
        for (int i = 0; i < 3; i++) {
            stealer1.take(RunQueue.runqsteal(thief1, victim, false));
            stealer1.drain(thief1);
        }
    }

    @Actor
    public void stealer2() {
        for (int i = 0; i < 3; i++) {
            stealer2.take(RunQueue.runqsteal(thief2, victim, false));
            stealer2.drain(thief2);
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        RunqTally left = new RunqTally(10);
        left.drain(victim);
        left.drain(thief1);
        left.drain(thief2);
        RunqTally.Sum sum = new RunqTally.Sum(gs);
        sum.add(stealer1);
        sum.add(stealer2);
        sum.add(left);
        r.r1 = sum.mask;
        r.r2 = sum.dups;
        r.r3 = stealer1.count();
    }
}
