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
 * Two Ps, each owned by one actor, each getting from its own ring and stealing from the
 * other's, as idle Ps do in findRunnable. So every ring has two consumers at once (its
 * owner's runqget, the other P's runqgrab), and runqsteal writes the stolen batch into the
 * thief's ring beyond its tail while the other P may be copying (stale) slots of that same
 * ring to steal them: a G can move A to B and back. Each P starts with 3 Gs and its owner
 * puts one more; 8 Gs in all never overflow an 8-slot ring, so the global queue is never
 * involved (and runqsteal's overflow check cannot fire).
 *
 * <p>Result: r1 = mask of the goids seen (all 8: 255), r2 = duplicates, r3 = how many
 * actor A got.
 */
@JCStressTest
@Description("Run queue: two Ps each runqget from their own ring and runqsteal from the other's at once: "
        + "every G is taken exactly once, none lost, none duplicated.")
@Outcome(id = "255, 0, [0-8]", expect = ACCEPTABLE, desc = "Each G taken once (r3: how many A got).")
@Outcome(expect = FORBIDDEN, desc = "A G was lost (bit missing from r1) or taken twice (r2 > 0).")
@State
public class RunqMutualStealTest {
    private final P pa = new P(0, 8);
    private final P pb = new P(1, 8);
    private final G[] gs = RunqTally.newGs(8);
    private final RunqTally a = new RunqTally(10);
    private final RunqTally b = new RunqTally(10);

    public RunqMutualStealTest() {
        for (int i = 0; i < 3; i++) {
            RunQueue.runqput(pa, gs[i], false);
            RunQueue.runqput(pb, gs[4 + i], false);
        }
    }

    @Actor
    public void a() {
        RunQueue.runqput(pa, gs[3], false);
        a.take(RunQueue.runqget(pa, null));
        a.take(RunQueue.runqsteal(pa, pb, false));
        a.take(RunQueue.runqget(pa, null));
        a.take(RunQueue.runqsteal(pa, pb, false));
        a.take(RunQueue.runqget(pa, null));
    }

    @Actor
    public void b() {
        RunQueue.runqput(pb, gs[7], false);
        b.take(RunQueue.runqget(pb, null));
        b.take(RunQueue.runqsteal(pb, pa, false));
        b.take(RunQueue.runqget(pb, null));
        b.take(RunQueue.runqsteal(pb, pa, false));
        b.take(RunQueue.runqget(pb, null));
    }

    @Arbiter
    public void arbiter(III_Result r) {
        RunqTally left = new RunqTally(10);
        left.drain(pa);
        left.drain(pb);
        RunqTally.Sum sum = new RunqTally.Sum(gs);
        sum.add(a);
        sum.add(b);
        sum.add(left);
        r.r1 = sum.mask;
        r.r2 = sum.dups;
        r.r3 = a.count();
    }
}
