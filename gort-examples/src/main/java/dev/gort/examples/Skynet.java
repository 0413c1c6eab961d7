package dev.gort.examples;

import dev.gort.Chan;
import dev.gort.Gort;

/**
 * The skynet benchmark: a tree of goroutines, each spawning 10 children, down to SIZE
 * leaves (argument, a power of 10, default 1,000,000) numbered 0..SIZE-1; each leaf
 * sends its number to its parent over an unbuffered channel, each parent sends the sum
 * of its children's. Prints {@code Result: 499999500000 in N ms}. Mirrors the Go version
 * of https://github.com/atemerev/skynet ({@code go/skynet.go}).
 */
public final class Skynet {
    private Skynet() {}

    static void skynet(Chan<Long> c, long num, long size, long div) {
        if (size == 1) {
            c.send(num);
            return;
        }
        Chan<Long> rc = Chan.make();
        for (long i = 0; i < div; i++) {
            long subNum = num + i * (size / div);
            Gort.go(() -> skynet(rc, subNum, size / div, div));
        }
        long sum = 0;
        for (long i = 0; i < div; i++) {
            sum += rc.recv();
        }
        c.send(sum);
    }

    public static void main(String[] args) {
        long size = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000;
        long s = size;
        while (s > 1 && s % 10 == 0) {
            s /= 10;
        }
        if (size < 1 || s != 1) {
            System.err.println("usage: skynet [SIZE], SIZE a power of 10 (default 1000000), not " + args[0]);
            System.exit(2);
        }
        Gort.main(() -> {
            Chan<Long> c = Chan.make();
            long start = System.nanoTime();
            Gort.go(() -> skynet(c, 0, size, 10));
            long result = c.recv();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("Result: %d in %d ms%n", result, tookMs);
        });
    }
}
