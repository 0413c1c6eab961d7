package dev.gort.runtime;

import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The switch the hot paths read (Jfr.on): up exactly while some recording runs, flipped
 * before Recording.start and stop return, so an event produced right after start is seen.
 */
class JfrSwitchTest {
    @Test
    void onWhileARecordingRuns() {
        Rt.start(); // the listener is installed at the start
        assertFalse(Jfr.on, "no recording runs in this JVM yet (other tests close theirs)");
        try (Recording a = new Recording(); Recording b = new Recording()) {
            assertFalse(Jfr.on, "a new recording is not running");
            a.start();
            assertTrue(Jfr.on);
            b.start();
            a.stop();
            assertTrue(Jfr.on, "b still runs");
            b.stop();
            assertFalse(Jfr.on);
            a.close();
            assertFalse(Jfr.on);
        }
        assertFalse(Jfr.on);
        try (Recording c = new Recording()) {
            c.start();
            assertTrue(Jfr.on);
        } // close without stop
        assertFalse(Jfr.on);
    }
}
