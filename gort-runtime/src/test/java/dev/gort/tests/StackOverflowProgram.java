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
 * the test JVM with it): for each kind of runtime operation, a recursion that performs it
 * at every level until the stack overflows, the error caught at the top, in a goroutine and
 * on a plain thread; then the runtime must still work (the channel and mutex used are
 * unlocked, a new goroutine runs). Prints "ok", or what broke and exits 1.
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
            case "mutex" -> {
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
        for (String k : new String[] {"chan", "mutex", "select", "go", "timer"}) {
            kind = k;
            for (int r = 0; r < rounds; r++) {
                for (boolean inGoroutine : new boolean[] {true, false}) {
                    buf = Chan.make(1);
                    mu = new Mutex();
                    wg = new WaitGroup();
                    AtomicBoolean overflowed = new AtomicBoolean();
                    Runnable body = () -> {
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
                        mu.lock();
                        mu.unlock();
                        wg.await();
                        Gort.run(() -> {
                            Chan<Integer> c = Chan.make();
                            Gort.go(() -> c.send(1));
                            c.recv();
                        });
                    });
                    t.setDaemon(true);
                    t.start();
                    t.join(20_000);
                    String where = k + " round " + r + (inGoroutine ? " in a goroutine" : " on a plain thread");
                    if (t.isAlive()) {
                        System.out.println(where + ": the runtime was left broken");
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
