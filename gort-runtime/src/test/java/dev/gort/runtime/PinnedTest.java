package dev.gort.runtime;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A goroutine whose continuation cannot yield (pinned: a native frame, a held monitor
 * under the agent) parks by blocking its M; the P is handed off so others run, and the
 * goroutine is resumed on the same M. Forced here with {@link Pin}, so it runs on any JDK.
 */
class PinnedTest {
    @Test
    void pinnedGoroutineBlocksItsMAndHandsOffItsP() {
        AtomicReference<M> before = new AtomicReference<>(), after = new AtomicReference<>();
        AtomicReference<Integer> got = new AtomicReference<>();
        runWithProcs(1, () -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> done = Chan.make();
            Gort.go(() -> {
                Pin.pin();
                try {
                    before.set(Current.m());
                    got.set(c.recv()); // cannot yield: the M blocks with the goroutine
                    after.set(Current.m());
                } finally {
                    Pin.unpin();
                }
                done.send(1);
            });
            waitRecvWaiters(c, 1);
            // With GOMAXPROCS=1 we run only because the pinned goroutine's P was handed off.
            c.send(7);
            done.recv();
        });
        assertEquals(7, got.get());
        assertSame(before.get(), after.get(), "a pinned goroutine resumes on its own M");
    }

    @Test
    void pinnedGoroutineCanBeWokenManyTimes() {
        int n = 2000;
        long[] sum = new long[1];
        runWithProcs(2, () -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> ack = Chan.make();
            Gort.go(() -> {
                Pin.pin();
                try {
                    for (int i = 0; i < n; i++) {
                        sum[0] += c.recv();
                        ack.send(1); // a pinned send may block too
                    }
                } finally {
                    Pin.unpin();
                }
            });
            for (int i = 0; i < n; i++) {
                c.send(i);
                ack.recv();
            }
        });
        assertEquals((long) n * (n - 1) / 2, sum[0]);
    }

    @Test
    void pinnedGoschedDoesNotYield() {
        AtomicReference<M> before = new AtomicReference<>(), after = new AtomicReference<>();
        Gort.run(() -> {
            Pin.pin();
            try {
                before.set(Current.m());
                Gort.gosched();
                after.set(Current.m());
            } finally {
                Pin.unpin();
            }
        });
        assertSame(before.get(), after.get());
    }

    /** A goroutine of a dead run woken from a pinned park (its M blocked with it) never runs again. */
    @Test
    void aPinnedGoroutineOfADeadRunStaysFrozen() {
        AtomicBoolean ranAfterDeath = new AtomicBoolean();
        AtomicReference<Chan<Integer>> ch = new AtomicReference<>();
        int frozen = parked("frozen");
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(new java.io.ByteArrayOutputStream()));
        try {
            assertThrows(FatalError.class, () -> Gort.run(() -> {
                Chan<Integer> c = Chan.make();
                ch.set(c);
                Gort.go(() -> {
                    Pin.pin();
                    try {
                        c.recv(); // a pinned park: its M blocks with it
                        ranAfterDeath.set(true);
                    } finally {
                        Pin.unpin();
                    }
                });
                waitRecvWaiters(c, 1);
                throw new IllegalStateException("die");
            }));
        } finally {
            System.setErr(saved);
        }
        Gort.run(() -> ch.get().send(1)); // a live run wakes it
        waitUntil("the woken goroutine of the dead run is frozen", () -> parked("frozen") > frozen);
        assertFalse(ranAfterDeath.get(), "a goroutine of the dead run ran again after a pinned park");
    }
}
