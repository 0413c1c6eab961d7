package dev.gort.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.tests.StderrCapture;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** {@link DeathHooks}: run at a death before run's caller hears of it, never breaking or hanging it. */
class DeathHooksTest {
    /** Runs body with System.err captured; returns what was printed. */
    private static String stderr(Runnable body) {
        try (StderrCapture err = new StderrCapture()) {
            body.run();
            return err.text();
        }
    }

    @Test
    void aRunsDeathRunsTheHooksAfterTheReportAndBeforeRunThrows() {
        List<String> events = new CopyOnWriteArrayList<>();
        Runnable hook = () -> events.add("hook on " + Thread.currentThread().getName());
        DeathHooks.add(hook);
        try {
            String err = stderr(() -> {
                FatalError e = assertThrows(FatalError.class, () -> Gort.run(() -> Chan.<Integer>make().recv()));
                events.add("run threw " + e.getMessage());
            });
            assertTrue(err.startsWith("fatal error: all goroutines are asleep - deadlock!"), err);
            assertEquals(List.of("hook on gort-death-hooks", "run threw all goroutines are asleep - deadlock!"), events);
        } finally {
            DeathHooks.remove(hook);
        }
    }

    @Test
    void aHookThatThrowsIsReportedAndOneThatHangsIsLeftBehind() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        List<Runnable> hooks = List.of(
                () -> {
                    throw new IllegalStateException("hook bug");
                },
                () -> ran.add("after the throwing one"),
                () -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        Thread.currentThread().interrupt(); // the dying thread's interrupt survives the wait
        long start = System.nanoTime();
        String err = stderr(() -> DeathHooks.run(hooks, 300));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(Thread.interrupted(), "the interrupt is kept");
        release.countDown();
        assertTrue(millis >= 300 && millis < 10_000, "waited " + millis + " ms");
        assertEquals(List.of("after the throwing one"), ran);
        List<String> lines = err.lines().toList();
        assertEquals(2, lines.size(), err);
        assertTrue(lines.get(0).startsWith("gort: a hook run at a death failed: java.lang.IllegalStateException: hook bug"), err);
        assertTrue(lines.get(1).startsWith("gort: the hooks run at a death") && lines.get(1).contains("300 ms"), err);
    }

    @Test
    void aDeathOnTheHooksThreadRunsNoHooks() {
        List<String> ran = new CopyOnWriteArrayList<>();
        List<Runnable> inner = List.of(() -> ran.add("inner"));
        DeathHooks.run(List.of(() -> {
            DeathHooks.run(inner, 1000); // a Throw from a hook's runtime call
            ran.add("outer");
        }), 10_000);
        assertEquals(List.of("outer"), ran);
    }
}
