package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.runtime.HookRt;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntUnaryOperator;

/**
 * The shapes the agent inserts pins into: javac's synchronized blocks in their variants
 * (on a field's object, on this, on a class literal, nested, with a return, a loop, a
 * try/finally, a break and a continue inside, thrown out of, caught around, in a lambda,
 * in a constructor, inside a synchronized method), synchronized methods, and the lock pins
 * around {@code Lock.lock}/{@code tryLock}/{@code unlock} and the owner hooks of
 * synchronizers on AQS ({@link AqsPinning}'s).
 *
 * <p>Two tests use it. MonitorShapesTest (a unit test) instruments it and runs each shape
 * on a goroutine, checking the pin count inside each block ({@link PinProbe}) and after
 * each normal and exceptional exit. AgentIT runs {@link #main} under the agent with
 * {@code -XX:+PrintCompilation} and checks that C1 and C2 compile every method here: a
 * range of a monitor's handler that does not have javac's exact shape makes HotSpot
 * refuse the whole method ("unbalanced monitors"), which then runs interpreted forever.
 *
 * <p>Every shape returns a value that depends on its work, so the unit test can compare
 * the instrumented class with the original; those that can throw do when n is a multiple
 * of 3 (caughtAround catches its own exception).
 */
public final class MonitorShapes {
    public static final Object LOCK = new Object();
    static final ReentrantLock JLOCK = new ReentrantLock();
    static final AqsPinning.OwnerSetMutex OWNER_SET = new AqsPinning.OwnerSetMutex();
    static final AqsPinning.OwnerFieldMutex OWNER_FIELD = new AqsPinning.OwnerFieldMutex();
    static long total;
    static volatile long sink;

    private final Object lock = new Object();
    private long count;

    /** The one-line block. */
    public static long oneLine(int n) {
        synchronized (LOCK) {
            total += n;
        }
        return total;
    }

    public long onField(int n) {
        synchronized (lock) {
            PinProbe.at("onField");
            count += n;
        }
        return count;
    }

    public long onThis(int n) {
        synchronized (this) {
            PinProbe.at("onThis");
            count += n;
        }
        return count;
    }

    public static long onClass(int n) {
        synchronized (MonitorShapes.class) {
            PinProbe.at("onClass");
            total += n;
        }
        return total;
    }

    public long nested(int n) {
        synchronized (lock) {
            PinProbe.at("outer");
            synchronized (LOCK) {
                PinProbe.at("inner");
                count += n;
            }
            PinProbe.at("outer again");
        }
        return count;
    }

    /** javac exits the monitor before the return, inside the range, then returns outside it. */
    public long returnInside(int n) {
        synchronized (lock) {
            PinProbe.at("returnInside");
            if ((n & 1) == 0) {
                return count += n;
            }
            count--;
        }
        return count;
    }

    /** A counted loop (strip-mined: its check once per strip) and a while loop (a check at its header). */
    public long loopInside(int n) {
        long s = 0;
        synchronized (lock) {
            PinProbe.at("loopInside");
            for (int i = 0; i < n; i++) {
                s += i ^ count;
            }
            int j = n;
            while (j > 0) {
                s += j;
                j -= 3;
            }
            count = s & 0xFFFF;
        }
        return s;
    }

    /** The loop's header is the block's first instruction: the pin must stay out of the loop. */
    public long loopAtBlockStart(int n) {
        long s = 0;
        synchronized (lock) {
            while (n > 0) {
                s += n;
                n -= 3;
            }
            PinProbe.at("loopAtBlockStart");
        }
        return s;
    }

    /** The same with a counted loop, strip-mined: its strip's set-up goes before the header. */
    public long stripMinedAtBlockStart(int n) {
        long s = 0;
        int i = 0;
        synchronized (lock) {
            for (; i < n; i++) {
                s += i ^ count;
            }
            PinProbe.at("stripMinedAtBlockStart");
        }
        return s;
    }

    public long loopAround(int n) {
        for (int i = 0; i < n; i++) {
            synchronized (lock) {
                count += i;
            }
        }
        return count;
    }

    public long tryFinallyInside(int n) {
        synchronized (lock) {
            try {
                if (n % 3 == 0) {
                    throw new IllegalArgumentException("n=" + n);
                }
                count += n;
            } finally {
                PinProbe.at("finally");
                count++;
            }
        }
        return count;
    }

    /** The exception leaves the method through the block's handler. */
    public long throwsOut(int n) {
        synchronized (lock) {
            PinProbe.at("throwsOut");
            if (n % 3 == 0) {
                throw new IllegalStateException("n=" + n);
            }
            count += n;
        }
        return count;
    }

    public long caughtAround(int n) {
        try {
            synchronized (lock) {
                if (n % 3 == 0) {
                    throw new IllegalStateException("n=" + n);
                }
                count += n;
            }
        } catch (IllegalStateException e) {
            PinProbe.at("caught");
            count--;
        }
        return count;
    }

    /** javac exits the monitor before each jump out of the block and splits the range around them. */
    public long breakContinue(int n) {
        for (int i = 0; i < n; i++) {
            synchronized (lock) {
                if (i % 3 == 0) {
                    continue;
                }
                if (i > 40) {
                    break;
                }
                count += i;
            }
        }
        return count;
    }

    public long inLambda(int n) {
        IntUnaryOperator f = x -> {
            synchronized (lock) {
                PinProbe.at("lambda");
                count += x;
                return (int) count;
            }
        };
        return f.applyAsInt(n);
    }

    public static long inConstructor(int n) {
        return new Holder(n).value;
    }

    static final class Holder {
        final long value;

        Holder(int n) {
            synchronized (LOCK) {
                PinProbe.at("constructor");
                total += n;
                value = total;
            }
        }
    }

    /** A block inside a synchronized method: the method's pin and the block's. */
    public synchronized long methodAndBlock(int n) {
        PinProbe.at("method");
        synchronized (LOCK) {
            PinProbe.at("method and block");
            if (n % 3 == 0) {
                throw new IllegalStateException("n=" + n);
            }
            count += n;
        }
        return count;
    }

    public static synchronized long staticMethod(int n) {
        PinProbe.at("static method");
        if (n % 3 == 0) {
            throw new IllegalStateException("n=" + n);
        }
        total += n;
        return total;
    }

    /** Lock pins: after lock() and a successful tryLock(), unpinned after unlock(). */
    public long lockUnlock(int n) {
        JLOCK.lock();
        try {
            PinProbe.at("lock");
            if (n % 3 == 0) {
                throw new IllegalStateException("n=" + n);
            }
            count += n;
        } finally {
            JLOCK.unlock();
        }
        if (JLOCK.tryLock()) {
            try {
                PinProbe.at("tryLock");
                count++;
            } finally {
                JLOCK.unlock();
            }
        }
        return count;
    }

    /** Owner hooks: synchronizers on AQS that set their owner in tryAcquire/tryRelease. */
    public long aqs(int n) {
        OWNER_SET.lock();
        try {
            PinProbe.at("owner set");
            count += n;
        } finally {
            OWNER_SET.unlock();
        }
        OWNER_FIELD.lock();
        try {
            PinProbe.at("owner field");
            count ^= n;
        } finally {
            OWNER_FIELD.unlock();
        }
        return count;
    }

    /** Every shape once, with n; returns a checksum (a thrown exception counts as 1). */
    public long all(int n) {
        long s = oneLine(n) + onField(n) + onThis(n) + onClass(n) + nested(n) + returnInside(n)
                + loopInside(n & 63) + loopAtBlockStart(n & 63) + stripMinedAtBlockStart(n & 63)
                + loopAround(n & 15) + caughtAround(n)
                + breakContinue(n & 63) + inLambda(n) + inConstructor(n) + aqs(n);
        try {
            s += tryFinallyInside(n);
        } catch (IllegalArgumentException e) {
            s++;
        }
        try {
            s += throwsOut(n);
        } catch (IllegalStateException e) {
            s++;
        }
        try {
            s += methodAndBlock(n);
        } catch (IllegalStateException e) {
            s++;
        }
        try {
            s += staticMethod(n);
        } catch (IllegalStateException e) {
            s++;
        }
        try {
            s += lockUnlock(n);
        } catch (IllegalStateException e) {
            s++;
        }
        return s;
    }

    /**
     * The IT's workload: two goroutines run every shape {@code args[0]} times on the same
     * locks (so monitors inflate and goroutines really pin), then each prints its pin count
     * (0: every pin was undone).
     */
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        Gort.main(() -> {
            Chan<String> done = Chan.make(2);
            for (int g = 0; g < 2; g++) {
                Gort.go(() -> {
                    MonitorShapes shapes = new MonitorShapes();
                    long s = 0;
                    for (int i = 0; i < rounds; i++) {
                        s += shapes.all(i);
                    }
                    sink = s;
                    done.send("pins " + HookRt.lockPins());
                });
            }
            System.out.println(done.recv());
            System.out.println(done.recv());
        });
    }
}
