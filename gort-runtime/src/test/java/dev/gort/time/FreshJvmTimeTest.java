package dev.gort.time;

import dev.gort.tests.JavaProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Time operations work on plain threads, also as the very first gort call of a JVM (docs/api.md):
 * each case runs {@link FirstCall} in a fresh JVM, where nothing has started the runtime.
 * They hung every time: the time entry points did not start it, and a timer added with no
 * P was dropped. "manyTicks" (2000 ticks of 1ms on a plain thread, ~2s) hung within 120 ticks
 * every time when reviving a ticker's zombie timer woke no M (RuntimeTimer.revivedZombie); in
 * a fresh JVM no other timer keeps an M waiting, which would hide the lost wake-up.
 */
class FreshJvmTimeTest {
    @ParameterizedTest
    @ValueSource(strings = {"sleep", "after", "timer", "ticker", "afterFunc", "afterFuncThenRun", "manyTicks"})
    void aTimeOperationAsTheFirstGortCall(String op) {
        JavaProcess.Result r = JavaProcess.run(30, JavaProcess.ADD_EXPORTS.split(" ")[0], JavaProcess.ADD_EXPORTS.split(" ")[1],
                "-cp", JavaProcess.testClassPath(), FirstCall.class.getName(), op);
        r.assertOk();
        assertEquals(List.of("ok"), r.out().lines().toList(), r::describe);
        assertEquals("", r.err(), r::describe);
    }
}
