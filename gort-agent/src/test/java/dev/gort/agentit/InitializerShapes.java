package dev.gort.agentit;

import dev.gort.Gort;
import dev.gort.sync.WaitGroup;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Run by ClassInitIT: slow static initializers of other shapes, each read by several
 * goroutines while it runs. Prints one line per case: its name and the sum the readers saw.
 * <ul>
 *   <li>nested: Outer's initializer sleeps, then initializes Inner, which sleeps too;
 *       goroutines read both;</li>
 *   <li>locks: the initializer sleeps holding a monitor, then a ReentrantLock (pinned twice over);</li>
 *   <li>resource: the initializer reads a class file (a stream read: a syscall under the agent);</li>
 *   <li>plain: a plain thread runs the initializer (the hooks do nothing there) while
 *       goroutines wait for it.</li>
 * </ul>
 */
public final class InitializerShapes {
    static final int READERS = 4;

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class Outer {
        static final long V;

        static {
            sleep(30);
            V = Inner.V + 1;
        }
    }

    static final class Inner {
        static final long V;

        static {
            sleep(30);
            V = 10;
        }
    }

    static final class Locked {
        static final Object MONITOR = new Object();
        static final ReentrantLock LOCK = new ReentrantLock();
        static final long V;

        static {
            long v;
            synchronized (MONITOR) {
                sleep(30);
                v = 5;
            }
            LOCK.lock();
            try {
                sleep(30);
                v += 2;
            } finally {
                LOCK.unlock();
            }
            V = v;
        }
    }

    static final class Resource {
        static final long V;

        static {
            try (InputStream in = InitializerShapes.class.getResourceAsStream("InitializerShapes.class")) {
                V = in.readAllBytes().length > 0 ? 3 : -1000;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            sleep(20);
        }
    }

    /** Its initializer tells the test it began, and sleeps. */
    static final class OnAPlainThread {
        static final long V;

        static {
            PlainGate.inside.countDown();
            sleep(100);
            V = 1;
        }
    }

    static final class PlainGate {
        static final CountDownLatch inside = new CountDownLatch(1);
    }

    public static void main(String[] args) {
        Gort.main(() -> {
            System.out.println("nested " + read(() -> Outer.V, () -> Inner.V));
            System.out.println("locks " + read(() -> Locked.V));
            System.out.println("resource " + read(() -> Resource.V));
            Thread plain = new Thread(() -> System.out.println("plain thread read " + OnAPlainThread.V));
            plain.start();
            try {
                PlainGate.inside.await(); // a syscall under the agent
                System.out.println("plain " + read(() -> OnAPlainThread.V));
                plain.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** READERS goroutines per reader function; the sum of what they read. */
    static long read(java.util.function.LongSupplier... readers) {
        AtomicLong sum = new AtomicLong();
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < READERS; i++) {
            for (java.util.function.LongSupplier r : readers) {
                wg.go(() -> sum.addAndGet(r.getAsLong()));
            }
        }
        wg.await();
        return sum.get();
    }
}
