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
 * Makes a method a test that runs its body once, under the schedule of a token that a
 * failing {@link ExploreSchedules} printed ({@link Explore#replay}). The run's failure
 * propagates as it is (the same class and message as the exploration's, every time), so
 * a debugger or added prints see the failing interleaving. If the run passes, so does the
 * test (the bug is fixed, or the program changed since the token was printed: a token
 * replays the same schedule of the same program on the same gort), with a report entry
 * {@code gort.replay} saying so.
 *
 * <pre>{@code
 * @ReplaySchedule("gort1:pct:depth=2:steps=14:seed=...:maxSteps=100000:check=...")
 * void counterKeepsEveryUpdate() { ... }
 * }</pre>
 *
 * <p>A malformed, cut or foreign token fails the test with an
 * {@code ExtensionConfigurationException} naming the annotation and what is wrong.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(ExploreExtension.class)
public @interface ReplaySchedule {

    /** The schedule token, {@code gort1:...}, as the failure message printed it. */
    String value();
}
