package dev.gort.runtime;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A goroutine's status is written once per generation ({@link TraceSched#acquireStatus}):
 * two threads touching it first in the same generation (a waker's GoUnblock, the
 * goroutine's own M) race for it; exactly one writes the status, and the slot keeps the
 * winner's, which the end of the generation relies on to describe the goroutine.
 *
 * <p>Result: r1, r2 = 1 if that actor won; r3 = the status the slot holds.
 */
@JCStressTest
@Description("Exactly one writer wins a generation's status, and the slot holds its status.")
@Outcome(id = "1, 0, 4", expect = ACCEPTABLE, desc = "The waker (Waiting) won.")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "The M (Runnable) won.")
@Outcome(expect = FORBIDDEN, desc = "Both or neither won, or the slot disagrees.")
@State
public class TraceStatusOnceTest {
    private final TraceSched t = new TraceSched();

    @Actor
    public void waker(III_Result r) {
        r.r1 = t.acquireStatus(7, TraceSched.enc(TraceEvents.GoWaiting, -1)) ? 1 : 0;
    }

    @Actor
    public void m(III_Result r) {
        r.r2 = t.acquireStatus(7, TraceSched.enc(TraceEvents.GoRunnable, 3)) ? 1 : 0;
    }

    @Arbiter
    public void slot(III_Result r) {
        t.setStatusTraced(7, TraceSched.enc(TraceEvents.GoRunning, 5)); // a later creation keeps the first
        r.r3 = TraceSched.status(t.statusFor(7));
    }
}
