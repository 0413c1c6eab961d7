package dev.gort.explore;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.runtime.ExploreRt;
import dev.gort.sync.Mutex;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * gomaxprocs(1): the orders Go's single-P scheduler can produce, and no others (GoOrdersTest
 * checks the order without preemption against Go itself). The counts below are worked out
 * by hand from proc.go's rules: {@code go} and goready put a goroutine in runnext (kicking
 * the old one to the local tail), Gosched and a preemption put the running one on the
 * global queue, and the next to run is runnext, else the local head, else the global head
 * (the every-61st-tick check does not come into these short runs: the tick starts at 6).
 * The strategy's only choice is preempt or not at a scheduling point of a goroutine that
 * has a rival queued; Gosched, blocking and returning leave none.
 */
class SingleProcTest {

    private static Explore.Result exhaust(Explore.Config c, Runnable program) {
        Explore.Result r = Explore.run(c.iterations(100_000), program);
        assertFalse(r.failed(), r::toString);
        assertTrue(r.exhausted(), r::toString);
        return r;
    }

    private static int count(int bound, Runnable program) {
        return exhaust(Explore.exhaustive(bound).gomaxprocs(1), program).iterations();
    }

    /** Every output an exhaustive search with this config reaches (each run's, once it ended: read by the next). */
    private static Set<String> outputs(Explore.Config c, Function<List<String>, Runnable> program) {
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        exhaust(c, () -> {
            if (!out.isEmpty()) {
                seen.add(String.join(" ", out));
            }
            out.clear();
            program.apply(out).run();
        });
        seen.add(String.join(" ", out));
        return seen;
    }

    /** {@code go a(); go b(); Gosched()}: main yields to the global queue; runnext b runs, then a, then main. */
    private static Function<List<String>, Runnable> twoThenGosched() {
        return out -> () -> {
            Gort.go(() -> out.add("a"));
            Gort.go(() -> out.add("b"));
            Gort.gosched();
            out.add("main");
        };
    }

    /**
     * The one scheduling point is main's {@code go b()} (a is queued by then; a and b make no
     * gort operation; Gosched is no point). Not preempted: b takes runnext and kicks a to the
     * local queue, Gosched sends main to the global queue: b, a, main. Preempted there: main
     * to the global queue, runnext a runs, then main starts b and yields: a, b, main. So 1
     * schedule without preemption and 2 with any bound above; with every order allowed, all
     * 6 orders of a, b and main.
     */
    @Test
    void goGoGosched() {
        List<String> out = new ArrayList<>();
        exhaust(Explore.exhaustive(0).gomaxprocs(1), () -> {
            out.clear();
            twoThenGosched().apply(out).run();
        });
        assertEquals(List.of("b", "a", "main"), out, "runnext: the last goroutine started runs first");
        Runnable p = twoThenGosched().apply(new ArrayList<>());
        assertEquals(List.of(1, 2, 2), List.of(count(0, p), count(1, p), count(5, p)));
        Set<String> one = outputs(Explore.exhaustive(5).gomaxprocs(1), twoThenGosched());
        assertEquals(Set.of("b a main", "a b main"), one);
        Set<String> any = outputs(Explore.exhaustive(5), twoThenGosched());
        assertEquals(Set.of("a b main", "a main b", "b a main", "b main a", "main a b", "main b a"), any);
        // Reachable with enough Ps, never with one: main resumes only after both ran.
        assertTrue(any.contains("main a b") && !one.contains("main a b"));
    }

    /**
     * {@code go A(); Gosched()}, A making one buffered send. main's Gosched is no point (main
     * goes to the global queue); A (runnext) has main queued as a rival, so its send is a
     * point: A runs on (a, main) or is preempted behind main (main, a): 1, 2, 2 schedules
     * with bounds 0, 1, 2. With every order allowed, main's Gosched is a point too (main may
     * go on, or A preempt it) and A can be preempted back: 1, 2, 3.
     */
    @Test
    void oneSendAfterGosched() {
        Function<List<String>, Runnable> p = out -> () -> {
            Chan<Integer> c = Chan.make(1);
            Gort.go(() -> {
                c.send(1);
                out.add("a");
            });
            Gort.gosched();
            out.add("main");
        };
        Runnable r = p.apply(new ArrayList<>());
        assertEquals(List.of(1, 2, 2), List.of(count(0, r), count(1, r), count(2, r)));
        List<Integer> any = new ArrayList<>();
        for (int b = 0; b <= 2; b++) {
            any.add(exhaust(Explore.exhaustive(b), r).iterations());
        }
        assertEquals(List.of(1, 2, 3), any);
    }

    /**
     * {@code c := make(chan, 2); go A(); go B(); <-c; <-c}, A sending "a" and B "b". Points:
     * P1 main's {@code go B} (A queued), P2 main's first receive (runnext B), P3 B's send (A
     * queued), P4 main's second receive, and so on. Without preemption: B runs first and
     * hands "b" to the waiting main, which runs next (runnext), then A: 1 schedule. With one
     * preemption, five: none; at P4 (main behind A, whose send then has main queued: its own
     * point, not taken); at P3 (B behind A: A hands "a" over first); at P2 (main behind B and
     * A, both sending into the buffer); at P1 (A runs first, then main starts B). With two,
     * eight more, one for each point reachable after one preemption where a second can be
     * taken: 13.
     */
    @Test
    void twoSendersCountedByHand() {
        Runnable p = () -> {
            Chan<String> c = Chan.make(2);
            Gort.go(() -> c.send("a"));
            Gort.go(() -> c.send("b"));
            c.recv();
            c.recv();
        };
        assertEquals(List.of(1, 5, 13), List.of(count(0, p), count(1, p), count(2, p)));
    }

    /**
     * shuttle's figure 5 shape with 3 yields: B must Gosched 3 times and set a flag before
     * main takes the lock. With enough Ps, one preemption of main finds it (B then runs on at
     * each Gosched). With one P, Gosched puts B on the global queue behind the preempted main,
     * so main runs again at B's first yield: no number of preemptions reaches it.
     */
    @Test
    void anOrderOnlyManyPsReach() {
        Runnable p = () -> {
            Mutex mu = new Mutex();
            boolean[] set = {false};
            Gort.go(() -> {
                for (int i = 0; i < 3; i++) {
                    Gort.gosched();
                }
                mu.lock();
                set[0] = true;
                mu.unlock();
            });
            mu.lock();
            boolean late = set[0];
            mu.unlock();
            if (late) {
                throw new IllegalStateException("B ran to completion first");
            }
        };
        Explore.Result any = Explore.run(Explore.exhaustive(1).iterations(1000), p);
        assertTrue(any.failed(), any::toString);
        assertEquals("B ran to completion first", any.failure().getMessage());
        Explore.Result one = exhaust(Explore.exhaustive(6).gomaxprocs(1), p);
        assertTrue(one.iterations() > 1, one::toString);
        assertFalse(Explore.run(Explore.random().gomaxprocs(1).iterations(500).seed(3), p).failed());
    }

    /** The same token gives the same run under gomaxprocs(1): choices and output, over 1000 seeds; and the runs vary. */
    @Test
    void sameScheduleSameRun() {
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Schedule s = new Schedule(i % 2 == 0 ? "random" : "pct", Schedule.SplitMix.mix(i), 100_000, 2, 60)
                    .gomaxprocs(1);
            assertTrue(s.token().contains(":gomaxprocs=1:"), s.token());
            List<String> out1 = new ArrayList<>();
            List<String> out2 = new ArrayList<>();
            ExploreRt.Outcome o1 = Explore.trial(s, Programs.busy(out1));
            ExploreRt.Outcome o2 = Explore.trial(Schedule.parse(s.token()), Programs.busy(out2));
            assertEquals(ExploreRt.PASS, o1.kind(), () -> s.token() + ": " + o1.message());
            assertArrayEquals(o1.choices(), o2.choices(), s.token());
            assertEquals(out1, out2, s.token());
            distinct.add(String.join("|", out1) + Arrays.toString(o1.choices()));
        }
        assertTrue(distinct.size() > 300, "distinct runs: " + distinct.size());
    }

    /**
     * The lost update is reachable with one P (a preemption between the read and the
     * write), and each strategy's token replays it, 10 times of 10, under gomaxprocs(1): the
     * token says so, and the same choices would make another run with every order allowed.
     */
    @Test
    void strategiesFindAndReplayUnderOneP() {
        for (Explore.Config c : List.of(Explore.random().seed(1), Explore.pct(2).seed(1), Explore.exhaustive(1))) {
            Explore.Result r = Explore.run(c.gomaxprocs(1).iterations(1000), Programs.lostUpdate());
            assertTrue(r.failed(), () -> c + ": " + r);
            assertEquals("lost update: counter is 1, want 2", r.failure().getMessage());
            assertTrue(r.schedule().contains(":gomaxprocs=1:"), r.schedule());
            ExploreRt.Outcome first = Explore.trial(Schedule.parse(r.schedule()), Programs.lostUpdate());
            for (int i = 0; i < 10; i++) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> Explore.replay(r.schedule(), Programs.lostUpdate()));
                assertEquals(r.failure().getMessage(), e.getMessage());
                assertArrayEquals(first.choices(), Explore.trial(Schedule.parse(r.schedule()), Programs.lostUpdate()).choices());
            }
        }
        // No preemption, no lost update: one P runs each worker's read and write together.
        assertFalse(Explore.run(Explore.exhaustive(0).gomaxprocs(1), Programs.lostUpdate()).failed());
    }

    /** GOMAXPROCS reads 1 inside a gomaxprocs(1) run, and the scheduler's own value otherwise. */
    @Test
    void gomaxprocsReadsOne() {
        int outside = Gort.gomaxprocs(0);
        int[] seen = new int[2];
        Explore.run(Explore.random().gomaxprocs(1).iterations(1).seed(1), () -> seen[0] = Gort.gomaxprocs(0));
        Explore.run(Explore.random().iterations(1).seed(1), () -> seen[1] = Gort.gomaxprocs(0));
        assertEquals(1, seen[0]);
        assertEquals(outside, seen[1]);
    }
}
