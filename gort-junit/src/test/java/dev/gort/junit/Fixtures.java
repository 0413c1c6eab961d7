package dev.gort.junit;

import dev.gort.Chan;
import dev.gort.Gort;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test classes that the tests run through JUnit's engine (EngineTestKit), many of them
 * failing on purpose. They run only when the kit sets {@value #ENABLED}, so that an IDE
 * running every test of the package does not report their failures (Surefire skips nested
 * classes anyway).
 */
final class Fixtures {
    private Fixtures() {}

    static final String ENABLED = "dev.gort.junit.fixtures";

    /**
     * The schedule that {@code LostUpdate.counts} (random, seed 1) fails on, pasted from its
     * failure message as a user would.
     */
    static final String LOST_UPDATE_TOKEN = "gort1:random:seed=71bb54d8d101b5b9:maxSteps=100000:check=4e89b244";

    /** The token in the README's example failure (found by an unseeded exploration of Readme.hitsAreCounted). */
    static final String README_TOKEN =
            "gort1:pct:depth=2:steps=13:seed=76141918e856da58:maxSteps=100000:check=7ab9c9ff";

    /** Calls of the fixtures' bodies (the configuration errors must fail before any). */
    static final AtomicInteger calls = new AtomicInteger();

    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(OnlyUnderTheKit.class)
    @interface Fixture {}

    static final class OnlyUnderTheKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(ENABLED).isPresent()
                    ? ConditionEvaluationResult.enabled("run by EngineTestKit")
                    : ConditionEvaluationResult.disabled("a fixture of gort-junit's tests, failing on purpose");
        }
    }

    @Fixture
    static class LostUpdate {
        @ExploreSchedules(iterations = 100, seed = 1)
        void counts() {
            calls.incrementAndGet();
            Programs.lostUpdate(false);
        }

        @ExploreSchedules(strategy = "pct", depth = 2, iterations = 300, seed = 3)
        void countsPct() {
            Programs.lostUpdate(false);
        }

        @ExploreSchedules(strategy = "exhaustive", preemptionBound = 1)
        void countsExhaustive() {
            Programs.lostUpdate(false);
        }

        @ReplaySchedule(LOST_UPDATE_TOKEN)
        void replayed() {
            calls.incrementAndGet();
            Programs.lostUpdate(false);
        }
    }

    /** The README's example, as printed there (an unset seed: a fresh exploration each time). */
    @Fixture
    static class Readme {
        static Runnable program() {
            return () -> {
                int[] hits = {0};
                Chan<String> log = Chan.make(10);
                for (int i = 0; i < 2; i++) {
                    Gort.go(() -> {
                        int seen = hits[0];           // read ...
                        log.send("visit");            // ... a gort operation ...
                        hits[0] = seen + 1;           // ... write: another goroutine may have run
                        log.send("done");
                    });
                }
                for (int i = 0; i < 4; i++) {
                    log.recv();
                }
                if (hits[0] != 2) {
                    throw new AssertionError("hits = " + hits[0]);
                }
            };
        }

        @ExploreSchedules(strategy = "pct", depth = 2, iterations = 1000)
        void hitsAreCounted() {
            program().run();
        }

        /** The token the README prints. */
        @ReplaySchedule(README_TOKEN)
        void hitsAreCountedReplayed() {
            program().run();
        }
    }

    @Fixture
    static class LostUpdateFixed {
        @ExploreSchedules(iterations = 200, seed = 1)
        void counts() {
            calls.incrementAndGet();
            Programs.lostUpdate(true);
        }

        @ExploreSchedules(strategy = "pct", iterations = 200)
        void countsPctRandomSeed() {
            Programs.lostUpdate(true);
        }

        /** The buggy schedule, replayed on the fixed program: it passes. */
        @ReplaySchedule(LOST_UPDATE_TOKEN)
        void replayed() {
            Programs.lostUpdate(true);
        }
    }

    @Fixture
    static class Deadlock {
        @ExploreSchedules(iterations = 100, seed = 5)
        void forgottenDone() {
            Programs.forgottenDone();
        }
    }

    @Fixture
    static class Exhaustive {
        @ExploreSchedules(strategy = "exhaustive")
        void all() {
            calls.incrementAndGet();
            Programs.yieldOnceEach();
        }

        @ExploreSchedules(strategy = "exhaustive", preemptionBound = 2, iterations = 2)
        void cutShort() {
            Programs.yieldOnceEach();
        }
    }

    @Fixture
    static class Bodies {
        /** A checked exception: the failure is the body's own, not InvocationTargetException. */
        @ExploreSchedules(iterations = 5, seed = 1)
        void throwsChecked() throws IOException {
            dev.gort.Gort.gosched();
            throw new IOException("disk full");
        }

        /** Resolved parameters reach every run. */
        @ExploreSchedules(iterations = 5, seed = 1)
        void withTestInfo(TestInfo info) {
            calls.incrementAndGet();
            assertEquals("withTestInfo", info.getTestMethod().orElseThrow().getName());
        }

        @ExploreSchedules(iterations = 5, seed = 1)
        void assumes() {
            Assumptions.assumeTrue(false, "not on this machine");
        }

        /** An added @Test is harmless: one test. */
        @Test
        @ExploreSchedules(iterations = 3, seed = 1)
        void alsoTest() {
            calls.incrementAndGet();
        }

        /** The body is a goroutine: Gort.go works, and so do channels. */
        @ExploreSchedules(iterations = 3, seed = 1)
        void goroutines() {
            dev.gort.Chan<Integer> c = dev.gort.Chan.make();
            dev.gort.Gort.go(() -> c.send(42));
            assertEquals(42, c.recv());
        }
    }

    /** The extension registered by hand on a class: plain tests run once, as usual. */
    @Fixture
    @ExtendWith(ExploreExtension.class)
    static class Plain {
        @Test
        void once() {
            calls.incrementAndGet();
            assertTrue(true);
        }
    }

    @Fixture
    static class BadInput {
        @ExploreSchedules(strategy = "dfs")
        void unknownStrategy() {
            calls.incrementAndGet();
        }

        @ExploreSchedules(strategy = "pct", depth = 0)
        void pctDepthZero() {
            calls.incrementAndGet();
        }

        @ExploreSchedules(strategy = "exhaustive", preemptionBound = -1)
        void negativeBound() {
            calls.incrementAndGet();
        }

        @ExploreSchedules(iterations = 0)
        void noIterations() {
            calls.incrementAndGet();
        }

        @ExploreSchedules(maxSteps = 0)
        void noSteps() {
            calls.incrementAndGet();
        }

        @ExploreSchedules(depth = 3)
        void depthWithoutPct() {
            calls.incrementAndGet();
        }

        @ExploreSchedules(strategy = "pct", preemptionBound = 1)
        void boundWithoutExhaustive() {
            calls.incrementAndGet();
        }

        @ExploreSchedules(strategy = "exhaustive", seed = 7)
        void seedWithExhaustive() {
            calls.incrementAndGet();
        }

        @ExploreSchedules(gomaxprocs = 0)
        void noProcs() {
            calls.incrementAndGet();
        }

        @ReplaySchedule("gort1:random:seed=zz")
        void malformedToken() {
            calls.incrementAndGet();
        }

        @ReplaySchedule("loom:preemptions=2:abc")
        void foreignToken() {
            calls.incrementAndGet();
        }

        @ReplaySchedule("gort1:random:seed=0123456789abcdef:maxSteps=100000:check=00000000")
        void corruptedToken() {
            calls.incrementAndGet();
        }

        @ExploreSchedules(iterations = 10)
        @ReplaySchedule("gort1:random:seed=0123456789abcdef:maxSteps=100000:check=00000000")
        void both() {
            calls.incrementAndGet();
        }

        @ExploreSchedules(iterations = 10)
        void unresolvableParameter(StringBuilder out) {
            calls.incrementAndGet();
        }
    }
}
