package dev.gort.runtime;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler's blocking point for "nothing to run until the next timer": Go's
 * netpoll(delay), netpollBreak and wakeNetPoller (netpoll.go, proc.go), with
 * {@code sched.lastpoll} and {@code sched.pollUntil}.
 *
 * <p>As in Go, at most one idle M waits here (lastpoll == 0 while it does), until the
 * earliest timer of any P is due; every other idle M sleeps without a timeout (stopm). A
 * timer armed earlier than that wakes the waiting M (netpollBreak), or starts one
 * (wakep) if none is waiting. An M waiting here is not idle, so checkdead never reports
 * a deadlock while a timer is pending.
 *
 * <p>Differences from Go: until gort has a network poller, there are no file descriptors
 * to wait on: waiting is parking the thread with a timeout.
 */
final class Netpoll {
    private Netpoll() {}

    /** Go's sched.lastpoll: when the last poll ended; 0 while an M is blocked in netpoll. */
    static final AtomicLong lastpoll = new AtomicLong(System.nanoTime() | 1);
    /** Go's sched.pollUntil: when the blocked poller will wake up, or 0. */
    static volatile long pollUntil;

    private static volatile Thread poller;
    private static volatile boolean breakPending;

    /**
     * Go's netpoll(delay): block until delay ns have passed (forever if negative, not at
     * all if zero) or netpollBreak is called.
     */
    static void netpoll(long delay) {
        if (delay == 0) {
            return;
        }
        poller = Current.thread();
        // An idle M has no goroutine to own an interrupt (execute moves a goroutine's own
        // away with it); a stale one would make every park return at once.
        Thread.interrupted();
        if (!breakPending) {
            if (delay < 0) {
                LockSupport.park();
            } else {
                LockSupport.parkNanos(delay);
            }
        }
        breakPending = false;
        poller = null;
    }

    /** Go's netpollBreak: wake the M blocked in netpoll, if any. */
    static void netpollBreak() {
        breakPending = true;
        Thread t = poller;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * A timer due at when was stopped (or no goroutine waits on its channel any more). If
     * the M blocked in netpoll waits for exactly that time, wake it to recompute its wait:
     * with only stopped timers left it stops instead, and checkdead can see a deadlock.
     *
     * <p>Differences from Go: Go leaves the poller asleep until the stopped timer's old
     * time, and until then never reports a deadlock (an M in netpoll is not idle). A
     * stopped timer is not pending work, so gort does not let it hide a deadlock.
     */
    static void timerGone(long when) {
        if (when > 0 && lastpoll.get() == 0 && pollUntil == when) {
            netpollBreak();
        }
    }

    /**
     * Go's wakeNetPoller: a timer due at when was armed. If an M is blocked in netpoll past
     * that time, wake it; if none is, make sure an M will look (wakep).
     */
    static void wakeNetPoller(long when) {
        if (lastpoll.get() == 0) {
            // In findRunnable we ensure that when polling the pollUntil field is either zero
            // or the time to which the current poll is expected to run. This can have a
            // spurious wakeup but should never miss a wakeup.
            long pollerPollUntil = pollUntil;
            if (pollerPollUntil == 0 || pollerPollUntil > when) {
                netpollBreak();
            }
        } else {
            // There are no threads in the network poller, try to get one there so it can
            // handle new timers.
            Proc.wakep();
        }
    }
}
