package dev.gort.runtime;

import dev.gort.runtime.hook.Pinning;
import dev.gort.runtime.hook.Preemption;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/** The agent's hooks: pin counting, and the preemption flag around pins (Go's releasem). */
class HookRtTest {
    @Test
    void pinsCountAndAnUnmatchedReleaseIsIgnored() {
        AtomicReference<String> got = new AtomicReference<>();
        runWithProcs(1, () -> {
            Pinning.lockReleased(); // an unlock of a lock taken in uninstrumented code: no "pin underflow"
            int p0 = HookRt.lockPins();
            Pinning.monitorEntered();
            Pinning.lockAcquired();
            boolean no = Pinning.lockAcquiredIf(false);
            int p2 = HookRt.lockPins();
            Pinning.lockReleased();
            Pinning.monitorExited();
            got.set(p0 + " " + p2 + " " + HookRt.lockPins() + " " + no);
        });
        assertEquals("0 2 0 false", got.get());
        assertEquals(-1, HookRt.lockPins(), "a plain thread");
    }

    @Test
    void aRequestDeferredWhilePinnedIsRaisedAgainAtTheLastUnpin() {
        AtomicReference<String> got = new AtomicReference<>();
        runWithProcs(1, () -> {
            G gp = Current.m().curg;
            Pinning.lockAcquired();
            gp.preempt = true; // as sysmon's preemptone
            Preemption.requested = 0;
            Preemption.preempt(); // pinned: cannot act; the request stays on the G
            boolean stayed = gp.preempt;
            Pinning.lockReleased(); // the last pin: the flag goes up again
            int raised = Preemption.requested;
            Preemption.preempt(); // now it yields (to the global queue) and runs again
            got.set(stayed + " " + (raised != 0) + " " + gp.preempt);
        });
        assertEquals("true true false", got.get());
    }
}
