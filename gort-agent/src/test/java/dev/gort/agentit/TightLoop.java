package dev.gort.agentit;

import dev.gort.Gort;
import dev.gort.time.Time;

import java.time.Duration;

/**
 * Go's TestAsyncPreempt analogue, run by AgentIT with {@code maxprocs=1}: a goroutine spins
 * in a call-free loop until the main goroutine, waiting on a timer, stops it. With one P
 * the timer's goroutine runs only if the spinner is preempted at its loop's back-edge.
 */
public final class TightLoop {
    static volatile boolean stop;

    public static void main(String[] args) {
        Gort.main(() -> {
            Gort.go(() -> {
                long x = 1;
                while (!stop) {
                    x = x * 31 + 7;
                }
                System.out.println("spinner stopped " + (x == 0 ? "" : "after spinning"));
            });
            Gort.gosched(); // let the spinner start
            long t0 = System.nanoTime();
            Time.sleep(Duration.ofMillis(1));
            System.out.println("timer goroutine ran after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            stop = true;
        });
    }
}
