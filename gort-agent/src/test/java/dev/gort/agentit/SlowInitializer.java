package dev.gort.agentit;

import dev.gort.Gort;
import dev.gort.sync.WaitGroup;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 16's smallest program, run by ClassInitIT: a class whose static initializer sleeps
 * 100 ms, and N goroutines that read its static field. Under the agent it hung in every run
 * at GOMAXPROCS=1 with two goroutines: the initializer waited for a P that the other
 * goroutine held while it waited, RUNNABLE, for the initialization. Prints the sum of what
 * the goroutines read. Under {@code main=goroutine} main is already a goroutine.
 */
public final class SlowInitializer {
    static final class Slow {
        static final int VALUE;

        static {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            VALUE = 42;
        }
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        Runnable body = () -> {
            AtomicInteger sum = new AtomicInteger();
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < n; i++) {
                wg.go(() -> sum.addAndGet(Slow.VALUE));
            }
            wg.await();
            System.out.println("sum " + sum.get());
        };
        if (Gort.goid() > 0) {
            body.run();
        } else {
            Gort.main(body);
        }
    }
}
