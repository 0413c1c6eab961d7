package dev.gort.runtime;

import dev.gort.Gort;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/** Helpers for gort's tests: conditions with timeouts (never sleep-and-hope), and white-box views. */
public final class Testing {
    private Testing() {}

    /** Generous bound for a loaded 2-core CI machine. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Scale factor for stress sizes: -Dgort.stress=N (1 in CI). */
    public static int stress(int base) {
        return base * Integer.getInteger("gort.stress", 1);
    }

    /** Waits (politely) until cond holds; fails with what was awaited after the timeout. */
    public static void waitUntil(String what, BooleanSupplier cond) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (int i = 0; !cond.getAsBoolean(); i++) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting until " + what);
            }
            if (Rt.goid() >= 0) {
                Gort.gosched();
            } else if (i < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        }
    }

    /** Number of sudogs queued on c's receive (recvq) or send queue. */
    public static int waiters(HChan c, boolean recvq) {
        c.lock();
        try {
            int n = 0;
            for (Sudog s = recvq ? c.recvqFirst : c.sendqFirst; s != null; s = s.next) {
                n++;
            }
            return n;
        } finally {
            c.unlock();
        }
    }

    public static void waitRecvWaiters(HChan c, int n) {
        waitUntil(n + " receivers blocked on the channel", () -> waiters(c, true) == n);
    }

    public static void waitSendWaiters(HChan c, int n) {
        waitUntil(n + " senders blocked on the channel", () -> waiters(c, false) == n);
    }

    /** Runs main as a run with GOMAXPROCS=procs, restoring the previous value afterwards. */
    public static void runWithProcs(int procs, Runnable main) {
        int old = Gort.gomaxprocs(procs);
        try {
            Gort.run(main);
        } finally {
            Gort.gomaxprocs(old);
        }
    }

    /**
     * The current thread, read afresh: inside a goroutine, compiled code may reuse a
     * {@code Thread.currentThread()} value across a call that parked the goroutine and
     * resumed it on another M (README, "Thread identity"), so tests that look at the M's
     * interrupt status or identity after a park read it here (as the runtime does).
     */
    public static Thread currentThread() {
        return Current.thread();
    }

    /** {@code Thread.interrupted()} for the thread read afresh (see {@link #currentThread()}). */
    public static boolean interrupted() {
        return Current.interrupted();
    }

    /** The current goroutine's G (white-box). */
    static G getg() {
        return Park.getg();
    }

    /** Runs body in a goroutine of a new run and rethrows what it threw (assertion failures included). */
    public static void inGoroutine(Runnable body) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Gort.run(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Throwable t = failure.get();
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t != null) {
            throw new AssertionError(t);
        }
    }

    /** The current P's syscall count (Go's p.syscalltick): it moves at every syscall's entry or exit. */
    public static int syscallTick() {
        M mp = Current.m();
        return mp.p.syscalltick;
    }

    /** Number of goroutines parked with the wait reason Go would print (e.g. "chan receive"). */
    public static int parked(String reason) {
        int n = 0;
        for (G gp : allgs()) {
            if (G.readgstatus(gp) == G._Gwaiting && gp.waitreason.text.equals(reason)) {
                n++;
            }
        }
        return n;
    }

    /** Whether goroutine goid is parked (waiting). */
    public static boolean isParked(long goid) {
        for (G gp : allgs()) {
            if (gp.goid == goid && G.readgstatus(gp) == G._Gwaiting) {
                return true;
            }
        }
        return false;
    }

    /** Whether a goroutine goid exists (not dead; its G may be reused later under another id). */
    public static boolean exists(long goid) {
        for (G gp : allgs()) {
            if (gp.goid == goid && G.readgstatus(gp) != G._Gdead) {
                return true;
            }
        }
        return false;
    }

    /** Every G in allgs now (reclaimed leaked ones left out). */
    static List<G> allgs() {
        int len = Sched.allglen;
        Object[] gs = Sched.allgs;
        List<G> out = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
            G gp = Sched.allg(gs, i);
            if (gp != null) {
                out.add(gp);
            }
        }
        return out;
    }

    /** How many times the deadlock watcher postponed its verdict for a live plain thread. */
    public static long deadlockVerdictsPostponed() {
        return CheckDead.postponed.get();
    }
}
