package dev.gort.examples;

import dev.gort.Chan;
import dev.gort.Gort;

/**
 * Go's classic concurrent prime sieve: a generator goroutine feeds 2, 3, 4, ... into a
 * chain of filter goroutines, one per prime found, each dropping the multiples of its
 * prime. Mirrors the "prime sieve" of Go's documentation ({@code doc/play/sieve.go},
 * {@code test/chan/sieve1.go}). Prints the first N primes (argument, default 100); the
 * filters are left blocked when main returns, as in Go.
 */
public final class PrimeSieve {
    private PrimeSieve() {}

    /** Sends 2, 3, 4, ... to ch. */
    static void generate(Chan<Integer> ch) {
        for (int i = 2; ; i++) {
            ch.send(i);
        }
    }

    /** Copies the values from in to out, dropping those divisible by prime. */
    static void filter(Chan<Integer> in, Chan<Integer> out, int prime) {
        for (;;) {
            int i = in.recv();
            if (i % prime != 0) {
                out.send(i);
            }
        }
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Gort.main(() -> {
            Chan<Integer> ch = Chan.make();
            Chan<Integer> src = ch;
            Gort.go(() -> generate(src));
            for (int i = 0; i < n; i++) {
                int prime = ch.recv();
                System.out.println(prime);
                Chan<Integer> in = ch;
                Chan<Integer> out = Chan.make();
                Gort.go(() -> filter(in, out, prime));
                ch = out;
            }
        });
    }
}
