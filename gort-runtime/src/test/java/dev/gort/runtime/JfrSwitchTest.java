package dev.gort.runtime;

import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The switches the hot paths read (Jfr.blocked, syscall, handoff, fatal): up exactly while a
 * running recording enables the event (JFR's merged settings, an unmentioned event on by
 * default), set before Recording.start and stop return, so an event produced right after
 * start is seen; a settings change on a running recording is seen within the periodic
 * hook's second.
 */
class JfrSwitchTest {
    static final List<String> EVENTS = List.of("dev.gort.SchedulerSummary", "dev.gort.SyscallBlocked",
            "dev.gort.GoroutineBlocked", "dev.gort.Handoff", "dev.gort.Fatal");

    static String switches() {
        return "blocked=" + Jfr.blocked + " syscall=" + Jfr.syscall + " handoff=" + Jfr.handoff + " fatal=" + Jfr.fatal;
    }

    static final String ALL_ON = "blocked=true syscall=true handoff=true fatal=true";
    static final String ALL_OFF = "blocked=false syscall=false handoff=false fatal=false";

    @Test
    void onWhileARunningRecordingEnablesTheEvent() {
        Rt.start(); // the listener is installed at the start
        assertEquals(ALL_OFF, switches(), "no recording runs in this JVM yet (other tests close theirs)");
        try (Recording a = new Recording(); Recording b = new Recording()) {
            assertEquals(ALL_OFF, switches(), "a new recording is not running");
            a.start(); // mentions none of them: their defaults, on
            assertEquals(ALL_ON, switches());
            b.start();
            a.stop();
            assertEquals(ALL_ON, switches(), "b still runs");
            b.stop();
            assertEquals(ALL_OFF, switches());
            a.close();
            assertEquals(ALL_OFF, switches());
        }
        try (Recording c = new Recording()) {
            c.start();
            assertEquals(ALL_ON, switches());
        } // closed without a stop
        assertEquals(ALL_OFF, switches());
    }

    @Test
    void aRecordingThatDisablesThemCostsNothing() {
        Rt.start();
        try (Recording quiet = new Recording(); Recording some = new Recording()) {
            for (String e : EVENTS) {
                quiet.disable(e); // as the pprof server's CPU and allocation profiles do
            }
            quiet.start();
            assertEquals(ALL_OFF, switches());
            some.disable("dev.gort.GoroutineBlocked");
            some.enable("dev.gort.SyscallBlocked");
            some.start();
            // Merged: on if a recording enables it; an event only quiet mentions stays off.
            assertEquals("blocked=false syscall=true handoff=false fatal=false", switches());
            some.stop();
            assertEquals(ALL_OFF, switches());
        }
    }

    @Test
    void aSettingsChangeOnARunningRecordingIsSeenWithinASecond() throws Exception {
        Rt.start();
        try (Recording r = new Recording()) {
            r.disable("dev.gort.GoroutineBlocked");
            r.enable("dev.gort.SchedulerSummary").withPeriod(java.time.Duration.ofMillis(100));
            r.start();
            assertFalse(Jfr.blocked);
            r.enable("dev.gort.GoroutineBlocked"); // no state change: the periodic hook reads it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Jfr.blocked && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(Jfr.blocked, switches());
        }
        assertEquals(ALL_OFF, switches());
    }
}
