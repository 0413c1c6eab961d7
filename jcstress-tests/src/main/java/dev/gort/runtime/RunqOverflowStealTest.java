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
 * Overflow: the owner puts 10 Gs on a 4-slot ring, so runqput takes runqputslow (copy half
 * of the ring, commit by CAS on the head, push the half plus the new G onto the global
 * queue) while a stealer grabs from the same ring. When the stealer's CAS wins,
 * runqputslow's fails and it must give up the copies (the ring is no longer full) and retry
 * the plain put; when runqputslow wins, the stealer must not keep its copies. Every G must
 * end up exactly once in (taken by the stealer) + (global queue) + (left in the rings).
 *
 * <h2>The global queue is shared</h2>
 * {@code Sched.runq} is one queue for the whole JVM, and jcstress runs many instances of
 * this test at once (actors of different instances overlap, and an instance's arbiter may
 * run while other instances' owners are still pushing). So no instance may assume the
 * global queue holds only its own Gs, and none may just discard what it drains. Instead,
 * every G of this test is an {@link OwnedG}, and whoever drains the global queue does so
 * entirely under {@code sched.lock}, counting each popped G in that G's own
 * {@code globalHits} (any other kind of G is pushed back in the same critical section).
 * An instance's arbiter runs after its owner's last push (jcstress orders actors before
 * the arbiter), and its drain empties the queue: so by the end of its drain, each of its
 * Gs that ever reached the global queue has been popped exactly once, by this drain or an
 * earlier one, and the counts are visible through the lock. Nothing else consumes the
 * global queue: no scheduler runs in the jcstress VM.
 *
 * <p>Result: r1 = mask of the goids seen (all 10: 1023), r2 = duplicates, r3 = how many
 * went through the global queue.
 */
@JCStressTest
@Description("Run queue overflow: owner runqput beyond capacity (runqputslow moves half to the global queue) "
        + "vs a concurrent runqsteal: every G ends up exactly once among taken, global queue, left in the ring.")
@Outcome(id = "1023, 0, [0-9]+", expect = ACCEPTABLE, desc = "Each G accounted for once (r3: how many went to the global queue).")
@Outcome(expect = FORBIDDEN, desc = "A G was lost (bit missing from r1) or duplicated (r2 > 0).")
@State
public class RunqOverflowStealTest {
    /** A G that counts how often it was popped from the global queue. */
    static final class OwnedG extends G {
        /** Written and read only under sched.lock. */
        int globalHits;
    }

    private static final int N = 10;

    private final P victim = new P(0, 4);
    private final P thief = new P(1, 4);
    private final G[] gs = new G[N];
    private final RunqTally stealer = new RunqTally(N + 2);

    public RunqOverflowStealTest() {
        for (int i = 0; i < N; i++) {
            gs[i] = new OwnedG();
            gs[i].goid = i + 1;
        }
    }

    @Actor
    public void owner() {
        for (G gp : gs) {
            RunQueue.runqput(victim, gp, false);
        }
    }

    @Actor
    public void stealer() {
        for (int i = 0; i < 3; i++) {
            stealer.take(RunQueue.runqsteal(thief, victim, false));
            stealer.drain(thief);
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        RunqTally left = new RunqTally(N + 2);
        left.drain(victim);
        left.drain(thief);
        drainGlobal();
        RunqTally.Sum sum = new RunqTally.Sum(gs);
        sum.add(stealer);
        sum.add(left);
        int global = 0;
        Sched.lock.lock();
        try {
            for (G gp : gs) {
                for (int k = ((OwnedG) gp).globalHits; k > 0; k--) {
                    sum.add(gp);
                    global++;
                }
            }
        } finally {
            Sched.lock.unlock();
        }
        r.r1 = sum.mask;
        r.r2 = sum.dups;
        r.r3 = global;
    }

    /** Empties the global queue, crediting each OwnedG to itself (see the class comment). */
    private static void drainGlobal() {
        Sched.lock.lock();
        try {
            GQueue others = new GQueue();
            // Bounded by the size, so that a corrupted list (a G pushed twice) cannot loop.
            for (int n = Sched.runq.size; n > 0; n--) {
                G gp = Sched.globrunqget();
                if (gp == null) {
                    break;
                }
                if (gp instanceof OwnedG og) {
                    og.globalHits++;
                } else {
                    others.pushBack(gp);
                }
            }
            Sched.globrunqputbatch(others);
        } finally {
            Sched.lock.unlock();
        }
    }
}
