package dev.gort.explore;

import dev.gort.Gort;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** The order of timers due at the same instant is the strategy's choice, and the token replays it. */
class TimerOrderTest {

    /** Two goroutines sleep the same second, then print; the run fails on purpose, to name its order and give its token. */
    private static Runnable sleepers() {
        return () -> {
            List<String> out = new ArrayList<>();
            WaitGroup wg = new WaitGroup();
            for (String name : List.of("s1", "s2")) {
                wg.add(1);
                Gort.go(() -> {
                    Time.sleep(Duration.ofSeconds(1));
                    out.add(name);
                    wg.done();
                });
            }
            wg.await();
            throw new IllegalStateException("order " + out);
        };
    }

    /** Across seeds, both orders; each run's token replays its own, under both models. */
    @Test
    void twoSleepersPrintInBothOrdersAndTokensReplayThem() {
        for (int procs : new int[] {0, 1}) {
            Set<String> orders = new HashSet<>();
            for (long seed = 0; seed < 40; seed++) {
                Explore.Config c = Explore.random().iterations(1).seed(seed);
                Explore.Result r = Explore.run(procs == 1 ? c.gomaxprocs(1) : c, sleepers());
                String order = r.failure().getMessage();
                orders.add(order);
                for (int i = 0; i < 3; i++) {
                    IllegalStateException e = assertThrows(IllegalStateException.class,
                            () -> Explore.replay(r.schedule(), sleepers()));
                    assertEquals(order, e.getMessage(), r.schedule());
                }
            }
            assertEquals(Set.of("order [s1, s2]", "order [s2, s1]"), orders, "gomaxprocs " + procs);
        }
    }

    /**
     * With one P and no preemption, only the timers' order is left to choose: two runs, one
     * per order. The goroutine of the timer that fires last takes runnext and prints first,
     * as goroutineReady's goready does in Go.
     */
    @Test
    void withOnePAndNoPreemptionTheTimersOrderIsTheOnlyChoice() {
        Set<String> seen = new HashSet<>();
        Explore.Result r = Explore.run(Explore.exhaustive(0).gomaxprocs(1).iterations(100), () -> {
            try {
                sleepers().run();
            } catch (IllegalStateException e) {
                seen.add(e.getMessage());
            }
        });
        assertFalse(r.failed(), r::toString);
        assertTrue(r.exhausted(), r::toString);
        assertEquals(2, r.iterations());
        assertEquals(Set.of("order [s1, s2]", "order [s2, s1]"), seen);
    }

    /**
     * With every order allowed, the timers' order shows apart from the goroutines' picks:
     * AfterFunc starts its function's goroutine when the timer fires, so the goids say which
     * fired first (main is 1, the first to fire gets 2). Three tied timers: all 6 orders.
     */
    @Test
    void afterFuncGoidsFollowTheFiringOrder() {
        Set<String> orders = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            TreeMap<Long, String> byGoid = new TreeMap<>();
            Explore.Result r = Explore.run(Explore.random().iterations(1).seed(seed), () -> {
                WaitGroup wg = new WaitGroup();
                for (String name : List.of("a", "b", "c")) {
                    wg.add(1);
                    Time.afterFunc(Duration.ofMillis(5), () -> {
                        byGoid.put(Gort.goid(), name);
                        wg.done();
                    });
                }
                wg.await();
            });
            assertFalse(r.failed(), r::toString);
            assertEquals(Set.of(2L, 3L, 4L), byGoid.keySet());
            orders.add(String.join("", byGoid.values()));
        }
        assertEquals(Set.of("abc", "acb", "bac", "bca", "cab", "cba"), orders);
    }
}
