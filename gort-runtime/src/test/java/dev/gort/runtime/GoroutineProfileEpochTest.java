package dev.gort.runtime;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The goroutine profile's exactly-once state ({@code g.goroutineProfiled}) against a late
 * recorder: execute's barrier that read the epoch of a capture which has ended since, and a
 * later capture has begun (GoroutineProfile.tryRecord). Driven directly, with epochs no
 * capture of this JVM uses, on a G that is in no allgs.
 */
class GoroutineProfileEpochTest {
    private static G runnable() {
        G gp = new G();
        gp.initDead();
        gp.goid = 2_000_000_001L;
        G.casgstatus(gp, G._Gdead, G._Grunnable);
        return gp;
    }

    @Test
    void aLateRecorderDoesNotTakeBackALaterCapturesRecord() {
        G gp = runnable();
        int late = GoroutineProfile.epoch + 1_000_000;
        int next = late + 1;
        GoroutineProfile.tryRecord(gp, next); // the later capture records gp
        assertEquals(next, gp.goroutineProfiled);
        GoroutineProfile.tryRecord(gp, late); // the stalled barrier of the ended capture
        assertEquals(next, gp.goroutineProfiled, "moved back: the later capture would record gp twice");
    }

    @Test
    void aRecorderInProgressOfAnotherCaptureIsWaitedFor() throws InterruptedException {
        G gp = runnable();
        int late = GoroutineProfile.epoch + 2_000_000;
        int next = late + 1;
        gp.goroutineProfiled = GoroutineProfile.inProgress(late); // a late barrier is walking gp
        Thread t = new Thread(() -> GoroutineProfile.tryRecord(gp, next));
        t.start();
        // tryRecord backs off to parkNanos after a few dozen rounds: waiting, as it should.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (t.isAlive() && t.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(GoroutineProfile.inProgress(late), gp.goroutineProfiled,
                "the later capture's recorder overwrote a recording in progress");
        gp.goroutineProfiled = late; // the late barrier is done (its record went nowhere)
        t.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(t.isAlive());
        assertEquals(next, gp.goroutineProfiled);
    }
}
