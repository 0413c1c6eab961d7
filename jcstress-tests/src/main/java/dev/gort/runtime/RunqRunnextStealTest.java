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
 * runnext: the owner's runqput(next=true) CASes the new G into runnext and kicks the old
 * one into the ring, while a stealer with stealRunNextG=true takes runnext by CAS whenever
 * it finds the ring empty (else half of the ring). The delicate case: the owner read the
 * old runnext and the stealer took it before the owner's CAS (the owner must retry, not
 * kick a G the stealer already has); or the owner kicked it and the stealer's CAS fails
 * (the stealer must retry and find it in the ring). The victim's status is _Pgcstop, so
 * the stealer never takes the 3 us back-off.
 *
 * <p>Result: r1 = mask of the goids seen (all 4: 15), r2 = duplicates, r3 = how many the
 * stealer got.
 */
@JCStressTest
@Description("Run queue: owner runqput(next=true) kicking the old runnext into the ring vs runqsteal with "
        + "stealRunNextG=true: every G is taken exactly once, none lost, none duplicated.")
@Outcome(id = "15, 0, [0-4]", expect = ACCEPTABLE, desc = "Each G taken once (r3: how many the stealer got).")
@Outcome(expect = FORBIDDEN, desc = "A G was lost (bit missing from r1) or taken twice (r2 > 0).")
@State
public class RunqRunnextStealTest {
    private final P victim = new P(0, 8);
    private final P thief = new P(1, 8);
    private final G[] gs = RunqTally.newGs(4);
    private final RunqTally owner = new RunqTally(6);
    private final RunqTally stealer = new RunqTally(6);

    public RunqRunnextStealTest() {
        RunQueue.runqput(victim, gs[0], true); // runnext = g1, ring empty
    }

    @Actor
    public void owner() {
        RunQueue.runqput(victim, gs[1], true); // runnext = g2, g1 kicked to the ring
        RunQueue.runqput(victim, gs[2], true); // runnext = g3, g2 kicked
        owner.take(RunQueue.runqget(victim, null));
        RunQueue.runqput(victim, gs[3], true);
    }

    @Actor
    public void stealer() {
        for (int i = 0; i < 3; i++) {
            stealer.take(RunQueue.runqsteal(thief, victim, true));
            stealer.drain(thief);
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        RunqTally left = new RunqTally(6);
        left.drain(victim);
        left.drain(thief);
        RunqTally.Sum sum = new RunqTally.Sum(gs);
        sum.add(owner);
        sum.add(stealer);
        sum.add(left);
        r.r1 = sum.mask;
        r.r2 = sum.dups;
        r.r3 = stealer.count();
    }
}
