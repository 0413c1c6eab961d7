package dev.gort.junit;

import dev.gort.explore.Explore;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The extension behind {@link ExploreSchedules} and {@link ReplaySchedule}.
 *
 * <p>Design: JUnit hands an interceptor the test method's invocation, which can be
 * proceeded only once, while an exploration runs the body many times, each time as the
 * main goroutine of a controlled run on gort's controller thread. So the interceptor skips
 * JUnit's invocation and calls the method itself, reflectively, on the same test instance
 * with the arguments JUnit resolved, inside {@link Explore#run} or {@link Explore#replay}.
 * The method's exceptions are unwrapped from {@link InvocationTargetException}, so a run's
 * failure is the test's own throwable (its class, message and stack), which is what
 * Explore records and what a replay throws again.
 *
 * <p>Configuration errors (the annotation's values, a bad token) are told apart from a
 * run's failures by whether the body has started: Explore validates everything before the
 * first run, and every failure of a run comes after the body started. They fail the test
 * with an {@link ExtensionConfigurationException} naming the annotation and the method.
 */
final class ExploreExtension implements InvocationInterceptor {

    /** PCT's depth when the annotation leaves it unset: a check, another goroutine, an act. */
    static final int DEFAULT_DEPTH = 2;
    /** The exhaustive search's preemption bound when unset (CHESS found most bugs within 2). */
    static final int DEFAULT_PREEMPTION_BOUND = 2;

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                    ExtensionContext context) throws Throwable {
        Method method = call.getExecutable();
        Optional<ExploreSchedules> explore = AnnotationSupport.findAnnotation(method, ExploreSchedules.class);
        Optional<ReplaySchedule> replay = AnnotationSupport.findAnnotation(method, ReplaySchedule.class);
        if (explore.isEmpty() && replay.isEmpty()) {
            invocation.proceed(); // registered on a class by hand: other methods run as usual
            return;
        }
        invocation.skip(); // the runs call the method themselves
        if (explore.isPresent() && replay.isPresent()) {
            throw new ExtensionConfigurationException("@ExploreSchedules and @ReplaySchedule on " + describe(method)
                    + ": use one (@ReplaySchedule runs one schedule that an @ExploreSchedules exploration printed)");
        }
        AtomicBoolean started = new AtomicBoolean();
        Runnable body = body(method, call.getTarget().orElse(null), call.getArguments().toArray(), started);
        if (explore.isPresent()) {
            explore(explore.get(), method, body, started, context);
        } else {
            replay(replay.get().value(), method, body, started, context);
        }
    }

    private static void explore(ExploreSchedules a, Method method, Runnable body, AtomicBoolean started,
                                ExtensionContext context) throws Throwable {
        String where = "@ExploreSchedules on " + describe(method);
        Explore.Config config;
        try {
            config = config(a, new java.security.SecureRandom().nextLong());
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(where + ": " + e.getMessage(), e);
        }
        Explore.Result r;
        try {
            r = Explore.run(config, body);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            if (started.get()) {
                throw e;
            }
            throw new ExtensionConfigurationException(where + ": " + e.getMessage(), e);
        }
        if (r.failed()) {
            Throwable f = r.failure();
            if (f instanceof TestAbortedException) {
                throw f; // an assumption failed in a run: the test is aborted, as without exploration
            }
            throw new FailingScheduleError(failureMessage(r, config), r.schedule(), f);
        }
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("gort.explore", passMessage(a, r, config));
        entry.put("gort.explore.runs", Integer.toString(r.iterations()));
        if (a.strategy().equals("exhaustive")) {
            entry.put("gort.explore.exhausted", Boolean.toString(r.exhausted()));
        }
        context.publishReportEntry(entry);
    }

    private static void replay(String token, Method method, Runnable body, AtomicBoolean started,
                               ExtensionContext context) {
        try {
            Explore.replay(token, body); // the run's failure propagates as it is
        } catch (IllegalArgumentException e) {
            if (started.get()) {
                throw e;
            }
            throw new ExtensionConfigurationException("@ReplaySchedule on " + describe(method) + ": " + e.getMessage(), e);
        }
        context.publishReportEntry("gort.replay", "the schedule passed (the bug is fixed, or the program or gort"
                + " changed since the token was printed): " + token);
    }

    /** The exploration an annotation asks for; an IllegalArgumentException says what is wrong. */
    static Explore.Config config(ExploreSchedules a, long randomSeed) {
        String strategy = a.strategy();
        if (!strategy.equals("random") && !strategy.equals("pct") && !strategy.equals("exhaustive")) {
            throw new IllegalArgumentException("unknown strategy \"" + strategy + "\" (known: random, pct, exhaustive)");
        }
        if (a.depth() != ExploreSchedules.UNSET && !strategy.equals("pct")) {
            throw new IllegalArgumentException("depth applies to strategy \"pct\" only, not \"" + strategy + "\"");
        }
        if (a.preemptionBound() != ExploreSchedules.UNSET && !strategy.equals("exhaustive")) {
            throw new IllegalArgumentException("preemptionBound applies to strategy \"exhaustive\" only, not \""
                    + strategy + "\"");
        }
        if (a.seed() != ExploreSchedules.RANDOM_SEED && strategy.equals("exhaustive")) {
            throw new IllegalArgumentException("seed does not apply to strategy \"exhaustive\" (a systematic search)");
        }
        Explore.Config c = switch (strategy) {
            case "pct" -> Explore.pct(a.depth() == ExploreSchedules.UNSET ? DEFAULT_DEPTH : a.depth());
            case "exhaustive" -> Explore.exhaustive(a.preemptionBound() == ExploreSchedules.UNSET
                    ? DEFAULT_PREEMPTION_BOUND : a.preemptionBound());
            default -> Explore.random();
        };
        c = c.iterations(a.iterations());
        if (!strategy.equals("exhaustive")) {
            // An unset seed is drawn here, not in Explore, so the message can name it: the
            // same seed explores the same schedules again.
            c = c.seed(a.seed() == ExploreSchedules.RANDOM_SEED ? randomSeed : a.seed());
        }
        if (a.maxSteps() != ExploreSchedules.UNSET) {
            c = c.maxSteps(a.maxSteps());
        }
        if (a.gomaxprocs() != ExploreSchedules.UNSET) {
            c = c.gomaxprocs(a.gomaxprocs());
        }
        return c;
    }

    static String failureMessage(Explore.Result r, Explore.Config config) {
        return "@ExploreSchedules found a failing schedule: run " + r.iterations() + " failed with " + r.failure()
                + "\n  schedule: " + r.schedule()
                + "\n  replay it: @ReplaySchedule(\"" + r.schedule() + "\") in place of @ExploreSchedules"
                + "\n  explored: " + config;
    }

    private static String passMessage(ExploreSchedules a, Explore.Result r, Explore.Config config) {
        String runs = "passed " + r.iterations() + (r.iterations() == 1 ? " run" : " runs");
        if (!a.strategy().equals("exhaustive")) {
            return runs + " of " + config;
        }
        return runs + (r.exhausted()
                ? ", exhausted: every schedule within the preemption bound was tried"
                : ", not exhausted: schedules within the preemption bound remain (raise iterations to try them all)")
                + "; " + config;
    }

    /** The method as one call of one run: the test's own throwable, unwrapped. */
    private static Runnable body(Method method, Object target, Object[] args, AtomicBoolean started) {
        method.trySetAccessible(); // package-private test classes and methods, as JUnit allows
        return () -> {
            started.set(true);
            try {
                method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw ExploreExtension.<RuntimeException>sneaky(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot call " + describe(method) + ": " + e.getMessage(), e);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }

    static String describe(Method m) {
        return m.getDeclaringClass().getSimpleName() + "." + m.getName() + Arrays.stream(m.getParameterTypes())
                .map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
    }
}
