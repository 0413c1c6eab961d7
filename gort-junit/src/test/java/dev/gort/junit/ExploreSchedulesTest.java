package dev.gort.junit;

import dev.gort.FatalError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/**
 * The extension, through JUnit's own engine: the fixture classes (Fixtures) run under
 * EngineTestKit, and their results (failed, passed, aborted, with which throwable and which
 * report entries) are what a user's build would see.
 */
class ExploreSchedulesTest {

    private static EngineExecutionResults run(Class<?> fixture, String method) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter(Fixtures.ENABLED, "true")
                .selectors(selectMethod(fixture, method(fixture, method)))
                .execute();
    }

    private static Method method(Class<?> fixture, String name) {
        return Arrays.stream(fixture.getDeclaredMethods()).filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no method " + name + " in " + fixture));
    }

    /** The one test's failure; fails if it did not fail. */
    private static Throwable failure(Class<?> fixture, String method) {
        EngineExecutionResults r = run(fixture, method);
        r.testEvents().assertStatistics(s -> s.started(1).failed(1));
        return r.testEvents().failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
    }

    /** The one test's report entries; fails if it did not pass. */
    private static Map<String, String> passed(Class<?> fixture, String method) {
        EngineExecutionResults r = run(fixture, method);
        r.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        List<ReportEntry> entries = r.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow()).toList();
        assertEquals(1, entries.size(), entries.toString());
        return entries.get(0).getKeyValuePairs();
    }

    private static final Pattern TOKEN = Pattern.compile("schedule: (gort1:\\S+)");

    @Test
    void aFailingExplorationFailsTheTestWithTheToken() {
        Fixtures.calls.set(0);
        Throwable t = failure(Fixtures.LostUpdate.class, "counts");
        FailingScheduleError e = assertInstanceOf(FailingScheduleError.class, t);
        String m = e.getMessage();
        Matcher token = TOKEN.matcher(m);
        assertTrue(token.find(), m);
        assertEquals(token.group(1), e.schedule());
        assertTrue(e.schedule().startsWith("gort1:random:seed="), m);
        assertTrue(m.contains("@ReplaySchedule(\"" + e.schedule() + "\")"), m);
        assertTrue(m.contains("failed with java.lang.IllegalStateException: lost update: counter is 1, want 2"), m);
        assertTrue(m.contains("explored: Explore.random().iterations(100).seed(1)"), m);
        // The cause is the body's own throwable, thrown where the body threw it.
        IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("lost update: counter is 1, want 2", cause.getMessage());
        assertTrue(List.of(cause.getStackTrace()).stream().anyMatch(f -> f.getMethodName().equals("lostUpdate")),
                "the stack of the body: " + List.of(cause.getStackTrace()));
        // It took several runs (the bug is not in every schedule), fewer than the 100 allowed.
        int runs = Integer.parseInt(m.replaceAll("(?s).*run (\\d+) failed.*", "$1"));
        assertEquals(runs, Fixtures.calls.get(), m);
        assertTrue(runs > 1 && runs < 100, m);
        // The token in the fixture that replays it is this one (a user pastes it from the message).
        assertEquals(Fixtures.LOST_UPDATE_TOKEN, e.schedule(), "the seed-1 exploration now finds another schedule"
                + " (did gort's scheduling points change?): paste it into Fixtures.LOST_UPDATE_TOKEN");
    }

    /** The README's example fails as the README shows (pct finds it well within its 1,000 runs). */
    @Test
    void theReadmeExample() {
        FailingScheduleError e = assertInstanceOf(FailingScheduleError.class,
                failure(Fixtures.Readme.class, "hitsAreCounted"));
        assertEquals("hits = 1", assertInstanceOf(AssertionError.class, e.getCause()).getMessage());
        assertTrue(e.getMessage().matches("(?s)@ExploreSchedules found a failing schedule: run \\d+ failed with"
                + " java.lang.AssertionError: hits = 1\n  schedule: gort1:pct:depth=2:steps=\\d+:seed=[0-9a-f]{16}:.*"
                + "\n  replay it: @ReplaySchedule\\(\"gort1:pct:.*\"\\) in place of @ExploreSchedules"
                + "\n  explored: Explore\\.pct\\(2\\)\\.iterations\\(1000\\)\\.seed\\(-?\\d+\\)\\.maxSteps\\(100000\\)"),
                e.getMessage());
        // The README's token replays the README's failure.
        AssertionError replayed = assertInstanceOf(AssertionError.class,
                failure(Fixtures.Readme.class, "hitsAreCountedReplayed"));
        assertFalse(replayed instanceof FailingScheduleError);
        assertEquals("hits = 1", replayed.getMessage(), "the README's token no longer fails the README's"
                + " example (did gort's scheduling points change?): update the README and Fixtures.README_TOKEN");
    }

    @Test
    void pctAndExhaustiveFindItToo() {
        FailingScheduleError pct = assertInstanceOf(FailingScheduleError.class,
                failure(Fixtures.LostUpdate.class, "countsPct"));
        assertTrue(pct.schedule().startsWith("gort1:pct:depth=2:"), pct.getMessage());
        assertInstanceOf(IllegalStateException.class, pct.getCause());
        FailingScheduleError dfs = assertInstanceOf(FailingScheduleError.class,
                failure(Fixtures.LostUpdate.class, "countsExhaustive"));
        assertTrue(dfs.schedule().startsWith("gort1:exhaustive:bound=1:"), dfs.getMessage());
        assertInstanceOf(IllegalStateException.class, dfs.getCause());
    }

    /** @ReplaySchedule with the token from the message: the same failure, as it is, every time. */
    @Test
    void theTokenReplaysTheSameFailure() {
        for (int i = 0; i < 3; i++) {
            Fixtures.calls.set(0);
            Throwable t = failure(Fixtures.LostUpdate.class, "replayed");
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, t);
            assertEquals("lost update: counter is 1, want 2", e.getMessage());
            assertEquals(1, Fixtures.calls.get(), "one run");
        }
        // On the fixed program the schedule passes, and says so.
        Map<String, String> entry = passed(Fixtures.LostUpdateFixed.class, "replayed");
        assertTrue(entry.get("gort.replay").startsWith("the schedule passed"), entry.toString());
        assertTrue(entry.get("gort.replay").endsWith(Fixtures.LOST_UPDATE_TOKEN), entry.toString());
    }

    @Test
    void theFixedVersionPassesAndReportsItsRuns() {
        Fixtures.calls.set(0);
        Map<String, String> entry = passed(Fixtures.LostUpdateFixed.class, "counts");
        assertEquals("200", entry.get("gort.explore.runs"));
        assertEquals(200, Fixtures.calls.get());
        assertEquals("passed 200 runs of Explore.random().iterations(200).seed(1).maxSteps(100000)",
                entry.get("gort.explore"));
        assertFalse(entry.containsKey("gort.explore.exhausted"), "random does not exhaust anything");
        // An unset seed is a random one, named in the report so the exploration can be rerun.
        Map<String, String> a = passed(Fixtures.LostUpdateFixed.class, "countsPctRandomSeed");
        Map<String, String> b = passed(Fixtures.LostUpdateFixed.class, "countsPctRandomSeed");
        Pattern seed = Pattern.compile("passed 200 runs of Explore\\.pct\\(2\\)\\.iterations\\(200\\)\\.seed\\((-?\\d+)\\)\\..*");
        Matcher ma = seed.matcher(a.get("gort.explore"));
        Matcher mb = seed.matcher(b.get("gort.explore"));
        assertTrue(ma.matches() && mb.matches(), a + " " + b);
        assertNotEquals(ma.group(1), mb.group(1), "two explorations drew the same seed");
    }

    @Test
    void aDeadlockFailsWithGosText() {
        FailingScheduleError e = assertInstanceOf(FailingScheduleError.class,
                failure(Fixtures.Deadlock.class, "forgottenDone"));
        FatalError cause = assertInstanceOf(FatalError.class, e.getCause());
        assertEquals("all goroutines are asleep - deadlock!", cause.getMessage());
        assertTrue(e.getMessage().contains("@ReplaySchedule(\"gort1:random:seed="), e.getMessage());
    }

    /** Two goroutines that yield once each have 3 schedules within 2 preemptions (the default bound). */
    @Test
    void exhaustiveReportsWhetherItExhaustedTheSpace() {
        Fixtures.calls.set(0);
        Map<String, String> all = passed(Fixtures.Exhaustive.class, "all");
        assertEquals("3", all.get("gort.explore.runs"), all.toString());
        assertEquals("true", all.get("gort.explore.exhausted"), all.toString());
        assertEquals(3, Fixtures.calls.get());
        assertTrue(all.get("gort.explore").startsWith("passed 3 runs, exhausted: "), all.toString());
        assertTrue(all.get("gort.explore").endsWith("Explore.exhaustive(2).iterations(1000).maxSteps(100000)"),
                all.toString());
        Map<String, String> cut = passed(Fixtures.Exhaustive.class, "cutShort");
        assertEquals("2", cut.get("gort.explore.runs"), cut.toString());
        assertEquals("false", cut.get("gort.explore.exhausted"), cut.toString());
        assertTrue(cut.get("gort.explore").startsWith("passed 2 runs, not exhausted: "), cut.toString());
    }

    @Test
    void aCheckedExceptionIsTheBodysOwn() {
        FailingScheduleError e = assertInstanceOf(FailingScheduleError.class,
                failure(Fixtures.Bodies.class, "throwsChecked"));
        assertInstanceOf(IOException.class, e.getCause());
        assertEquals("disk full", e.getCause().getMessage());
        assertTrue(e.getMessage().contains("run 1 failed with java.io.IOException: disk full"), e.getMessage());
    }

    @Test
    void resolvedParametersReachEveryRun() {
        Fixtures.calls.set(0);
        passed(Fixtures.Bodies.class, "withTestInfo");
        assertEquals(5, Fixtures.calls.get());
    }

    @Test
    void aFailedAssumptionAbortsTheTest() {
        EngineExecutionResults r = run(Fixtures.Bodies.class, "assumes");
        r.testEvents().assertStatistics(s -> s.started(1).aborted(1));
        Event e = r.testEvents().aborted().stream().findFirst().orElseThrow();
        Throwable t = e.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertInstanceOf(TestAbortedException.class, t);
        assertTrue(t.getMessage().contains("not on this machine"), t.getMessage());
    }

    /** The annotation alone makes a test; with @Test as well, still one; goroutines work in the body. */
    @Test
    void theAnnotationMakesATest() {
        Fixtures.calls.set(0);
        EngineExecutionResults r = EngineTestKit.engine("junit-jupiter")
                .configurationParameter(Fixtures.ENABLED, "true")
                .selectors(selectMethod(Fixtures.Bodies.class, "alsoTest"), selectMethod(Fixtures.Bodies.class, "goroutines"),
                        selectClass(Fixtures.Plain.class))
                .execute();
        r.testEvents().assertStatistics(s -> s.started(3).succeeded(3));
        assertEquals(3 + 1, Fixtures.calls.get(), "alsoTest 3 runs, Plain.once once");
    }

    /** Without the kit's parameter the fixtures are disabled (an IDE running the package skips them). */
    @Test
    void fixturesRunOnlyUnderTheKit() {
        EngineExecutionResults r = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(Fixtures.LostUpdate.class)).execute();
        r.containerEvents().assertStatistics(s -> s.skipped(1));
        r.testEvents().assertStatistics(s -> s.started(0));
    }

    private static void assertConfigError(String method, String... parts) {
        Fixtures.calls.set(0);
        Throwable t = failure(Fixtures.BadInput.class, method);
        ExtensionConfigurationException e = assertInstanceOf(ExtensionConfigurationException.class, t);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "\"" + p + "\" in: " + e.getMessage());
        }
        assertEquals(0, Fixtures.calls.get(), "the body must not run: " + e.getMessage());
    }

    @Test
    void badInputNamesWhatIsWrong() {
        assertConfigError("unknownStrategy", "@ExploreSchedules on BadInput.unknownStrategy(): ",
                "unknown strategy \"dfs\" (known: random, pct, exhaustive)");
        assertConfigError("pctDepthZero", "@ExploreSchedules on BadInput.pctDepthZero(): ",
                "pct depth must be at least 1", "got 0");
        assertConfigError("negativeBound", "@ExploreSchedules on BadInput.negativeBound(): ",
                "exhaustive preemption bound must be at least 0, got -1");
        assertConfigError("noIterations", "@ExploreSchedules on BadInput.noIterations(): ",
                "iterations must be at least 1, got 0");
        assertConfigError("noSteps", "@ExploreSchedules on BadInput.noSteps(): ", "maxSteps must be at least 1, got 0");
        assertConfigError("depthWithoutPct", "@ExploreSchedules on BadInput.depthWithoutPct(): ",
                "depth applies to strategy \"pct\" only, not \"random\"");
        assertConfigError("boundWithoutExhaustive", "preemptionBound applies to strategy \"exhaustive\" only, not \"pct\"");
        assertConfigError("seedWithExhaustive", "seed does not apply to strategy \"exhaustive\"");
        assertConfigError("noProcs", "@ExploreSchedules on BadInput.noProcs(): ", "gomaxprocs must be at least 1, got 0");
        assertConfigError("malformedToken", "@ReplaySchedule on BadInput.malformedToken(): ",
                "schedule token has no check field");
        assertConfigError("foreignToken", "@ReplaySchedule on BadInput.foreignToken(): ", "not a gort schedule token");
        assertConfigError("corruptedToken", "@ReplaySchedule on BadInput.corruptedToken(): ",
                "schedule token is corrupted");
        assertConfigError("both", "@ExploreSchedules and @ReplaySchedule on BadInput.both(): use one");
    }

    /** A parameter nobody resolves: JUnit's own error, naming the parameter and the method, before any run. */
    @Test
    void anUnresolvableParameterIsNamed() {
        Fixtures.calls.set(0);
        Throwable t = failure(Fixtures.BadInput.class, "unresolvableParameter");
        ParameterResolutionException e = assertInstanceOf(ParameterResolutionException.class, t);
        assertTrue(e.getMessage().contains("java.lang.StringBuilder"), e.getMessage());
        assertTrue(e.getMessage().contains("unresolvableParameter"), e.getMessage());
        assertEquals(0, Fixtures.calls.get());
    }
}
