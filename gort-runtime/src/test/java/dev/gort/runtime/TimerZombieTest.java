package dev.gort.runtime;

import dev.gort.Chan;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A channel timer nobody waits on any more stays in its heap as a zombie (Go's
 * unblockTimerChan); when that heap is a P's that no M looks at (an idle P), the tick that
 * fell due meanwhile must still reach the next receive (RuntimeTimer.maybeRunChan sweeps it).
 */
class TimerZombieTest {
    @Test
    void aDueTickOfAZombieInAHeapNobodyChecksReachesTheReceive() {
        long period = 10_000_000L;
        Chan<Instant> c = Chan.make(1);
        RuntimeTimer t = (RuntimeTimer) TimeRt.newTimer(TimeRt.when(period), period, TimeRt.SEND_TIME, null, c);
        // As a goroutine's receive leaves it, in the heap of a P that no M will look at again:
        // armed while blocked on (blockTimerChan), then a zombie (unblockTimerChan).
        Timers ts = new P(-1).timers;
        ts.lock.lock();
        try {
            t.lock();
            t.blocked++;
            t.state |= RuntimeTimer.TIMER_HEAPED;
            ts.addHeap(t);
            t.unlockT();
        } finally {
            ts.lock.unlock();
        }
        RuntimeTimer.unblockTimerChan(c);
        assertEquals(RuntimeTimer.TIMER_HEAPED | RuntimeTimer.TIMER_ZOMBIE,
                t.astate() & (RuntimeTimer.TIMER_HEAPED | RuntimeTimer.TIMER_ZOMBIE), "set up as a zombie in the heap");
        long until = System.nanoTime() + 3 * period; // past its time, waited off gort
        while (System.nanoTime() < until) {
            LockSupport.parkNanos(until - System.nanoTime());
        }
        assertNotNull(c.tryRecv(), "the due tick was not delivered");
        assertEquals(0, t.astate() & RuntimeTimer.TIMER_HEAPED, "the zombie left its heap");
        TimeRt.stopTimer(t);
    }
}
