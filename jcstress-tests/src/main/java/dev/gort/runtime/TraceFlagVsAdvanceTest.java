package dev.gort.runtime;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * The write-flag protocol that lets a generation advance without stopping anybody
 * ({@link TraceThread}, {@link Tracer#advance}): a writer takes its flag, reads the
 * generation and writes into that generation's buffer; the tracer switches the generation,
 * waits for the flag to be clear, and flushes the old generation's buffer. An event
 * written into the old generation must be in what the tracer flushes; an event the flush
 * misses must have gone to the new generation.
 *
 * <p>Result: r1 = the generation the writer wrote to; r2 = what the tracer found in the old
 * generation's buffer when it flushed it (0: nothing).
 */
@JCStressTest
@Description("An event written in the old generation is always in its flushed buffer.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Written before the switch, flushed with the old generation.")
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "Written after the switch, into the new generation.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Written into the old generation after its flush: lost.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class TraceFlagVsAdvanceTest {
    private final TraceThread w = new TraceThread(Thread.currentThread());
    private volatile long gen = 1;
    /** The writer's buffers, per generation parity (a written event: its generation). */
    private final long[] buf = new long[2];

    @Actor
    public void writer(JJ_Result r) {
        w.lock();
        long g = gen;
        buf[(int) (g & 1)] = g;
        w.unlock();
        r.r1 = g;
    }

    @Actor
    public void tracer(JJ_Result r) {
        gen = 2;
        for (int i = 0; w.writing(); i++) {
            Thread.onSpinWait();
        }
        r.r2 = buf[1];
    }
}
