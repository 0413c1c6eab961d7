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
 * An unbuffered hand-off between two plain threads that each try the non-blocking
 * operation first and fall back to the blocking one: the sender trySend(1), else send(1);
 * the receiver tryRecv(), else recvOk(). On an unbuffered channel a non-blocking operation
 * can succeed only against a partner already blocked, so exactly one of three things
 * happens: the receiver blocked and trySend handed the value to it; the sender blocked and
 * tryRecv took the value from it; or both tries failed and the blocking operations met.
 * Both try operations succeeding would mean the value was handed over twice or conjured:
 * the lock-free fast paths (Go's full/empty checks) must not claim success, and a
 * successful trySend must mean the receiver got the value. Exactly one value is sent and
 * one received, so neither thread can hang unless a value is lost.
 *
 * <p>Result: r1 = how the send completed (1 trySend, 2 blocking send), r2 = how the
 * receive completed (1 tryRecv, 2 blocking receive), r3 = the value received (1), or -1
 * for ok=false, -2 for an exception.
 */
@JCStressTest
@Description("Channel: unbuffered hand-off between a plain-thread sender using trySend (then send) and a receiver "
        + "using tryRecv (then recv): the value is received exactly once, and a try succeeds only against a "
        + "blocked partner (never both tries).")
@Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "The receiver blocked; trySend handed the value to it.")
@Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "The sender blocked; tryRecv took the value from it.")
@Outcome(id = "2, 2, 1", expect = ACCEPTABLE, desc = "Both tries failed; the blocking operations met.")
@Outcome(expect = FORBIDDEN, desc = "Both tries succeeded (a duplicated or conjured hand-off), a wrong value, or an exception.")
@State
public class ChanTryHandoffTest {
    private final Chan<Integer> ch = Chan.make();

    @Actor
    public void sender(III_Result r) {
        try {
            if (ch.trySend(1)) {
                r.r1 = 1;
            } else {
                ch.send(1);
                r.r1 = 2;
            }
        } catch (Throwable t) {
            r.r1 = -2;
        }
    }

    @Actor
    public void receiver(III_Result r) {
        try {
            Recv<Integer> got = ch.tryRecv();
            if (got != null) {
                r.r2 = 1;
            } else {
                got = ch.recvOk();
                r.r2 = 2;
            }
            r.r3 = got.ok() ? got.value() : -1;
        } catch (Throwable t) {
            r.r3 = -2;
        }
    }
}
