package dev.gort.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.tests.JavaProcess;
import dev.gort.tests.JavaProcess.Result;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each example run as {@code java -jar gort-examples.jar <name> [args...]}, checked by its output. */
class ExamplesIT {

    private static List<String> lines(String s) {
        return s.lines().toList();
    }

    @Test
    void hello() {
        Result r = Examples.run("hello").assertOk();
        assertEquals(List.of("Hello from a goroutine!"), lines(r.out()), r::describe);
    }

    @Test
    void nameIsCaseInsensitive() {
        Result r = Examples.run("HeLLo").assertOk();
        assertEquals(List.of("Hello from a goroutine!"), lines(r.out()), r::describe);
    }

    @Test
    void sieveFirstTenPrimes() {
        Result r = Examples.run("sieve", "10").assertOk();
        assertEquals(List.of("2", "3", "5", "7", "11", "13", "17", "19", "23", "29"), lines(r.out()), r::describe);
    }

    @Test
    void sieveDefaultIsFirstHundredPrimes() {
        Result r = Examples.run("sieve").assertOk();
        List<String> out = lines(r.out());
        assertEquals(100, out.size(), r::describe);
        assertEquals("2", out.get(0), r::describe);
        assertEquals("541", out.get(99), r::describe); // the 100th prime
    }

    @Test
    void pingPong() {
        Result r = Examples.run("pingpong", "200000").assertOk();
        assertTrue(r.out().matches("pingpong: 200000 round trips, 400000 hits, [0-9.]+ ns per round trip\n"),
                r::describe);
    }

    @Test
    void workerPool() {
        Result r = Examples.run("workers", "4", "1000").assertOk();
        // the jobs are 1..1000, each result is twice its job: 2 * (1000 * 1001 / 2)
        assertEquals("workers: 1000 jobs on 4 workers, sum of results 1001000\n", r.out(), r::describe);
    }

    @Test
    void workerPoolDefaults() {
        Result r = Examples.run("workers").assertOk();
        assertEquals("workers: 100 jobs on 3 workers, sum of results 10100\n", r.out(), r::describe);
    }

    @Test
    void skynetMillionGoroutines() {
        Result r = Examples.run("skynet").assertOk();
        Matcher m = Pattern.compile("Result: 499999500000 in (\\d+) ms\n").matcher(r.out());
        assertTrue(m.matches(), r::describe);
        System.out.println("skynet (1,000,000 goroutines): " + m.group(1) + " ms inside, "
                + r.millis() + " ms for the whole process");
    }

    @Test
    void skynetSmall() {
        Result r = Examples.run("skynet", "1000").assertOk();
        assertTrue(r.out().matches("Result: 499500 in \\d+ ms\n"), r::describe);
    }

    @Test
    void unknownExamplePrintsUsageAndExits2() {
        Result r = Examples.run("nosuch");
        assertEquals(2, r.exit(), r::describe);
        assertTrue(r.err().startsWith("unknown example: nosuch\nusage: java -jar gort-examples.jar <name>"),
                r::describe);
        assertEquals("", r.out(), r::describe);
    }

    @Test
    void noNamePrintsUsageAndExits2() {
        Result r = Examples.run();
        assertEquals(2, r.exit(), r::describe);
        assertTrue(r.err().startsWith("usage: "), r::describe);
    }
}
