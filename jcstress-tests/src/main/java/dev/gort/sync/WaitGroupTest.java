package dev.gort.sync;

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
 * WaitGroup add/done/wait on two plain threads. The counter starts at 1 (add in the
 * constructor). A writes two plain fields, adds 1 more and calls done twice; B waits,
 * then reads the fields. Wait must return only when the counter is 0, and everything A
 * wrote before its last done must be visible after wait (Go's memory model: Done
 * synchronizes with the Wait it unblocks). Afterwards the group is reusable: add(1) and
 * done() in the arbiter, and wait returns at once.
 *
 * <p>Result: r1, r2 = the fields B read after wait (1, 2), r3 = whether the group was
 * reusable afterwards.
 */
@JCStressTest
@Description("sync.WaitGroup: Wait returns only after the last Done, sees the writes made before it, and leaves the group reusable.")
@Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "Wait returned after the last done and saw both writes.")
@Outcome(expect = FORBIDDEN, desc = "Wait returned early, missed a write, or left the group broken.")
@State
public class WaitGroupTest {
    private final WaitGroup wg = new WaitGroup();
    private int x;
    private int y;
    private int seenX;
    private int seenY;

    public WaitGroupTest() {
        wg.add(1);
    }

    @Actor
    public void a() {
        x = 1;
        wg.add(1);
        wg.done();
        y = 2;
        wg.done();
    }

    @Actor
    public void b() {
        wg.await();
        seenX = x;
        seenY = y;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = seenX;
        r.r2 = seenY;
        int reusable = 0;
        try {
            wg.add(1);
            wg.done();
            wg.await();
            reusable = 1;
        } catch (Throwable t) {
            reusable = 0;
        }
        r.r3 = reusable;
    }
}
