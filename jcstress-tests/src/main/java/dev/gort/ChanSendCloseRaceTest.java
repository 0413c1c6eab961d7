package dev.gort;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two senders, a receiver and a closer on a channel with a 1-slot buffer, on two plain
 * threads (jcstress needs a CPU per actor, and CI has 2): thread A sends 1, then closes;
 * thread B sends 2, then receives until ok=false. Each send either succeeds or panics with
 * "send on closed channel". The two sends race for the single slot, so the loser blocks:
 * if B's 2 got the slot, A blocks until B's first receive takes 2 and moves A's 1 into the
 * buffer (Go's recv from a full channel with a waiting sender), and only then closes; if
 * A's 1 got the slot, B blocks until A's close wakes it, and its send must panic and
 * deliver nothing. The receive loop then gets the buffered values after the close, and
 * ok=false once drained.
 *
 * <p>Nothing can hang: A blocks only while B's value fills the buffer, and B's next step is
 * to receive; B blocks only while A's value fills it, and A's next step is to close; the
 * close wakes every waiter.
 *
 * <p>Result: r1 = mask of the values whose send succeeded (bit v-1), r2 = error bits
 * (0 when every check passed):
 * <ul>
 *   <li>1: a value sent successfully was not received (lost);</li>
 *   <li>2: a value was received whose send panicked (or was never made);</li>
 *   <li>4: a value was received twice;</li>
 *   <li>16: a send panicked with another message, or threw something else;</li>
 *   <li>32: ok=false came with a value, or after it a receive returned a value or would
 *       block (a closed, drained channel answers ok=false at once);</li>
 *   <li>64: close threw (nobody else closes), or a send after close did not panic.</li>
 * </ul>
 */
@JCStressTest
@Description("Channel: senders racing a close on a buffered (cap 1) channel, with a receiver: each value sent "
        + "successfully is received exactly once, a send that panics (send on closed channel) delivers nothing, "
        + "and receives after close and drain return ok=false.")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "A's send won the slot; B blocked and its send panicked at the close.")
@Outcome(id = "3, 0", expect = ACCEPTABLE, desc = "B's send won the slot; A blocked until B received; both delivered.")
@Outcome(expect = FORBIDDEN, desc = "A check failed (r2 != 0), or A's send (made before any close) panicked.")
@State
public class ChanSendCloseRaceTest {
    private final Chan<Integer> ch = Chan.make(1);

    private int sentA;
    private int sentB;
    private int errA;
    private int errB;
    private final int[] received = new int[4];
    private int nReceived;

    /** Sends v; returns its bit if the send succeeded, 0 if it panicked as Go's does; errors into err[0]. */
    private static int send(Chan<Integer> ch, int v, int[] err) {
        try {
            ch.send(v);
            return 1 << (v - 1);
        } catch (Panic p) {
            if (!"send on closed channel".equals(p.getMessage())) {
                err[0] |= 16;
            }
        } catch (Throwable t) {
            err[0] |= 16;
        }
        return 0;
    }

    @Actor
    public void senderThenCloser() {
        int[] err = new int[1];
        sentA = send(ch, 1, err);
        try {
            ch.close();
        } catch (Throwable t) {
            err[0] |= 64;
        }
        errA = err[0];
    }

    @Actor
    public void senderThenReceiver() {
        int[] err = new int[1];
        sentB = send(ch, 2, err);
        try {
            for (;;) {
                Recv<Integer> r = ch.recvOk();
                if (!r.ok()) {
                    if (r.value() != null) {
                        err[0] |= 32;
                    }
                    break;
                }
                if (nReceived < received.length) {
                    Integer v = r.value();
                    received[nReceived] = v == null ? 0 : v; // 0: never sent
                }
                nReceived++;
            }
            Recv<Integer> again = ch.tryRecv();
            if (again == null || again.ok()) {
                err[0] |= 32;
            }
        } catch (Throwable t) {
            err[0] |= 32;
        }
        errB = err[0];
    }

    @Arbiter
    public void arbiter(II_Result r) {
        int sent = sentA | sentB;
        int err = errA | errB;
        int seen = 0;
        for (int i = 0; i < Math.min(nReceived, received.length); i++) {
            int v = received[i];
            if (v < 1 || v > 2) {
                err |= 2;
                continue;
            }
            int bit = 1 << (v - 1);
            if ((seen & bit) != 0) {
                err |= 4;
            }
            seen |= bit;
        }
        if (nReceived > received.length) {
            err |= 4;
        }
        if ((sent & ~seen) != 0) {
            err |= 1;
        }
        if ((seen & ~sent) != 0) {
            err |= 2;
        }
        // Closed and drained: ok=false at once, and sends panic.
        Recv<Integer> after = ch.tryRecv();
        if (after == null || after.ok()) {
            err |= 32;
        }
        try {
            ch.trySend(9);
            err |= 64;
        } catch (Panic expected) {
            // send on closed channel
        }
        r.r1 = sent;
        r.r2 = err;
    }
}
