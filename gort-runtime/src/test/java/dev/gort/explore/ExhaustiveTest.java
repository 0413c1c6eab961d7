package dev.gort.explore;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.runtime.ExploreRt;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The exhaustive search: exact counts, bounds, failures and their replay. */
class ExhaustiveTest {

    private static int count(int bound, Runnable program) {
        Explore.Result r = Explore.run(Explore.exhaustive(bound).iterations(100_000), program);
        assertFalse(r.failed(), r.toString());
        assertTrue(r.exhausted(), r.toString());
        return r.iterations();
    }

    /**
     * main starts a goroutine whose body is empty, then calls Gosched. Scheduling points
     * are gort operations while another goroutine is runnable (a goroutine's end is none):
     * here only main's Gosched, where main may go on (then G2 runs alone) or G2 may preempt
     * it (then main runs alone): 1 schedule without preemption, 2 with one.
     */
    @Test
    void anEmptyGoroutine() {
        Runnable p = () -> {
            Gort.go(() -> { });
            Gort.gosched();
        };
        assertEquals(List.of(1, 2, 2), List.of(count(0, p), count(1, p), count(2, p)));
    }

    /**
     * Both call Gosched. At main's Gosched: main goes on (ends; G2 then runs alone: 1
     * schedule), or G2 preempts it (1 preemption) and yields at its own Gosched, where G2
     * goes on (then main: a second schedule) or main preempts it (a second preemption: the
     * third). So 1, 2, 3, 3 schedules with at most 0, 1, 2, 3 preemptions.
     */
    @Test
    void twoGoroutinesThatYieldOnce() {
        Runnable p = () -> {
            Gort.go(Gort::gosched);
            Gort.gosched();
        };
        assertEquals(List.of(1, 2, 3, 3), List.of(count(0, p), count(1, p), count(2, p), count(3, p)));
    }

    /** select between two ready channels: both picks are explored (select's draws are choice points). */
    @Test
    void selectsPicksAreExplored() {
        Set<String> seen = new HashSet<>();
        Runnable p = () -> {
            Chan<Integer> a = Chan.make(1);
            Chan<Integer> b = Chan.make(1);
            a.send(1);
            b.send(2);
            int[] got = new int[1];
            Select.select(Select.recv(a, v -> got[0] = v), Select.recv(b, v -> got[0] = v));
            seen.add("picked " + got[0]);
        };
        assertEquals(2, count(0, p)); // Go's poll order over two cases: 2 draws
        assertEquals(Set.of("picked 1", "picked 2"), seen);
    }

    /**
     * The search's count equals the number of distinct interleavings random runs reach (a
     * program small enough for 20,000 random runs to cover it, with no select).
     */
    @Test
    void theCountMatchesWhatRandomRunsReach() {
        Runnable p = () -> {
            Chan<Integer> c = Chan.make(2);
            for (int g = 0; g < 2; g++) {
                Gort.go(() -> c.send(1));
            }
            c.recv();
            c.recv();
        };
        int exhaustive = count(1_000, p);
        Set<String> distinct = new HashSet<>();
        ExploreRt.session(() -> { // one controller for all the runs
            for (int i = 0; i < 20_000; i++) {
                ExploreRt.Outcome o = new Schedule("random", Schedule.SplitMix.mix(i), 1000, 0, 0).execute(p);
                distinct.add(Arrays.toString(o.choices()));
            }
            return null;
        });
        assertTrue(exhaustive > 10, "a program with some interleavings: " + exhaustive);
        assertEquals(distinct.size(), exhaustive); // 120 when written
    }

    @Test
    void findsTheLostUpdateWithOnePreemptionAndReplaysIt() {
        Explore.Result none = Explore.run(Explore.exhaustive(0), Programs.lostUpdate());
        assertFalse(none.failed(), "without preemption the goroutines run one after the other: " + none);
        assertTrue(none.exhausted());
        Explore.Result r = Explore.run(Explore.exhaustive(1), Programs.lostUpdate());
        assertTrue(r.failed(), r.toString());
        assertEquals("lost update: counter is 1, want 2", r.failure().getMessage());
        assertTrue(r.schedule().startsWith("gort1:exhaustive:bound=1:choices="), r.schedule());
        for (int i = 0; i < 10; i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Explore.replay(r.schedule(), Programs.lostUpdate()));
            assertEquals(r.failure().getMessage(), e.getMessage());
        }
        Explore.Result fixed = Explore.run(Explore.exhaustive(2).iterations(100_000), Programs.lostUpdateFixed());
        assertFalse(fixed.failed(), fixed.toString());
        assertTrue(fixed.exhausted(), fixed.toString());
    }

    @Test
    void aBudgetTooSmallIsNotExhausted() {
        Explore.Result r = Explore.run(Explore.exhaustive(2).iterations(2), Programs.lostUpdateFixed());
        assertFalse(r.failed());
        assertFalse(r.exhausted());
        assertEquals(2, r.iterations());
    }

    @Test
    void choicesEncoding() {
        int[] c = {0, 0, 0, 0, 1, 2, 0, 0, 35, 0, 0, 0, 0, 0};
        String enc = Schedule.encode(c);
        assertEquals("-4-1200z", enc);
        assertArrayEquals(Arrays.copyOf(c, 9), Schedule.decode(enc));
        assertEquals("-", Schedule.encode(new int[] {0, 0}));
        assertArrayEquals(new int[0], Schedule.decode("-"));
        assertThrows(IllegalArgumentException.class, () -> Schedule.decode("-2-"));
        assertThrows(IllegalArgumentException.class, () -> Schedule.decode("0A"));
        // A token that does not fit the program: an IllegalArgumentException, not another run.
        String token = Schedule.exhaustive(1, 1000, new int[] {5, 5, 5}).token();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Explore.replay(token, () -> { }));
        assertTrue(e.getMessage().startsWith("schedule token does not fit this program"), e.getMessage());
    }
}
