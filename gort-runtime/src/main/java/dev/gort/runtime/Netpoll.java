package dev.gort.runtime;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The network poller: Go's netpoll.go and netpoll_epoll.go (netpollinit, netpollopen,
 * netpoll, netpollready, netpollBreak, netpollAnyWaiters) and proc.go's wakeNetPoller and
 * injectglist, with {@code sched.lastpoll} and {@code sched.pollUntil}. The waiting states
 * of one channel are in {@link PollDesc}.
 *
 * <h2>Where the scheduler polls (Go's places)</h2>
 * {@link FindRunnable} polls without blocking before stealing (when the poller is
 * initialized, somebody waits on it, and no M is blocked in it: lastpoll != 0); an M with
 * nothing to do blocks here until the next timer, or forever when only network waiters
 * remain (one M at a time: lastpoll == 0 while it does); sysmon polls without blocking
 * when nobody has for 10 ms. A timer armed earlier than the blocked poll's end breaks it
 * (wakeNetPoller, netpollBreak). An M blocked here is not idle, so checkdead never reports
 * a deadlock while a goroutine waits on the network or a timer is pending.
 *
 * <h2>The selector (Go: epoll)</h2>
 * One {@link Selector} over non-blocking channels, public java.nio only. Each channel is
 * registered once ({@link #netpollopen}) with interest in both directions, as Go registers
 * each fd once, edge-triggered, for EPOLLIN|EPOLLOUT. A Selector is level-triggered: a
 * writable socket would be reported by every select, so the poller would spin. Edge
 * triggering is emulated: when a direction is reported ready, the poller clears that
 * direction's interest ({@link #netpollready}) and then unblocks its waiter; a goroutine
 * that finds the channel not ready (read returns 0) sets the interest again before it
 * parks ({@link PollDesc#arm}). Because the interest is cleared before the unblock and set
 * before the park, a waiter either sees the pdReady the poller left or is seen by the next
 * select (level triggering reports data that arrived before the interest was set), so no
 * wake-up is lost. The price over epoll's ET: an interest update per wait, and, when it
 * changes the interest while an M is blocked in select, a selector wake-up (the JDK applies
 * interest changes, and new registrations, at the next select only). The wake-up is a
 * system call on each side, so a reader the poller woke keeps its read interest: in the
 * request-and-response pattern it parks again before more data comes, finds the interest
 * set, and needs no wake-up; if data comes first, the select that reports it finds no
 * waiter and clears the interest then (the interest is cleared before any unblock and set
 * again after, so the argument above holds). Rejected: leaving both
 * directions' interest on (a true level-triggered poller): every select would return at
 * once for each writable socket, an M spinning in the poller. Measured here (2 cores,
 * loaded, echo of 16 bytes, GOMAXPROCS 2; /tmp EchoBench against a Go twin of it): one
 * connection 52k round trips/s (Go 68k), 50 connections 66k/s (Go 78k).
 *
 * <p>Runs (gort's own): a goroutine that an ended or dead run left waiting on a channel
 * is {@link #abandonedWaiters abandoned}. It is still polled for, but it cannot wake a live
 * run's goroutine (unless runs share channels, which is their business), so it does not
 * stop checkdead: the M blocked in netpoll for abandoned waiters only counts as idle, and
 * the verdict looks at {@link #netpollLiveWaiters}. Without this, one test leaving a
 * goroutine in accept would hide every later run's deadlock in the JVM.
 *
 * <p>Plain threads park on the same descriptors ({@link ExternalG}); since no M goes on to
 * poll for them, committing such a waiter wakes an M when none is blocked in the poller
 * ({@link #externalWaiter}).
 *
 * <p>A Selector serializes its select operations (selectNow waits for a blocked select to
 * return), where epoll_wait may run in several threads at once. The non-blocking polls
 * therefore only try the selector's lock and give up when another M holds it: that M is
 * polling and will deliver what is ready.
 *
 * <p>Until the first channel is registered there is no selector: an M waiting for the next
 * timer parks with a timeout (nanosecond precision, as before the poller existed). Once
 * there is one, the wait is a select with a millisecond timeout (Go's epoll_wait has the
 * same granularity, and rounds as {@link #netpoll} does).
 *
 * <p>Differences from Go: {@link #injectglist} readies each goroutine with {@code ready}
 * (local run queue and wakep, or the global queue and an idle P without one) instead of
 * Go's split between the global queue for idle Ps and the local queue; and plain threads
 * waiting on a channel ({@link ExternalG}) are unparked at once by the poller.
 */
final class Netpoll {
    private Netpoll() {}

    /** Go's sched.lastpoll: when the last poll ended; 0 while an M is blocked in netpoll. */
    static final AtomicLong lastpoll = new AtomicLong(System.nanoTime() | 1);
    /** Go's sched.pollUntil: when the blocked poller will wake up, or 0. */
    static volatile long pollUntil;

    /** Go's netpollWaiters: goroutines (and plain threads) parked on a PollDesc. */
    static final AtomicInteger netpollWaiters = new AtomicInteger();

    /** The selector, once a channel was registered (Go's netpollInited). Written once under initLock. */
    private static volatile Selector selector;
    private static final Object initLock = new Object();
    /** Held by whoever selects: a blocking poll (lock) or a non-blocking one (tryLock). */
    private static final ReentrantLock selectLock = new ReentrantLock();

    // The timer-only wait, before any channel is registered.
    private static volatile Thread poller;
    private static volatile boolean breakPending;

    /** Go's netpollinited. */
    static boolean netpollinited() {
        return selector != null;
    }

    /**
     * Waiters (in {@link #netpollWaiters}) whose run has ended or died ({@link
     * Run#netWaiterAdded}). gort's own: a JVM has many runs one after another, and a
     * goroutine one of them abandoned in a read must not keep every later run's deadlock
     * from being reported.
     */
    static final AtomicInteger abandonedWaiters = new AtomicInteger();

    /** Waiters that belong to a live run, to no run, or are plain threads. */
    static int netpollLiveWaiters() {
        return netpollWaiters.get() - abandonedWaiters.get();
    }

    /** Go's netpollAnyWaiters. */
    static boolean netpollAnyWaiters() {
        return netpollWaiters.get() > 0;
    }

    /** Go's netpollGenericInit/netpollinit: the selector, created on first use. */
    static Selector netpollinit() {
        Selector s = selector;
        if (s != null) {
            return s;
        }
        synchronized (initLock) {
            s = selector;
            if (s == null) {
                try {
                    s = Selector.open();
                } catch (IOException e) {
                    throw Throw.fatalThrow("netpollinit: failed to create the selector: " + e);
                }
                selector = s;
                // An M may be parked waiting for a timer, or forever: make it look again,
                // now through the selector.
                breakPending = true;
                Thread t = poller;
                if (t != null) {
                    LockSupport.unpark(t);
                }
            }
            return s;
        }
    }

    /**
     * Go's netpoll(delay): block until delay ns have passed (forever if negative, not at
     * all if zero) or netpollBreak is called, and return the goroutines made runnable by
     * network readiness (in {@code _Gwaiting}: the caller injects them or runs one).
     */
    static GQueue netpoll(long delay) {
        GQueue toRun = new GQueue();
        Selector s = selector;
        if (s == null) {
            parkWait(delay);
            return toRun;
        }
        if (delay == 0) {
            if (!selectLock.tryLock()) {
                return toRun; // another M is polling: it will deliver
            }
        } else {
            selectLock.lock();
        }
        try {
            // An idle M has no goroutine to own an interrupt; a stale one would make every
            // select return at once.
            Thread.interrupted();
            if (delay == 0 || breakPending) {
                // A break may have been meant for this poll while a non-blocking one ate the
                // selector's wake-up (selectNow clears it): breakPending survives that.
                s.selectNow();
            } else if (delay < 0) {
                s.select();
            } else {
                // Go's netpoll (epoll): delay < 1ms waits 1ms (sleeping less is not
                // possible); longer ones are truncated to whole milliseconds, and the
                // caller loops if it woke early.
                long waitms = delay < 1_000_000 ? 1 : Math.min(delay / 1_000_000, 1_000_000_000L);
                s.select(waitms);
            }
            if (delay != 0) {
                breakPending = false; // only a blocking poll consumes a break
            }
            Set<SelectionKey> keys = s.selectedKeys();
            if (!keys.isEmpty()) {
                for (SelectionKey k : keys) {
                    netpollready(toRun, k);
                }
                keys.clear();
            }
        } catch (IOException e) {
            throw Throw.fatalThrow("netpoll: select failed: " + e);
        } finally {
            selectLock.unlock();
        }
        return toRun;
    }

    /** The wait without a selector: park until delay has passed or a break. */
    private static void parkWait(long delay) {
        if (delay == 0) {
            return;
        }
        poller = Current.thread();
        // An idle M has no goroutine to own an interrupt (execute moves a goroutine's own
        // away with it); a stale one would make every park return at once.
        Thread.interrupted();
        if (!breakPending && selector == null) {
            if (delay < 0) {
                LockSupport.park();
            } else {
                LockSupport.parkNanos(delay);
            }
        }
        breakPending = false;
        poller = null;
    }

    /**
     * Go's netpollready for one selected key: clear the ready directions' interest (the
     * edge-triggering emulation, see the class comment), then unblock their waiters.
     */
    private static void netpollready(GQueue toRun, SelectionKey k) {
        PollDesc pd = (PollDesc) k.attachment();
        int ready;
        try {
            ready = k.readyOps();
        } catch (java.nio.channels.CancelledKeyException e) {
            return; // closed meanwhile: close unblocked its waiters
        }
        boolean r = (ready & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0;
        boolean w = (ready & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0;
        int clear = (r ? SelectionKey.OP_READ | SelectionKey.OP_ACCEPT : 0)
                | (w ? SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT : 0);
        try {
            k.interestOpsAnd(~clear);
        } catch (java.nio.channels.CancelledKeyException e) {
            // closed meanwhile; still unblock (close did too, which makes this a no-op)
        }
        if (r) {
            G gp = pd.netpollunblock(PollDesc.MODE_READ, true);
            if (gp != null) {
                // Its reader was parked: most likely it reads, answers and parks again before
                // more data comes (request and response). Keep the read interest, so that its
                // next park finds it set and needs no selector wake-up; if data comes first,
                // the next select finds no waiter and clears it. The next select (ours, or one
                // that starts later) applies the change: no wake-up needed here.
                try {
                    k.interestOpsOr(ready & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT));
                } catch (java.nio.channels.CancelledKeyException e) {
                    // closed meanwhile
                }
            }
            addG(toRun, gp);
        }
        if (w) {
            addG(toRun, pd.netpollunblock(PollDesc.MODE_WRITE, true));
        }
    }

    private static void addG(GQueue toRun, G gp) {
        if (gp == null) {
            return;
        }
        if (gp instanceof ExternalG || gp.ctl() != null) {
            // A plain thread: unpark it now. A goroutine of a controlled run (Controlled):
            // only its controller may run it; ready reports the wake-up as uncontrolled.
            Park.ready(gp, false);
        } else {
            toRun.pushBack(gp);
        }
    }

    /**
     * Go's injectglist: make the goroutines in list (in {@code _Gwaiting}, from netpoll)
     * runnable. With a P they go to its local queue (and wakep starts helpers); without,
     * to the global queue with idle Ps started for them.
     */
    static void injectglist(GQueue list) {
        for (G gp = list.pop(); gp != null; gp = list.pop()) {
            Park.ready(gp, false);
        }
    }

    /** For findRunnable: a goroutine from netpoll, made runnable to be run by this M. Go: casgstatus(gp, _Gwaiting, _Grunnable). */
    static void readyToRun(M mp, G gp) {
        TraceThread w = Tracer.acquire(mp);
        G.casgstatus(gp, G._Gwaiting, G._Grunnable);
        if (w != null) {
            TraceEv.goUnpark(w, gp, null);
            Tracer.release(w);
        }
    }

    /**
     * Go's netpollBreak: wake the M blocked in netpoll, if any. breakPending (Go's
     * netpollWakeSig, in reverse) records the break until a blocking poll consumes it:
     * Selector.wakeup alone is not enough, since a non-blocking poll's selectNow clears it.
     */
    static void netpollBreak() {
        breakPending = true;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
        Thread t = poller;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * A goroutine changed a channel's interest while an M may be blocked in select: the JDK
     * applies the change at the next select only, so wake the blocked one (see the class
     * comment). If none is blocked, the next select sees the change.
     */
    static void interestChanged() {
        if (lastpoll.get() == 0) {
            Selector s = selector;
            if (s != null) {
                s.wakeup();
            }
        }
    }

    /**
     * A waiter was committed on the poller by a plain thread. Goroutines park on an M that
     * goes on to findRunnable and polls; a plain thread brings no M, so make sure one will
     * poll (Go's wakeNetPoller, without a timer).
     */
    static void externalWaiter() {
        if (lastpoll.get() != 0) {
            Proc.wakep();
        }
    }

    /**
     * Flush a closed channel's deregistration: the JDK closes a registered channel's socket
     * only when its cancelled key is dropped by a select. If no M is selecting, select now
     * (delivering whatever is ready); otherwise wake the one that is.
     */
    static void flushClosed() {
        Selector s = selector;
        if (s == null) {
            return;
        }
        if (lastpoll.get() != 0 && selectLock.tryLock()) {
            GQueue list;
            try {
                list = netpoll(0);
            } finally {
                selectLock.unlock();
            }
            injectglist(list);
        } else {
            s.wakeup();
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
