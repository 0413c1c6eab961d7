package dev.gort.tests;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.sync.Mutex;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * For {@link RuntimeStackOverflowTest}, in a JVM of its own (a broken runtime must not take
 * the test JVM with it): for each kind of runtime operation (args: rounds, and optionally the
 * kinds, comma-separated), a recursion that performs it
 * at every level until the stack overflows, the error caught at the top, in a goroutine and
 * on a plain thread; then the runtime must still work (the channel used is unlocked and
 * consistent, the WaitGroup counts right, new goroutines run and contend on a mutex). Prints
 * "ok", or what broke and exits 1.
 */
public final class StackOverflowProgram {
    private StackOverflowProgram() {}

    private static Chan<Integer> buf;
    private static Mutex mu;
    private static WaitGroup wg;
    private static String kind;

    private static int depth(int n) {
        switch (kind) {
            case "chan" -> {
                buf.send(n);
                buf.recv();
            }
            case "mutex" -> { // contended (see main): the semaphore's slow paths, at depth
                mu.lock();
                mu.unlock();
            }
            case "select" -> {
                Select.select(Select.send(buf, n, null), Select.recv(buf, null));
                buf.tryRecv();
            }
            case "go" -> {
                if ((n & 15) == 0) {
                    wg.go(() -> {});
                }
            }
            case "timer" -> {
                if ((n & 15) == 0) {
                    Time.after(Duration.ofHours(1));
                }
            }
            default -> throw new IllegalArgumentException(kind);
        }
        return depth(n + 1) + 1;
    }

    public static void main(String[] args) throws InterruptedException {
        int rounds = Integer.parseInt(args[0]);
        String[] kinds = args.length > 1 ? args[1].split(",") : new String[] {"chan", "mutex", "select", "go", "timer"};
        for (String k : kinds) {
            kind = k;
            for (int r = 0; r < rounds; r++) {
                for (boolean inGoroutine : new boolean[] {true, false}) {
                    buf = Chan.make(1);
                    mu = new Mutex();
                    wg = new WaitGroup();
                    AtomicBoolean overflowed = new AtomicBoolean();
                    Mutex contended = mu;
                    Runnable body = () -> {
                        if (inGoroutine && k.equals("mutex")) {
                            // Another goroutine takes the mutex now and then, so that lock and
                            // unlock at depth go through the runtime's semaphore. (If the
                            // overflow strikes between the recursion's lock and unlock calls,
                            // the mutex stays locked: the user's own state, as with any Java
                            // lock, so the check below uses a fresh one.)
                            Gort.go(() -> {
                                for (int i = 0; i < 2000; i++) {
                                    contended.lock();
                                    Gort.gosched();
                                    contended.unlock();
                                }
                            });
                        }
                        try {
                            depth(0);
                        } catch (StackOverflowError e) {
                            overflowed.set(true);
                        }
                    };
                    Thread t = new Thread(() -> {
                        if (inGoroutine) {
                            Gort.run(body);
                        } else {
                            body.run();
                        }
                        // The runtime still works: what the recursion used is unlocked and
                        // consistent, and new goroutines run.
                        buf.trySend(1);
                        buf.tryRecv();
                        wg.await();
                        Gort.run(() -> {
                            Chan<Integer> c = Chan.make();
                            Gort.go(() -> c.send(1));
                            c.recv();
                            Mutex fresh = new Mutex();
                            WaitGroup both = new WaitGroup();
                            for (int g = 0; g < 2; g++) {
                                both.go(() -> {
                                    for (int i = 0; i < 100; i++) {
                                        fresh.lock();
                                        Gort.gosched();
                                        fresh.unlock();
                                    }
                                });
                            }
                            both.await();
                        });
                    });
                    t.setDaemon(true);
                    t.start();
                    t.join(60_000);
                    String where = k + " round " + r + (inGoroutine ? " in a goroutine" : " on a plain thread");
                    if (t.isAlive()) {
                        System.out.println(where + ": the runtime was left broken");
                        for (var e : Thread.getAllStackTraces().entrySet()) {
                            System.err.println("\"" + e.getKey().getName() + "\" " + e.getKey().getState());
                            for (StackTraceElement f : e.getValue()) {
                                System.err.println("\tat " + f);
                            }
                        }
                        System.exit(1);
                    }
                    if (!overflowed.get()) {
                        System.out.println(where + ": the stack never overflowed");
                        System.exit(1);
                    }
                }
            }
        }
        System.out.println("ok");
    }
}
