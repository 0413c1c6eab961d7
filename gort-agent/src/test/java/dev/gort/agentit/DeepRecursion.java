package dev.gort.agentit;

import dev.gort.Gort;
import dev.gort.time.Time;

import java.time.Duration;

/**
 * Run by AgentIT with {@code preempt=prologue,maxprocs=1}: a goroutine recurses through
 * small methods (no loop checks at all) until the main goroutine, waiting on a timer,
 * stops it. With one P the timer's goroutine runs only if a check on the recursion makes
 * the spinner yield. {@code walk} is 34 bytes, where the agent leaves out the prologue
 * check of a method that does not call a method of its own name (InlineLimits): it recurses,
 * so it keeps its check.
 */
public final class DeepRecursion {
    static volatile boolean stop;
    static int sink;

    public static void main(String[] args) {
        Gort.main(() -> {
            Gort.go(() -> {
                int x = 0;
                while (!stop) {
                    x += walk(16);
                }
                System.out.println("spinner stopped " + (x == 42 ? "" : "after recursing"));
            });
            Gort.gosched(); // let the spinner start
            long t0 = System.nanoTime();
            Time.sleep(Duration.ofMillis(1));
            System.out.println("timer goroutine ran after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            stop = true;
        });
    }

    /** Binary recursion: 2^16 calls a round, no loop. */
    static int walk(int depth) {
        if (depth == 0) {
            return sink ^ 1;
        }
        return walk(depth - 1) + walk(depth - 1) * 3 + (depth & 7) * 17;
    }
}
