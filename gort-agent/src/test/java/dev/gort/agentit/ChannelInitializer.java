package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run by ClassInitIT: a static initializer that waits on a channel, N goroutines that read
 * the class, and a sender that first sleeps on a timer (so the waiters are already in the
 * VM, holding the Ps, when it needs one). Prints the sum of what the readers read.
 */
public final class ChannelInitializer {
    /** Apart from K: touching it must not start K's initialization. */
    static final class Wire {
        static final Chan<Integer> value = Chan.make();
    }

    static final class K {
        static final int VALUE = Wire.value.recv();
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        Gort.main(() -> {
            AtomicInteger sum = new AtomicInteger();
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < n; i++) {
                wg.go(() -> sum.addAndGet(K.VALUE));
            }
            wg.go(() -> {
                Time.sleep(Duration.ofMillis(20));
                Wire.value.send(3);
            });
            wg.await();
            System.out.println("sum " + sum.get());
        });
    }
}
