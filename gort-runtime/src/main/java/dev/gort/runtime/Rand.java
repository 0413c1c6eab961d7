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
}
