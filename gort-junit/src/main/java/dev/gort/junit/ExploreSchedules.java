package dev.gort.junit;

import dev.gort.explore.Explore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method a test that runs its body under schedule exploration
 * ({@link Explore#run}): the body is the main goroutine of a controlled run, run again and
 * again under schedules gort chooses, until one fails or {@link #iterations()} are spent.
 *
 * <pre>{@code
 * @ExploreSchedules(strategy = "pct", depth = 2, iterations = 1000)
 * void counterKeepsEveryUpdate() {
 *     int[] counter = {0};            // build the state here: each run needs its own
 *     Chan<Integer> done = Chan.make(2);
 *     ...                             // Gort.go, channels, dev.gort.sync, dev.gort.time
 *     assertEquals(2, counter[0]);
 * }
 * }</pre>
 *
 * <p>Like {@code @RepeatedTest}, the annotation makes the method a test by itself (an added
 * {@code @Test} is harmless). A failing run fails the test with a
 * {@link FailingScheduleError} (an {@code AssertionError}) whose message carries the
 * schedule token and the line to paste instead of this annotation,
 * {@code @ReplaySchedule("gort1:...")}, with the run's own failure as its cause. A passing
 * exploration publishes a report entry {@code gort.explore} (runs made, the exploration's
 * config with its seed; for {@code exhaustive}, whether the schedules were exhausted).
 *
 * <p>The method is invoked once per run on the same test instance, after one
 * {@code @BeforeEach}: state kept in fields or made in {@code @BeforeEach} is shared by the
 * runs (and gort reports a channel or lock shared between runs as uncontrolled), so build
 * it in the method body. Parameters that JUnit resolves ({@code TestInfo},
 * {@code TestReporter}, ...) are passed to every run. An assumption that fails in a run
 * aborts the test. Other {@code InvocationInterceptor}s registered after this extension do
 * not see the runs.
 *
 * <p>A parameter that does not apply to the strategy ({@code depth} without {@code pct},
 * {@code preemptionBound} without {@code exhaustive}, {@code seed} with {@code exhaustive})
 * is refused rather than ignored, as are the values {@link Explore} refuses; the test
 * then fails with an {@code ExtensionConfigurationException} naming the annotation.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(ExploreExtension.class)
public @interface ExploreSchedules {

    /** The value of an int parameter left unset. */
    int UNSET = Integer.MIN_VALUE;

    /** The value of {@link #seed()} left unset: a fresh random seed for each exploration. */
    long RANDOM_SEED = Long.MIN_VALUE;

    /**
     * {@code "random"} (a uniform pick at every step, {@link Explore#random()}),
     * {@code "pct"} ({@link Explore#pct(int)}) or {@code "exhaustive"}
     * ({@link Explore#exhaustive(int)}).
     */
    String strategy() default "random";

    /**
     * PCT's bug depth, at least 1: the orderings between goroutines the bug needs (2: check,
     * another goroutine, act). Unset: 2. Only with {@code strategy = "pct"}.
     */
    int depth() default UNSET;

    /**
     * The exhaustive search's bound on preemptions per run, at least 0. Unset: 2.
     * Only with {@code strategy = "exhaustive"}.
     */
    int preemptionBound() default UNSET;

    /** Runs to try, at least 1 (default {@value Explore#DEFAULT_ITERATIONS}). */
    int iterations() default Explore.DEFAULT_ITERATIONS;

    /**
     * The exploration's seed (random and pct): the same seed explores the same schedules.
     * Unset: a random one, shown in the failure message and the report entry.
     */
    long seed() default RANDOM_SEED;

    /** Steps one run may take before it fails as a livelock, at least 1. Unset: {@value Explore#DEFAULT_MAX_STEPS}. */
    int maxSteps() default UNSET;

    /** {@link Explore.Config#gomaxprocs(int)}. Unset: any runnable goroutine may run next. */
    int gomaxprocs() default UNSET;
}
