package dev.gort.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Go's goroutineheader and printcreatedby shapes (traceback.go), and g.waitsince's minutes. */
class TracebackTest {
    @Test
    void headerShowsMinutesFromOneOnAndLockedToThread() {
        StringBuilder b = new StringBuilder();
        Traceback.header(b, 5, "chan receive", 3, true);
        Traceback.header(b, 6, "select", 0, false);
        Traceback.header(b, 7, "sleep", 1, false);
        assertEquals("goroutine 5 [chan receive, 3 minutes, locked to thread]:\n"
                + "goroutine 6 [select]:\n"
                + "goroutine 7 [sleep, 1 minutes]:\n", b.toString());
    }

    @Test
    void createdByNamesTheFunctionAndTheCreatorUnlessAThreadCreatedIt() {
        ProfRt.Frame site = new ProfRt.Frame(1, "a.B.c", "B.java", 12, false);
        StringBuilder b = new StringBuilder();
        Traceback.createdBy(b, site, 9);
        Traceback.createdBy(b, site, 0);
        Traceback.createdBy(b, null, 9);
        assertEquals("created by a.B.c in goroutine 9\n\tB.java:12\ncreated by a.B.c\n\tB.java:12\n", b.toString());
    }

    @Test
    void waitMinutesCountFromTheFirstLookAndOnlyWhileBlocked() {
        G gp = new G();
        gp.initDead();
        G.casgstatus(gp, G._Gdead, G._Grunnable);
        long now = System.nanoTime();
        assertEquals(0, Traceback.waitMinutes(gp, now), "runnable: no minutes");
        assertEquals(0, gp.waitsince(), "and no stamp");
        G.casgstatus(gp, G._Grunnable, G._Grunning);
        G.casgstatus(gp, G._Grunning, G._Gwaiting);
        assertEquals(0, Traceback.waitMinutes(gp, now), "first look: stamped, 0 minutes (Go: the first GC's markroot)");
        assertEquals(now, gp.waitsince());
        assertEquals(2, Traceback.waitMinutes(gp, now + 150_000_000_000L), "2.5 minutes later");
    }
}
