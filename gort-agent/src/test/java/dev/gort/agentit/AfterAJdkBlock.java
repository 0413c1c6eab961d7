package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.time.Time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Run by AgentIT with {@code maxprocs=1}: goroutines block on a monitor a plain thread
 * holds (JDK code: sysmon takes each for a goroutine in a syscall and hands its P on), then
 * all wake at once and compute without calling gort. Having lost their P, they must get
 * one back (or wait for it) at their next preemption check, so that no more goroutines run
 * user code at once than GOMAXPROCS allows. Each turn of their loops counts, between its
 * start and end (no check runs in between), whether another goroutine was in its own turn
 * at the same time. Prints "overlaps N" for a window starting well after the wake-up.
 */
public final class AfterAJdkBlock {
    static final int GOROUTINES = 4;
    static final Object monitor = new Object();
    static final AtomicInteger active = new AtomicInteger();
    static final AtomicLong overlaps = new AtomicLong();
    static volatile boolean measuring;
    static volatile boolean stop;
    static volatile long sink;

    public static void main(String[] args) {
        Gort.main(() -> {
            Thread holder = new Thread(AfterAJdkBlock::holdUntilAllBlocked, "holder");
            synchronized (monitor) {
                holder.start(); // it takes the monitor once we let go of it
            }
            Chan<Long> done = Chan.make(GOROUTINES);
            for (int k = 0; k < GOROUTINES; k++) {
                long seed = k + 1;
                Gort.go(() -> done.send(computeAfterBlocking(seed)));
            }
            try {
                holder.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            Time.sleep(Duration.ofMillis(500)); // sysmon notices every woken goroutine by now
            measuring = true;
            Time.sleep(Duration.ofMillis(300));
            measuring = false;
            stop = true;
            long sum = 0;
            for (int k = 0; k < GOROUTINES; k++) {
                sum += done.recv();
            }
            sink = sum;
            System.out.println("overlaps " + overlaps.get());
        });
    }

    static long computeAfterBlocking(long seed) {
        synchronized (monitor) { // blocks in the JDK while the holder has it
            seed++;
        }
        long x = seed;
        while (!stop) {
            // One turn: no check runs between the increment and the decrement.
            if (active.incrementAndGet() > 1 && measuring) {
                overlaps.incrementAndGet();
            }
            x = x * 31 + 7;
            x ^= x >>> 13;
            x = x * 31 + 7;
            x ^= x >>> 17;
            active.decrementAndGet();
        }
        return x;
    }

    /** Holds the monitor until every goroutine's M is blocked on it, then lets them all go. */
    static void holdUntilAllBlocked() {
        synchronized (monitor) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (blockedMs() < GOROUTINES) {
                if (System.nanoTime() > deadline) {
                    System.out.println("setup failed: only " + blockedMs() + " goroutines blocked on the monitor");
                    System.exit(3);
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    static int blockedMs() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("gort-m") && t.getState() == Thread.State.BLOCKED) {
                n++;
            }
        }
        return n;
    }
}
