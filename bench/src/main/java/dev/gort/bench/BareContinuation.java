package dev.gort.bench;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * The bare JDK continuation, the floor under gort's goroutine switch (GoschedBench's
 * {@code bare1}/{@code bare2}, ParkedHeap's {@code bare}). The module's one class that links
 * against {@code jdk.internal.vm}: compiled apart with the add-exports (bench's pom), the
 * rest with {@code --release 21}; so nothing here names a continuation type in a signature.
 */
final class BareContinuation {
    private BareContinuation() {}

    static final ContinuationScope SCOPE = new ContinuationScope("bench");

    /** One continuation yielding n times, resumed by a driver loop: n yield+run cycles. */
    static void cycle1(int n) {
        Continuation c = new Continuation(SCOPE, () -> {
            for (int i = 0; i < n; i++) {
                Continuation.yield(SCOPE);
            }
        });
        while (!c.isDone()) {
            c.run();
        }
    }

    /** Two continuations yielding n/2 times each, resumed alternately: n cycles. */
    static void cycle2(int n) {
        Runnable half = () -> {
            for (int i = 0; i < n / 2; i++) {
                Continuation.yield(SCOPE);
            }
        };
        Continuation a = new Continuation(SCOPE, half);
        Continuation b = new Continuation(SCOPE, half);
        while (!a.isDone() || !b.isDone()) {
            if (!a.isDone()) {
                a.run();
            }
            if (!b.isDone()) {
                b.run();
            }
        }
    }

    private static void depth2() {
        Continuation.yield(SCOPE);
    }

    /** n continuations, each parked (yielded) at depth 2; released by {@link #release}. */
    static Object[] park(int n) {
        Object[] cs = new Object[n];
        Runnable body = BareContinuation::depth2;
        for (int i = 0; i < n; i++) {
            Continuation c = new Continuation(SCOPE, body);
            c.run();
            cs[i] = c;
        }
        return cs;
    }

    /** Resumes each continuation of {@link #park} to its end. */
    static void release(Object[] conts) {
        for (Object o : conts) {
            Continuation c = (Continuation) o;
            c.run();
            if (!c.isDone()) {
                throw new IllegalStateException("continuation not done");
            }
        }
    }
}
