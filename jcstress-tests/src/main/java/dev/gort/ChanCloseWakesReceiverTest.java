package dev.gort;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A close racing with a receiver blocked on a plain thread. The channel has one empty
 * slot; the receiver does two blocking recvOk(); the other thread does trySend(7) (it
 * always succeeds: the slot is free or the receiver is waiting) and then close. The first
 * receive blocks if it comes first and is woken by the send (the value handed straight to
 * the parked thread's sudog), else it takes 7 from the buffer, even if the channel is
 * already closed. The second receive blocks if it comes before the close and must be woken
 * by it (closechan readies the parked thread after dropping the channel lock), else it
 * finds the channel closed and drained; either way ok=false. A lost wake-up would hang the
 * test; the closer always closes, so nothing else can.
 *
 * <p>Result: r1, r2 = what the two receives got (7, or -1 for ok=false with a null value,
 * -2 for an exception, -3 for ok=false with a value), r3 = 1 if trySend returned true
 * and close returned normally (0 if trySend returned false, -2 if something threw).
 */
@JCStressTest
@Description("Channel: close racing with a receiver blocked on a plain thread (after a send to it): the receiver "
        + "gets the value, then wakes from the close with ok=false; nothing lost or duplicated, no hang.")
@Outcome(id = "7, -1, 1", expect = ACCEPTABLE, desc = "The value, then ok=false.")
@Outcome(expect = FORBIDDEN, desc = "Lost or wrong value, a receive after close and drain with ok=true, or an exception.")
@State
public class ChanCloseWakesReceiverTest {
    private final Chan<Integer> ch = Chan.make(1);

    private int recv() {
        try {
            Recv<Integer> got = ch.recvOk();
            if (!got.ok()) {
                return got.value() == null ? -1 : -3;
            }
            return got.value();
        } catch (Throwable t) {
            return -2;
        }
    }

    @Actor
    public void receiver(III_Result r) {
        r.r1 = recv();
        r.r2 = recv();
    }

    @Actor
    public void senderThenCloser(III_Result r) {
        try {
            r.r3 = ch.trySend(7) ? 1 : 0;
            ch.close();
        } catch (Throwable t) {
            r.r3 = -2;
        }
    }
}
