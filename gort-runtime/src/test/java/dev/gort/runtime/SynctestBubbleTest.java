package dev.gort.runtime;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.Panic;
import dev.gort.explore.Explore;
import dev.gort.explore.Synctest;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;
import dev.gort.time.Timer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The bubble's internals: what programs without bubbles see (no association, no fake
 * clock, the fast paths again once every bubble is over, however it ended), and the
 * bubble's counters at rest.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SynctestBubbleTest {

    /** Outside bubbles: channels and timers are not associated, and no bubble counts as live. */
    @Test
    void programsWithoutBubblesTakeThePlainPaths() {
        assertFalse(SynctestBubble.anyLive(), "a bubble is counted while none runs");
        HChan c = Chan.make();
        assertNull(c.assoc);
        Gort.run(() -> {
            HChan c2 = Chan.make();
            assertNull(c2.assoc);
            assertNull(SynctestBubble.current());
            assertNull(Park.getg().bubble());
        });
    }

    /** Inside: the channel, timers and goroutines are the bubble's; the counters are consistent. */
    @Test
    void insideABubble() {
        AtomicReference<String> got = new AtomicReference<>();
        Synctest.run(() -> {
            G gp = Park.getg();
            SynctestBubble b = gp.bubble();
            HChan c = Chan.make();
            Timer t = Timer.newTimer(Duration.ofSeconds(1));
            G[] child = new G[1];
            Chan<Object> done = Chan.make();
            Gort.go(() -> {
                child[0] = Park.getg();
                done.recv();
            });
            Synctest.await();
            b.mu.lock();
            String counters = b.toString();
            b.mu.unlock();
            got.set((b == SynctestBubble.current()) + " " + (c.assoc == b) + " " + (((RuntimeTimer) timerOf(t)).bubble == b)
                    + " " + (child[0].bubble() == b) + " " + (b.root != gp) + " " + (b.main == gp) + " " + counters);
            done.close();
            t.stop();
        });
        // total: root, main and the child; running: main only (the child is durably blocked,
        // the root idle); active: 0.
        assertEquals("true true true true true true total=3 running=1 active=0", got.get());
        assertFalse(SynctestBubble.anyLive());
    }

    private static Object timerOf(Timer t) {
        try {
            var f = Timer.class.getDeclaredField("t");
            f.setAccessible(true);
            return f.get(t);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** However a bubble ends, it stops counting: returned, deadlocked, its run dead, its controlled run over. */
    @Test
    void everyEndStopsCounting() {
        Synctest.run(() -> {});
        assertFalse(SynctestBubble.anyLive(), "after a normal end");
        assertThrows(Panic.class, () -> Synctest.run(() -> Chan.make().recv()));
        assertFalse(SynctestBubble.anyLive(), "after a deadlock");
        assertThrows(FatalError.class, () -> Synctest.run(() -> {
            throw new IllegalStateException("boom");
        }));
        assertFalse(SynctestBubble.anyLive(), "after the bubble's run died");
        Explore.Result r = Explore.run(Explore.random().iterations(3).seed(1), () -> Synctest.run(() -> {
            Gort.go(() -> {
                throw new IllegalStateException("boom");
            });
            Time.sleep(Duration.ofSeconds(1));
        }));
        assertTrue(r.failed(), r.toString());
        assertFalse(SynctestBubble.anyLive(), "after a failed controlled run");
    }

    /**
     * An unrecovered deadlock panic reports, after the root's block, the bubble's goroutines
     * (Go's dopanic_m), with Go 1.26's headers: the durable wait reason and the bubble's id.
     */
    @Test
    void theDeadlockReportShowsTheBubblesGoroutines() {
        String report;
        try (dev.gort.tests.StderrCapture err = new dev.gort.tests.StderrCapture()) {
            assertThrows(FatalError.class, () -> Gort.run(() -> Synctest.run(() -> {
                Chan<Object> c = Chan.make();
                Gort.go(() -> {
                    Time.sleep(Duration.ofDays(1));
                    c.recv();
                });
                c.recv();
            })));
            report = err.text();
        }
        assertTrue(report.startsWith("panic: deadlock: all goroutines in bubble are blocked\n"), report);
        assertTrue(report.matches("(?s).*\ngoroutine \\d+ \\[chan receive \\(durable\\), synctest bubble \\d+\\]:\n.*"), report);
    }

    /**
     * Go's TestWaitGroupLinkerAllocated, gort's way: a WaitGroup made outside any bubble is
     * never the bubble's; used inside, its operations are not durable, and do not fail.
     */
    @Test
    void aWaitGroupMadeOutsideWorksInsideABubble() {
        WaitGroup wg = new WaitGroup();
        Synctest.run(() -> {
            wg.go(() -> {});
            wg.await();
        });
        wg.add(1);
        wg.done();
    }

    /** A WaitGroup made outside bubbles and controlled runs has no association (its Add is the plain one). */
    @Test
    void aPlainWaitGroupHasNoAssociation() throws Exception {
        var f = WaitGroup.class.getDeclaredField("assoc");
        f.setAccessible(true);
        assertNull(f.get(new WaitGroup()));
        AtomicReference<Object> inside = new AtomicReference<>();
        Synctest.run(() -> inside.set(new WaitGroup()));
        assertNotNull(f.get(inside.get()));
    }
}
