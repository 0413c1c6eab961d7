package dev.gort.runtime;

import dev.gort.Chan;
import dev.gort.Gort;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every parked goroutine pays for its G and its sudog (issue 15, "smaller parked
 * goroutines"): a field added to either is paid a million times by a program that parks a
 * million goroutines. These tests keep the hot objects at their budget (an estimate from the
 * declared fields, as HotSpot lays them out with compressed references and class pointers:
 * a 12-byte header, then the fields, rounded up to 8), and check that a plain goroutine
 * parked on a channel never makes its G's side object ({@link GExtra}).
 */
class GSizeTest {

    /** HotSpot's shallow size of an instance of c with compressed oops and class pointers. */
    static long estimatedSize(Class<?> c) {
        long size = 12;
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Class<?> t = f.getType();
                size += t == long.class || t == double.class ? 8
                        : t == int.class || t == float.class ? 4
                        : t == short.class || t == char.class ? 2
                        : t == byte.class || t == boolean.class ? 1
                        : 4; // a compressed reference
            }
        }
        return (size + 7) & ~7L;
    }

    @Test
    void gAndSudogStayWithinTheirBudget() {
        assertTrue(estimatedSize(G.class) <= 80,
                "G is " + estimatedSize(G.class) + " bytes: a rarely set field belongs in GExtra");
        assertTrue(estimatedSize(Sudog.class) <= 64, "Sudog is " + estimatedSize(Sudog.class) + " bytes");
    }

    @Test
    void goroutinesParkedOnAChannelHaveNoSideObject() {
        int n = 50;
        Chan<Object> c = Chan.make();
        List<G> parked = new ArrayList<>();
        // A G keeps its side object across reuse (from the free list): only one made since counts.
        java.util.Set<G> hadOne = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Gort.run(() -> {
            for (G gp : allgs()) {
                if (gp.extraOrNull() != null) {
                    hadOne.add(gp);
                }
            }
            for (int i = 0; i < n; i++) {
                Gort.go(() -> c.recv());
            }
            waitRecvWaiters(c, n);
            for (G gp : allgs()) {
                if (gp.waitreason == WaitReason.CHAN_RECEIVE && G.readgstatus(gp) == G._Gwaiting) {
                    parked.add(gp);
                }
            }
            c.close();
        });
        assertEquals(n, parked.size(), "goroutines found parked on the channel");
        for (G gp : parked) {
            assertTrue(gp.extraOrNull() == null || hadOne.contains(gp), gp + " made its side object while it only received");
        }
    }

    @Test
    void racingFirstWritesShareOneSideObject() throws Exception {
        for (int round = 0; round < stress(200); round++) {
            G gp = new G();
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<GExtra> other = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                other.set(gp.ext());
            });
            t.start();
            go.countDown();
            GExtra mine = gp.ext();
            t.join();
            assertSame(mine, other.get(), "two side objects for one G");
            assertSame(mine, gp.extraOrNull());
        }
    }

    @Test
    void rareFieldsReadTheirZeroWithoutASideObjectAndClearWithoutMakingOne() {
        G gp = new G();
        assertNull(gp.ctl());
        assertNull(gp.bubble());
        assertNull(gp.lockedm());
        assertNull(gp.trace());
        assertEquals(0, gp.lockPins());
        assertEquals(0, gp.implicitSyscall());
        assertFalse(gp.interrupted());
        gp.setLockedm(null);
        gp.setInterrupted(false);
        gp.setWaitsince(0);
        gp.setLockPins(0);
        assertNull(gp.extraOrNull(), "clearing a field made the side object");
        gp.setLockPins(2);
        assertNotNull(gp.extraOrNull());
        assertEquals(2, gp.lockPins());
        gp.setLockPins(0);
        assertEquals(0, gp.lockPins());
    }
}
