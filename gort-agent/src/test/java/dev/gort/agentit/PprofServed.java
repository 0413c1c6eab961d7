package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Run by TraceIT under {@code pprof=127.0.0.1:0}: three goroutines parked in
 * {@link #parkedHere}, one spinning in {@link #spinHere} and allocating in
 * {@link #allocateHere}, while the test reads the agent's pprof server; a line on stdin
 * stops the busy goroutine, and the program deadlocks (Gort.main: status 2), its server
 * still running.
 */
public final class PprofServed {
    private PprofServed() {}

    static volatile long sink;
    static final Object[] kept = new Object[64];

    static void parkedHere(Chan<Integer> c) {
        c.recv();
    }

    /** xorshift steps (the JIT cannot fold them), with an allocation now and then. */
    static long spinHere(AtomicBoolean stop) {
        long x = 88172645463325252L;
        int n = 0;
        while (!stop.get()) {
            for (int i = 0; i < 10_000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            allocateHere(n++);
        }
        return x;
    }

    static void allocateHere(int n) {
        kept[n & 63] = new long[1000];
    }

    public static void main(String[] args) {
        Gort.main(() -> {
            Chan<Integer> never = Chan.make();
            for (int i = 0; i < 3; i++) {
                Gort.go(() -> parkedHere(never));
            }
            AtomicBoolean stop = new AtomicBoolean();
            Chan<Integer> stopped = Chan.make(1);
            Gort.go(() -> {
                sink = spinHere(stop);
                stopped.send(1);
            });
            System.out.println("ready");
            try {
                System.in.read(); // the agent makes it a syscall: the P goes on without main
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            stop.set(true);
            stopped.recv();
            Chan.<Integer>make().recv(); // deadlock: main and the three parked goroutines
        });
    }
}
