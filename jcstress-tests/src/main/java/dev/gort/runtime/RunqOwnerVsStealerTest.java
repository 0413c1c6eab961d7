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
 * The owner of a P interleaves runqput and runqget while another P steals from it
 * (runqsteal: runqgrab copies half of the ring into the thief's ring, then commits by CAS
 * on the victim's head). The ring has 8 slots and never holds more than 6 Gs, so the
 * global queue is never involved. The arbiter then drains what is left, as the owner.
 *
 * <p>Result: r1 = mask of the goids seen (all 6: 63), r2 = duplicates, r3 = how many the
 * stealer got (any number: it shows how the race went).
 */
@JCStressTest
@Description("Run queue: owner runqput/runqget vs one concurrent runqsteal: every G put is taken exactly once "
        + "(by the owner, the stealer, or left in the ring), none lost, none duplicated.")
@Outcome(id = "63, 0, 0", expect = ACCEPTABLE, desc = "Each G taken once; the stealer got none.")
@Outcome(id = "63, 0, [1-6]", expect = ACCEPTABLE, desc = "Each G taken once; the stealer got some.")
@Outcome(expect = FORBIDDEN, desc = "A G was lost (bit missing from r1) or taken twice (r2 > 0).")
@State
public class RunqOwnerVsStealerTest {
    private final P victim = new P(0, 8);
    private final P thief = new P(1, 8);
    private final G[] gs = RunqTally.newGs(6);
    private final RunqTally owner = new RunqTally(8);
    private final RunqTally stealer = new RunqTally(8);

    @Actor
    public void owner() {
        RunQueue.runqput(victim, gs[0], false);
        RunQueue.runqput(victim, gs[1], false);
        RunQueue.runqput(victim, gs[2], false);
        owner.take(RunQueue.runqget(victim, null));
        RunQueue.runqput(victim, gs[3], false);
        RunQueue.runqput(victim, gs[4], false);
        owner.take(RunQueue.runqget(victim, null));
        RunQueue.runqput(victim, gs[5], false);
        owner.take(RunQueue.runqget(victim, null));
    }

    @Actor
    public void stealer() {
        for (int i = 0; i < 3; i++) {
            stealer.take(RunQueue.runqsteal(thief, victim, false));
            stealer.drain(thief); // the rest of the stolen batch, as the thief's owner
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        RunqTally left = new RunqTally(8);
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
