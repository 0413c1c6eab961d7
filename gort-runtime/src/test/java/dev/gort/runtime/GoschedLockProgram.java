package dev.gort.runtime;

import dev.gort.Gort;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Run in a fresh JVM with GOMAXPROCS=1 by {@code SchedulerTest.aLoneGoroutinesGoschedTakesNoSchedulerLock}
 * (nothing else queued anywhere, which a shared test JVM cannot promise): a plain thread
 * holds sched.lock while the only goroutine calls Gosched ten times. Prints "ok" if they
 * completed while the lock was held, "waited" if not.
 */
public final class GoschedLockProgram {
    private GoschedLockProgram() {}

    public static void main(String[] args) throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean locked = new AtomicBoolean();
        AtomicBoolean finishedWhileHeld = new AtomicBoolean();
        Thread holder = new Thread(() -> {
            try {
                held.await();
                Sched.lock.lock();
                locked.set(true);
                try {
                    finishedWhileHeld.set(done.await(5, TimeUnit.SECONDS));
                } finally {
                    Sched.lock.unlock();
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        holder.start();
        Gort.run(() -> {
            held.countDown();
            while (!locked.get()) {
                Thread.onSpinWait(); // not a JDK block: sysmon would take it for a syscall
            }
            for (int i = 0; i < 10; i++) {
                Gort.gosched();
            }
            done.countDown();
        });
        holder.join();
        System.out.println(finishedWhileHeld.get() ? "ok" : "waited");
    }
}
