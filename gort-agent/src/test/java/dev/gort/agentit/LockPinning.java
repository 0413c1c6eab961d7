package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.time.Time;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Run by AgentIT with {@code maxprocs=1}: a goroutine holds a ReentrantLock (and then a
 * monitor) across a time slice's end and a timer sleep, while another goroutine takes the
 * same lock. A ReentrantLock's owner is a thread, and goroutines share threads; unpinned,
 * the holder would be preempted or parked, the other goroutine would run on the same M and
 * "re-enter" the lock. Pinned (the agent's pins), the holder keeps its M and the other
 * goroutine waits for the lock. Prints "exclusive" or what went wrong.
 */
public final class LockPinning {
    static final ReentrantLock lock = new ReentrantLock();
    static final Object monitor = new Object();
    static volatile boolean insideLock;
    static volatile boolean insideMonitor;
    static volatile String failure;
    static long sink;

    public static void main(String[] args) {
        Gort.main(() -> {
            Chan<Boolean> done = Chan.make(4);
            Chan<Boolean> holding = Chan.make(1);
            Gort.go(() -> {
                lock.lock();
                try {
                    Thread before = Thread.currentThread();
                    insideLock = true;
                    holding.send(true);
                    spin(30); // past the 10 ms time slice: sysmon asks for preemption
                    Time.sleep(Duration.ofMillis(5)); // parks: pinned, it blocks its M
                    if (Thread.currentThread() != before) {
                        failure = "the lock holder moved to another thread";
                    }
                    insideLock = false;
                } finally {
                    lock.unlock();
                }
                synchronized (monitor) {
                    insideMonitor = true;
                    spin(30);
                    Time.sleep(Duration.ofMillis(5));
                    insideMonitor = false;
                }
                done.send(true);
            });
            holding.recv();
            for (int i = 0; i < 2; i++) {
                Gort.go(() -> {
                    lock.lock();
                    try {
                        if (insideLock || lock.getHoldCount() != 1) {
                            failure = "two goroutines held the lock at once";
                        }
                    } finally {
                        lock.unlock();
                    }
                    synchronized (monitor) {
                        if (insideMonitor) {
                            failure = "two goroutines held the monitor at once";
                        }
                    }
                    done.send(true);
                });
            }
            for (int i = 0; i < 3; i++) {
                done.recv();
            }
            System.out.println(failure == null ? "exclusive" : failure);
        });
    }

    /** Spins for ms milliseconds through calls (prologue checks) and loops. */
    static void spin(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < end) {
            sink += work(sink);
        }
    }

    static long work(long x) {
        long s = x;
        for (int i = 0; i < 100; i++) {
            s = s * 31 + i;
        }
        return s;
    }
}
