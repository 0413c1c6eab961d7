package dev.gort.agentit;

import dev.gort.Gort;
import dev.gort.sync.WaitGroup;

/**
 * Run by AgentIT with {@code maxprocs=1}: 1000 goroutines call Thread.sleep(200) at once.
 * Under the agent each sleep parks its goroutine on a timer, so they all wake after about
 * 200 ms on a few threads; had each blocked its M, the run would need ~1000 threads (one
 * per sleeping goroutine, as each blocked M's P is handed off). Prints the elapsed time
 * and how many threads the JVM started meanwhile; a plain thread's sleep still sleeps.
 */
public final class SleepingGoroutines {
    public static void main(String[] args) throws InterruptedException {
        long plain = System.nanoTime();
        Thread.sleep(50);
        long plainMs = (System.nanoTime() - plain) / 1_000_000;
        Gort.main(() -> {
            int threadsBefore = Thread.activeCount();
            long t0 = System.nanoTime();
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 1000; i++) {
                wg.go(() -> {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            wg.await();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("slept " + ms + " ms, new threads " + (Thread.activeCount() - threadsBefore)
                    + ", plain thread slept " + plainMs + " ms");
        });
    }
}
