package dev.gort.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gort.tests.JavaProcess;
import dev.gort.tests.JavaProcess.Result;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The lateness example in real JVMs with GOMAXPROCS=1, with and without the agent. A
 * functional check on a loaded CI machine, not the benchmark (bench/PreemptLatency is):
 * under the agent the ticker's worst lateness stays below a generous bound while a worker
 * computes for about a second; without the agent the result is the same and the ticker
 * starves for the whole computation, as nothing can take the only P from the worker.
 */
class LatenessIT {
    /** About a second of work on a 2-core CI machine: well past the bound below. */
    static final int SIZE = 800, MAX_ITER = 3000;
    /** Generous: the agent's figure is ~10 ms, the starved ticker's ~the run time. */
    static final double WORST_BOUND_MS = 500;

    static final Pattern RESULT = Pattern.compile(
            "mandelbrot 800x800, max 3000 iterations, workers 1, GOMAXPROCS=1: (\\d+) points inside, (\\d+) iterations, (\\d+) ms");
    static final Pattern TICKER = Pattern.compile(
            "ticker every 1 ms: (\\d+) wake-ups, lateness p50 ([0-9.]+) ms, p99 ([0-9.]+) ms, worst ([0-9.]+) ms");

    /** The agent's shaded jar (system property agent.jar, set by failsafe from the gort-agent dependency). */
    static String agentJar() {
        String jar = System.getProperty("agent.jar");
        if (jar == null || !new File(jar).isFile()) {
            fail("system property agent.jar does not name the built agent jar (" + jar
                    + "); run the tests with `mvn verify` with gort-agent in the reactor");
        }
        return jar;
    }

    private static Result lateness(boolean agent) {
        List<String> args = new ArrayList<>();
        if (agent) {
            args.add("-javaagent:" + agentJar());
        }
        args.addAll(List.of("-jar", Examples.jar(), "lateness", "" + SIZE, "" + MAX_ITER));
        return JavaProcess.java(args, Map.of("GOMAXPROCS", "1")).assertOk();
    }

    /** Checks the two output lines; returns {computation ms, worst lateness ms}. */
    private static double[] check(Result r) {
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r::describe);
        Matcher m = RESULT.matcher(lines.get(0));
        assertTrue(m.matches(), r::describe);
        long[] want = Lateness.mandelbrot(SIZE, MAX_ITER, 0, 1);
        assertEquals(want[0], Long.parseLong(m.group(1)), r::describe);
        assertEquals(want[1], Long.parseLong(m.group(2)), r::describe);
        Matcher t = TICKER.matcher(lines.get(1));
        assertTrue(t.matches(), r::describe);
        assertTrue(Integer.parseInt(t.group(1)) >= 1, r::describe);
        return new double[] {Double.parseDouble(m.group(3)), Double.parseDouble(t.group(4))};
    }

    @Test
    void withTheAgentTheTickerRunsDuringTheComputation() {
        Result r = lateness(true);
        double[] msWorst = check(r);
        assertFalse(r.err().contains("gort-agent:"), r::describe); // no class left uninstrumented
        assertTrue(msWorst[1] < WORST_BOUND_MS, () -> "worst lateness " + msWorst[1] + " ms\n" + r.describe());
        System.out.println("lateness with the agent: " + r.out().lines().toList().get(1));
    }

    @Test
    void withoutTheAgentTheResultIsTheSameAndTheTickerStarves() {
        Result r = lateness(false);
        double[] msWorst = check(r);
        // The ticker planned its first tick before the worker started (Lateness's started
        // channel), and nothing preempts the worker: that tick waits for the whole run.
        assertTrue(msWorst[1] >= msWorst[0] / 2, () -> "worst lateness " + msWorst[1] + " ms\n" + r.describe());
        System.out.println("lateness without the agent: " + r.out().lines().toList().get(1));
    }
}
