package dev.gort.tests;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A StackOverflowError thrown while the runtime works for a goroutine or a plain thread
 * (a recursion that uses gort at every level, with the error caught at the top) leaves
 * the runtime whole: a channel was left locked one run in three, and a goroutine runnable
 * and queued nowhere. See dev.gort.runtime.StackReserve.
 */
class RuntimeStackOverflowTest {
    @Test
    void aStackOverflowNeverLeavesTheRuntimeHalfDone() {
        JavaProcess.Result r = JavaProcess.run(240, JavaProcess.ADD_EXPORTS.split(" ")[0], JavaProcess.ADD_EXPORTS.split(" ")[1],
                "-cp", JavaProcess.testClassPath(), StackOverflowProgram.class.getName(), "10");
        assertEquals(List.of("ok"), r.out().lines().toList(), r::describe);
        r.assertOk();
    }
}
