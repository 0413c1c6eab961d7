package dev.gort.agentit;

import dev.gort.Gort;
import dev.gort.time.Time;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run by AgentIT with {@code maxprocs=1}: one goroutine blocks ~1 s in a native read (a
 * child process's stdout), which the JVM reports as RUNNABLE, so sysmon cannot see it;
 * another goroutine ticks every millisecond meanwhile. With {@code blocking=on} the read is
 * a syscall and the P is handed off, so the ticker keeps ticking; with {@code blocking=off}
 * the reader holds the only P and the ticker stops. Prints the ticks seen during the read.
 */
public final class NativeRead {
    static final AtomicInteger ticks = new AtomicInteger();
    static volatile boolean reading;

    interface ByteReader {
        int read() throws IOException;
    }

    static int read(ByteReader r) throws IOException {
        return r.read();
    }

    public static void main(String[] args) throws IOException {
        Process p = new ProcessBuilder("sh", "-c", "sleep 1; echo x").start();
        Gort.main(() -> {
            Gort.go(() -> {
                while (true) {
                    Time.sleep(Duration.ofMillis(1));
                    if (reading) {
                        ticks.incrementAndGet();
                    }
                }
            });
            Time.sleep(Duration.ofMillis(20)); // the ticker is running
            InputStream in = p.getInputStream();
            reading = true;
            int c;
            try {
                // With "methodref": through a method reference, which is no call site of read.
                c = args.length > 0 && args[0].equals("methodref") ? read(in::read) : in.read();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            reading = false;
            System.out.println("read " + (char) c + " ticks " + ticks.get());
        });
    }
}
