package dev.gort.tests;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A StackOverflowError thrown while the runtime works for a goroutine or a plain thread
 * (a recursion that uses gort at every level, with the error caught at the top) leaves
 * the runtime whole: a channel was left locked one run in three, and a goroutine runnable
 * and queued nowhere. See dev.gort.runtime.StackReserve.
 */
class RuntimeStackOverflowTest {
    /**
     * Default tiered compilation (C1, then C2), C1 only (IDEs' run setting), and interpreted
     * only (there a select round takes tens of seconds, so it is left out).
     */
    @ParameterizedTest
    @CsvSource({
        "-XX:+TieredCompilation, 10, 'chan,mutex,select,go,timer'",
        "-XX:TieredStopAtLevel=1, 5, 'chan,mutex,select,go,timer'",
        "-Xint, 1, 'chan,mutex,go,timer'"})
    void aStackOverflowNeverLeavesTheRuntimeHalfDone(String jit, String rounds, String kinds) {
        JavaProcess.Result r = JavaProcess.run(240, JavaProcess.ADD_EXPORTS.split(" ")[0], JavaProcess.ADD_EXPORTS.split(" ")[1],
                jit, "-cp", JavaProcess.testClassPath(), StackOverflowProgram.class.getName(), rounds, kinds);
        assertEquals(List.of("ok"), r.out().lines().toList(), r::describe);
        r.assertOk();
    }
}
