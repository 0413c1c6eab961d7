package dev.gort.agentit;

import dev.gort.Gort;
import dev.gort.time.Time;

import java.time.Duration;

/**
 * Run by AgentIT with {@code maxprocs=1}: a goroutine spends its time in a strip-mined
 * counted loop (its check runs once per 4096-iteration strip), each call ~0.1-0.5 s long, while the main goroutine sleeps 1 ms again and again. With one
 * P each sleep ends only when the spinner is preempted inside that loop; the longest
 * lateness and whether every call of the loop summed right are printed.
 */
public final class StripLoop {
    static volatile boolean stop, done;
    static int limit = 400_000_000;

    /** A counted loop with a pure bound: strip-mined by the agent. */
    static long spin(int[] x) {
        long s = 0;
        for (int i = 0; i < limit; i++) {
            s += x[i & 1023];
        }
        return s;
    }

    public static void main(String[] args) {
        int[] x = new int[1024];
        long perBlock = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 7 - 3;
            perBlock += x[i];
        }
        long expected = perBlock * (limit / 1024);
        for (int i = 0; i < limit % 1024; i++) {
            expected += x[i];
        }
        long want = expected;
        Gort.main(() -> {
            Gort.go(() -> {
                int calls = 0, wrong = 0;
                while (!stop) {
                    if (spin(x) != want) {
                        wrong++;
                    }
                    calls++;
                }
                System.out.println("spinner: " + calls + " calls, " + wrong + " wrong sums");
                done = true;
            });
            Gort.gosched(); // let the spinner start
            long[] ms = new long[100];
            for (int k = 0; k < ms.length; k++) {
                long t0 = System.nanoTime();
                Time.sleep(Duration.ofMillis(1));
                ms[k] = (System.nanoTime() - t0) / 1_000_000;
            }
            java.util.Arrays.sort(ms);
            // The median: one slow sleep is the machine's doing (another process took the
            // CPU from sysmon); a loop that cannot be preempted makes every sleep slow.
            System.out.println("median sleep " + ms[ms.length / 2] + " ms, longest " + ms[ms.length - 1] + " ms");
            stop = true;
            while (!done) {
                Time.sleep(Duration.ofMillis(1));
            }
        });
    }
}
