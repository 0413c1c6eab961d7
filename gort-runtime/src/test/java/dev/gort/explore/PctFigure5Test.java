package dev.gort.explore;

import dev.gort.Gort;
import dev.gort.runtime.ExploreRt;
import dev.gort.sync.Mutex;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * shuttle's "figure 5" (shuttle/tests/basic/pct.rs, after Fig. 5 of the PCT paper, Burckhardt
 * et al., ASPLOS 2010): a bug of depth 1 that a random walk almost never finds. A goroutine
 * yields 20 times, then sets a flag under a lock; main takes the lock once and fails if the
 * flag is already set. The bug needs a single ordering (the goroutine entirely before main's
 * lock), but a random walk must pick the goroutine at each of its 22 scheduling points in a
 * row (main's lock, 20 Goscheds, its own lock): probability 2^-22 per run. PCT(1) gives the
 * two goroutines random priorities and runs the higher: the goroutine wins with
 * probability 1/2, and then runs to the end.
 *
 * <p>Measured (the seeds are fixed below, so the test is deterministic): random, 100
 * iterations of seed 5: 0 runs of 100 hit the bug (and 1 of 10,000,000 runs of seed 7, against
 * 2.4 expected at 2^-22); PCT(1) with seed 5 fails at its 2nd iteration; over seeds 0..99,
 * PCT(1) found it within 20 iterations for 100 seeds of 100 (at most 11 iterations needed,
 * 2.1 on average), and 1006 of 2000 single PCT(1) runs (50.3 %) hit it.
 *
 * <p>Gosched is shuttle's {@code thread::sleep} here: a yield that lets the strategy pick
 * any goroutine. (A gort sleep would block on the virtual clock until main blocks too, which
 * rules the bug out; with gomaxprocs(1), Gosched queues the goroutine behind main, which rules
 * it out too: SingleProcTest.anOrderOnlyManyPsReach.)
 */
class PctFigure5Test {
    static final int YIELDS = 20;
    static final String BUG = "the goroutine ran to completion before main took the lock";

    static Runnable figure5() {
        return () -> {
            Mutex lock = new Mutex();
            int[] flag = {0};
            Gort.go(() -> {
                for (int i = 0; i < YIELDS; i++) {
                    Gort.gosched();
                }
                lock.lock();
                flag[0] = 1;
                lock.unlock();
            });
            lock.lock();
            int seen = flag[0];
            lock.unlock();
            if (seen == 1) {
                throw new IllegalStateException(BUG);
            }
        };
    }

    /** How many of n runs fail, each with the seed Explore.run would give iteration i of base (no stop at the first). */
    static int hits(String strategy, long base, int n) {
        return ExploreRt.session(() -> {
            int hit = 0;
            for (int i = 0; i < n; i++) {
                long seed = Schedule.SplitMix.mix(base + (i + 1) * 0x9e3779b97f4a7c15L);
                ExploreRt.Outcome o = new Schedule(strategy, seed, 10_000, 1, Explore.PCT_INITIAL_STEPS).execute(figure5());
                if (o.kind() != ExploreRt.PASS) {
                    assertEquals(BUG, o.thrown().getMessage());
                    hit++;
                }
            }
            return hit;
        });
    }

    @Test
    void randomMissesItIn100Iterations() {
        Explore.Result r = Explore.run(Explore.random().iterations(100).seed(5), figure5());
        assertFalse(r.failed(), r::toString);
        assertEquals(100, r.iterations());
        assertEquals(0, hits("random", 5, 100));
    }

    @Test
    void pct1FindsItWithin20IterationsAndTheTokenReplaysIt() {
        Explore.Result r = Explore.run(Explore.pct(1).iterations(20).seed(5), figure5());
        assertTrue(r.failed(), r::toString);
        assertEquals(BUG, r.failure().getMessage());
        assertTrue(r.iterations() <= 20);
        for (int i = 0; i < 10; i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Explore.replay(r.schedule(), figure5()));
            assertEquals(BUG, e.getMessage());
        }
    }

    /** PCT(1)'s bound for 2 goroutines is 1/2 per run: a 20-run budget misses with probability 2^-20. */
    @Test
    void pct1FindsItWithin20IterationsForAtLeast95Of100Seeds() {
        int found = 0;
        int most = 0;
        int total = 0;
        for (long seed = 0; seed < 100; seed++) {
            Explore.Result r = Explore.run(Explore.pct(1).iterations(20).seed(seed), figure5());
            if (r.failed()) {
                found++;
                most = Math.max(most, r.iterations());
                total += r.iterations();
            }
        }
        int hits = hits("pct", 0, 2000);
        System.out.printf("figure 5: PCT(1) found the bug within 20 iterations for %d of 100 seeds (at most %d"
                + " iterations, %.1f on average); %d of 2000 single PCT(1) runs hit it%n", found, most,
                found == 0 ? 0.0 : (double) total / found, hits);
        assertTrue(found >= 95, "PCT(1) found figure 5's bug for " + found + " of 100 seeds");
        assertTrue(hits > 800 && hits < 1200, "about half the PCT(1) runs hit the bug: " + hits + " of 2000");
    }
}
