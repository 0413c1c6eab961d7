package dev.gort.runtime;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The local run queue by itself (Go's runqput/runqget/runqsteal/runqputslow rules). */
class RunQueueTest {
    private static int nextId = 1_000_000;

    private static G g() {
        G g = new G();
        g.goid = nextId++;
        return g;
    }

    private static List<G> gs(int n) {
        List<G> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(g());
        }
        return l;
    }

    @Test
    void ringIsFifo() {
        P pp = new P(0, 8);
        List<G> in = gs(8);
        for (G g : in) {
            RunQueue.runqput(pp, g, false);
        }
        assertEquals(8, RunQueue.runqlen(pp));
        for (G g : in) {
            assertSame(g, RunQueue.runqget(pp, null));
        }
        assertNull(RunQueue.runqget(pp, null));
        assertTrue(RunQueue.runqempty(pp));
    }

    @Test
    void indicesWrapAround() {
        P pp = new P(0, 4);
        for (int round = 0; round < 1000; round++) {
            G a = g(), b = g(), c = g();
            RunQueue.runqput(pp, a, false);
            RunQueue.runqput(pp, b, false);
            RunQueue.runqput(pp, c, false);
            assertSame(a, RunQueue.runqget(pp, null));
            assertSame(b, RunQueue.runqget(pp, null));
            assertSame(c, RunQueue.runqget(pp, null));
        }
        assertTrue(RunQueue.runqempty(pp));
    }

    @Test
    void runnextRunsFirstAndInheritsTheTimeSlice() {
        P pp = new P(0, 8);
        M mp = new M(-1);
        G a = g(), next = g();
        RunQueue.runqput(pp, a, false);
        RunQueue.runqput(pp, next, true);
        assertSame(next, RunQueue.runqget(pp, mp));
        assertTrue(mp.inheritTime, "a G from runnext inherits the current time slice");
        assertSame(a, RunQueue.runqget(pp, mp));
        assertFalse(mp.inheritTime, "a G from the ring starts a new time slice");
    }

    @Test
    void newRunnextKicksTheOldOneToTheTailOfTheRing() {
        P pp = new P(0, 8);
        G a = g(), first = g(), second = g();
        RunQueue.runqput(pp, a, false);
        RunQueue.runqput(pp, first, true);
        RunQueue.runqput(pp, second, true);
        assertSame(second, RunQueue.runqget(pp, null));
        assertSame(a, RunQueue.runqget(pp, null));
        assertSame(first, RunQueue.runqget(pp, null));
        assertNull(RunQueue.runqget(pp, null));
    }

    @Test
    void stealTakesHalfRoundedUpFromTheHead() {
        for (int n = 1; n <= 16; n++) {
            P victim = new P(0, 16);
            P thief = new P(1, 16);
            List<G> in = gs(n);
            for (G g : in) {
                RunQueue.runqput(victim, g, false);
            }
            G first = RunQueue.runqsteal(thief, victim, false);
            int want = n - n / 2;
            assertSame(in.get(want - 1), first, "the last stolen G is returned to run");
            assertEquals(want - 1, RunQueue.runqlen(thief), "n=" + n);
            assertEquals(n - want, RunQueue.runqlen(victim), "n=" + n);
            for (int i = 0; i < want - 1; i++) {
                assertSame(in.get(i), RunQueue.runqget(thief, null), "the thief keeps the victim's order");
            }
            for (int i = want; i < n; i++) {
                assertSame(in.get(i), RunQueue.runqget(victim, null));
            }
        }
    }

    @Test
    void runnextIsStolenOnlyWhenAskedAndTheRingIsEmpty() {
        P victim = new P(0, 8);
        P thief = new P(1, 8);
        G next = g();
        RunQueue.runqput(victim, next, true);
        assertNull(RunQueue.runqsteal(thief, victim, false), "runnext is not stolen on the first passes");
        assertFalse(RunQueue.runqempty(victim));
        assertSame(next, RunQueue.runqsteal(thief, victim, true), "the last pass takes runnext");
        assertTrue(RunQueue.runqempty(victim));

        G a = g();
        G n2 = g();
        RunQueue.runqput(victim, a, false);
        RunQueue.runqput(victim, n2, true);
        assertSame(a, RunQueue.runqsteal(thief, victim, true), "the ring is preferred to runnext");
        assertSame(n2, RunQueue.runqget(victim, null));
    }

    @Test
    void runqemptySeesRunnext() {
        P pp = new P(0, 8);
        assertTrue(RunQueue.runqempty(pp));
        RunQueue.runqput(pp, g(), true);
        assertFalse(RunQueue.runqempty(pp));
    }

    @Test
    void drainTakesRunnextThenTheRing() {
        P pp = new P(0, 8);
        List<G> in = gs(5);
        G next = g();
        for (G g : in) {
            RunQueue.runqput(pp, g, false);
        }
        RunQueue.runqput(pp, next, true);
        GQueue q = RunQueue.runqdrain(pp);
        assertEquals(6, q.size);
        assertSame(next, q.pop());
        for (G g : in) {
            assertSame(g, q.pop());
        }
        assertTrue(RunQueue.runqempty(pp));
    }

    @Test
    void putbatchFillsUpToCapacityAndLeavesTheRest() {
        P pp = new P(0, 4);
        GQueue q = new GQueue();
        List<G> in = gs(6);
        for (G g : in) {
            q.pushBack(g);
        }
        RunQueue.runqputbatch(pp, q);
        assertEquals(4, RunQueue.runqlen(pp));
        assertEquals(2, q.size);
        assertSame(in.get(4), q.pop());
        for (int i = 0; i < 4; i++) {
            assertSame(in.get(i), RunQueue.runqget(pp, null));
        }
    }

    /**
     * A full ring moves its older half plus the new G to the global queue in one batch
     * (runqputslow). The global queue is the live runtime's, so this runs with the world
     * stopped and takes its Gs back out before restarting.
     */
    @Test
    void fullRingMovesHalfToTheGlobalQueue() {
        Rt.start();
        Stw.stopTheWorld();
        List<G> taken = new ArrayList<>();
        try {
            P pp = new P(0, 8);
            List<G> in = gs(9);
            Set<G> mine = new HashSet<>(in);
            Sched.lock.lock();
            int before = Sched.runq.size;
            Sched.lock.unlock();
            for (G g : in) {
                RunQueue.runqput(pp, g, false);
            }
            assertEquals(4, RunQueue.runqlen(pp), "half of the 8 stay local");
            Sched.lock.lock();
            try {
                assertEquals(before + 5, Sched.runq.size, "4 old ones and the new one went global");
                GQueue keep = new GQueue();
                for (G gp; (gp = Sched.runq.pop()) != null; ) {
                    if (mine.contains(gp)) {
                        taken.add(gp);
                    } else {
                        keep.pushBack(gp);
                    }
                }
                Sched.runq.pushBackAll(keep);
                Sched.runqsize = Sched.runq.size;
            } finally {
                Sched.lock.unlock();
            }
            assertEquals(List.of(in.get(0), in.get(1), in.get(2), in.get(3), in.get(8)), taken,
                    "the oldest half, then the new G, in order");
            for (int i = 4; i < 8; i++) {
                assertSame(in.get(i), RunQueue.runqget(pp, null));
            }
        } finally {
            Stw.startTheWorld();
        }
    }
}
