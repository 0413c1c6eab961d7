package dev.gort.runtime;

import java.util.concurrent.ThreadLocalRandom;

/** Go's cheaprand/cheaprandn: the M's generator, or the thread's on a plain thread. */
final class Rand {
    private Rand() {}

    static int cheaprand() {
        return Current.thread() instanceof M mp ? mp.cheaprand() : ThreadLocalRandom.current().nextInt();
    }

    /** A uniform value in [0, n), n > 0 (Lemire's multiply-shift, as Go's cheaprandn). */
    static int cheaprandn(int n) {
        return (int) (((cheaprand() & 0xFFFFFFFFL) * n) >>> 32);
    }

    /**
     * cheaprandn for select's poll order: in a controlled run, a choice of its strategy
     * (so a systematic search covers select's picks). Elsewhere cheaprandn, at the cost of
     * one more read of a field of the M it reads anyway.
     */
    static int selectrandn(int n) {
        if (Current.thread() instanceof M mp) {
            Controlled c = mp.ctl;
            if (c != null) {
                return c.randn(n);
            }
            return (int) (((mp.cheaprand() & 0xFFFFFFFFL) * n) >>> 32);
        }
        return (int) (((ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL) * n) >>> 32);
    }
}
