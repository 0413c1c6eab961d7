package dev.gort.runtime;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.tests.Sites;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Go's sampling rules for the block and mutex profiles (mprof.go's blocksampled,
 * saveBlockEventStack's scaling, SetBlockProfileRate's conversion), and the site cache's
 * detection of a site reached from two stacks.
 */
class MProfTest {
    @AfterEach
    void off() {
        MProf.setBlockProfileRate(0);
        MProf.setMutexProfileFraction(0);
    }

    @Test
    void setBlockProfileRateStoresNanosecondsAsTicks() {
        MProf.setBlockProfileRate(10_000);
        assertEquals(10_000, MProf.blockprofilerate);
        MProf.setBlockProfileRate(1);
        assertEquals(1, MProf.blockprofilerate);
        MProf.setBlockProfileRate(Integer.MIN_VALUE);
        assertEquals(0, MProf.blockprofilerate);
        assertEquals(0, MProf.setBlockProfileRate(Integer.MAX_VALUE));
        assertEquals(Integer.MAX_VALUE, MProf.setBlockProfileRate(0));
    }

    @Test
    void blocksampledKeepsLongEventsAndShortOnesWithProbabilityCyclesOverRate() {
        assertFalse(MProf.blocksampled(1_000_000, 0), "off");
        assertFalse(MProf.blocksampled(1_000_000, -1), "off");
        for (int i = 0; i < 10_000; i++) {
            assertTrue(MProf.blocksampled(1000, 1000));
            assertTrue(MProf.blocksampled(5000, 1000));
            assertTrue(MProf.blocksampled(1, 1));
        }
        int n = 200_000;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (MProf.blocksampled(100, 1000)) {
                kept++;
            }
        }
        // Go: kept unless cheaprand64() % rate > cycles, i.e. with probability (cycles+1)/rate
        double p = (double) kept / n;
        assertTrue(p > 0.09 && p < 0.112, "kept " + p + ", want ~0.101");
    }

    @Test
    void recordsAreScaledByTheInverseOfTheirSamplingProbability() {
        ProfRt.Stack st = ProfStack.EMPTY;
        MProf.Record block = new MProf.Record(st);
        block.add(250, 1000, true);  // sampled with probability 250/1000: 4 events of 1000 cycles
        block.add(3000, 1000, true); // above the rate: itself
        ProfRt.BlockRecord b = block.snapshot(true);
        assertEquals(5, b.count());
        assertEquals(4000, b.cycles());

        MProf.Record mutex = new MProf.Record(st);
        mutex.add(70, 8, false); // one in 8 sampled: 8 events, 8*70 cycles
        ProfRt.BlockRecord m = mutex.snapshot(false);
        assertEquals(8, m.count());
        assertEquals(560, m.cycles());

        MProf.Record tiny = new MProf.Record(st);
        tiny.add(0, 0, false); // a mutex record may count 0; the block profile never shows 0
        assertEquals(0, tiny.snapshot(false).count());
        assertEquals(1, tiny.snapshot(true).count());
    }

    @Test
    void cheaprand64IsNonNegative() {
        for (int i = 0; i < 100_000; i++) {
            assertTrue(MProf.cheaprand64() >= 0);
        }
    }

    /**
     * A goroutine receiving on one channel from two methods in turn: a verification walk
     * finds the second stack and marks the site unstable (walked at every event), within a
     * few verification intervals.
     */
    @Test
    void aSiteReachedFromTwoStacksIsWalkedEveryTimeOnceSeen() {
        MProf.setBlockProfileRate(1);
        AtomicReference<G> receiver = new AtomicReference<>();
        AtomicReference<HChan> chan = new AtomicReference<>();
        boolean[] unstable = new boolean[1];
        Gort.run(() -> {
            Chan<Object> c = Chan.make();
            chan.set(c);
            Chan<Object> ready = Chan.make();
            Chan<Object> done = Chan.make();
            Gort.go(() -> {
                receiver.set(Park.getg());
                for (int i = 0; i < 40 * BlockStacks.REFRESH_MIN && !unstable[0]; i++) {
                    ready.send(true);
                    if ((i & 1) == 0) {
                        Sites.recvA(c);
                    } else {
                        Sites.recvB(c);
                    }
                    unstable[0] = BlockStacks.isUnstable(Park.getg(), WaitReason.CHAN_RECEIVE, c);
                }
                ready.send(false);
                done.send(unstable[0]);
            });
            while ((Boolean) ready.recv()) {
                // Send only once the receiver is parked on c: its receive must block (a sender
                // that got there first would be the one to block, and the site never walked).
                G r = receiver.get();
                while (G.readgstatus(r) != G._Gwaiting || r.waitreason != WaitReason.CHAN_RECEIVE) {
                    Gort.gosched();
                }
                c.send(1);
            }
            Object ok = done.recv();
            StringBuilder b = new StringBuilder();
            for (ProfRt.BlockRecord r : ProfRt.blockProfile()) {
                b.append(r.count()).append(' ').append(r.stack().frames()).append('\n');
            }
            assertEquals(Boolean.TRUE, ok, () -> "the site was never found unstable:\n" + b);
        });
    }
}
