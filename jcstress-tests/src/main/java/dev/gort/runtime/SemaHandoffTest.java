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
 * The semaphore as a binary lock, on two plain threads: the count starts at 1 and each
 * actor acquires it, increments a plain counter (a read and a separate write), and
 * releases it. A, releasing in hand-off mode (a starving Mutex's semrelease(handoff=true)),
 * hands the count straight to B when B is queued (the sudog's ticket); B releases
 * normally. Each acquire must be satisfied by exactly one release: nobody sleeps forever
 * (a lost wake-up shows as a stuck actor), only one actor holds the count at a time, and
 * the count ends at 1, with nobody waiting.
 *
 * <p>Result: r1 = the counter, r2 = the final count, r3 = the final number of waiters.
 */
@JCStressTest
@Description("Sema: hand-off and normal releases racing acquires neither lose nor duplicate a count.")
@Outcome(id = "2, 1, 0", expect = ACCEPTABLE, desc = "Each acquire got the count once, one holder at a time.")
@Outcome(expect = FORBIDDEN, desc = "Two holders at once, a count lost or duplicated, or a waiter left queued.")
@State
public class SemaHandoffTest {
    private final Sema sema = new Sema();
    private int counter;

    public SemaHandoffTest() {
        sema.release(false); // count 1, no waiters
    }

    private void increment() {
        int v = counter;
        counter = v + 1;
    }

    @Actor
    public void a() {
        sema.acquire(false, WaitReason.SYNC_MUTEX_LOCK);
        increment();
        sema.release(true);
    }

    @Actor
    public void b() {
        sema.acquire(false, WaitReason.SYNC_MUTEX_LOCK);
        increment();
        sema.release(false);
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = counter;
        r.r2 = sema.count();
        r.r3 = sema.nwait();
    }
}
