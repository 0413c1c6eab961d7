package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.sync.Mutex;
import dev.gort.sync.WaitGroup;
import dev.gort.trace.Trace;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stress mix traced under the agent (TraceIT): channels, select with timers, a mutex, a JDK
 * monitor wait and file reads (blocking calls the agent wraps as syscalls), Thread.sleep (a
 * goroutine sleep under the agent), call-free loops preempted at the agent's checks, and
 * GOMAXPROCS changes. Prints what it did, for the test to compare with the trace.
 */
public class TracedStress {
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        AtomicLong sleeps = new AtomicLong();
        try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file.toFile()))) {
            Trace.start(out);
            Gort.run(() -> {
                WaitGroup wg = new WaitGroup();
                Chan<Integer> a = Chan.make();
                Chan<Integer> b = Chan.make(2);
                Mutex mu = new Mutex();
                Object monitor = new Object();
                wg.go(() -> {
                    for (int i = 0; i < rounds; i++) {
                        a.send(i);
                    }
                });
                wg.go(() -> {
                    for (int i = 0; i < rounds; i++) {
                        a.recv();
                        Select.select(Select.send(b, i, () -> { }), Select.otherwise(() -> { }));
                    }
                });
                wg.go(() -> {
                    for (int i = 0; i < rounds / 10; i++) {
                        Select.select(Select.recv(b, v -> { }), Select.recv(dev.gort.time.Time.after(Duration.ofMillis(1)), v -> { }));
                    }
                });
                for (int k = 0; k < 2; k++) {
                    wg.go(() -> { // call-free loops: only the agent's back-edge checks stop them
                        long x = 1;
                        long end = System.nanoTime() + 150_000_000L;
                        while (System.nanoTime() < end) {
                            x ^= x << 13;
                            x ^= x >>> 7;
                            x ^= x << 17;
                        }
                        sink = x;
                    });
                }
                wg.go(() -> {
                    for (int i = 0; i < 20; i++) {
                        mu.lock();
                        try {
                            Thread.sleep(1); // a goroutine sleep under the agent
                            sleeps.incrementAndGet();
                        } catch (InterruptedException e) {
                            throw new RuntimeException(e);
                        } finally {
                            mu.unlock();
                        }
                    }
                });
                wg.go(() -> {
                    for (int i = 0; i < 20; i++) {
                        synchronized (monitor) {
                            try {
                                monitor.wait(1); // a blocking JDK call
                            } catch (InterruptedException e) {
                                throw new RuntimeException(e);
                            }
                        }
                        try {
                            sink += Files.readAllBytes(file.getParent().resolve("input.txt")).length;
                        } catch (java.io.IOException e) {
                            throw new RuntimeException(e);
                        }
                    }
                });
                wg.go(() -> {
                    for (int i = 0; i < 4; i++) {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            throw new RuntimeException(e);
                        }
                        Gort.gomaxprocs(1 + i % 2);
                    }
                    Gort.gomaxprocs(2);
                });
                wg.await();
            });
            // Every goroutine has ended (done() comes just before a goroutine's exit).
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Gort.numGoroutine() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Trace.stop();
        }
        System.out.println("sleeps " + sleeps.get());
    }
}
