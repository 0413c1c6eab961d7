package dev.gort.runtime;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One channel's state on the network poller: Go's pollDesc and the functions on it
 * (netpoll.go: poll_runtime_pollOpen, pollWait, pollSetDeadline, pollUnblock,
 * netpollblock, netpollblockcommit, netpollunblock, netpollcheckerr,
 * netpolldeadlineimpl).
 *
 * <h2>Wait states (Go's rg and wg)</h2>
 * Each direction has a semaphore-like word: {@code null} (Go's pdNil: no notification),
 * {@link #PD_READY} (an I/O readiness notification is pending; a waiter consumes it),
 * {@link #PD_WAIT} (a goroutine prepares to park but has not yet), or the parked {@link G}
 * itself. Transitions, as Go's: a waiter CASes nil -> WAIT, parks, and its park commits
 * WAIT -> G (netpollblockcommit); the poller, a deadline or close swaps the word to READY
 * (for I/O readiness) or nil (for an error, which the waiter then finds with
 * netpollcheckerr) and readies the G it took. At most one goroutine waits per direction
 * (the API's read and write locks see to that; a second is a fatal "double wait").
 *
 * <h2>Deadlines (Go's rd/wd, rt/wt)</h2>
 * {@code rd}/{@code wd} are 0 (none), a clock reading (the deadline, with a timer armed
 * for it), or -1 (expired). The timer's function sets the deadline to -1 and unblocks the
 * waiter, which finds the timeout in netpollcheckerr; {@code rseq}/{@code wseq} make a
 * timer that fires after its deadline was reset or the descriptor closed do nothing (Go's
 * stale-timer check). A read and write deadline at the same time share one timer
 * (Go's netpollDeadline). All of this is under {@link #lock}, a spin lock held for a
 * few field writes (Go's pd.lock).
 */
final class PollDesc {
    static final int MODE_READ = 'r';
    static final int MODE_WRITE = 'w';

    /** Go's pollNoError, pollErrClosing, pollErrTimeout (internal/poll/fd_poll_runtime.go). */
    static final int POLL_NO_ERROR = 0;
    static final int POLL_ERR_CLOSING = 1;
    static final int POLL_ERR_TIMEOUT = 2;

    /** Go's pdReady and pdWait. */
    static final Object PD_READY = new Object() {
        @Override
        public String toString() {
            return "pdReady";
        }
    };
    static final Object PD_WAIT = new Object() {
        @Override
        public String toString() {
            return "pdWait";
        }
    };

    final SelectableChannel channel;
    /** The registration; set once by open before the descriptor is handed out (the poller uses its own reference). */
    private SelectionKey key;
    /** Interest bit of each direction: OP_READ or OP_ACCEPT; OP_WRITE, or OP_CONNECT while connecting. */
    private final int readOp;
    private volatile int writeOp;

    /** Go's rg and wg. */
    final AtomicReference<Object> rg = new AtomicReference<>();
    final AtomicReference<Object> wg = new AtomicReference<>();

    /** Go's pd.lock: protects closing, the deadlines, their timers and seqs. */
    private final SpinLock.Plain lock = new SpinLock.Plain();
    /** Go's pd.closing: written under lock, read without it (volatile) by netpollcheckerr. */
    private volatile boolean closing;
    /** Go's rd/wd: 0 none, > 0 the deadline (clock), -1 expired. Volatile: read without the lock by netpollcheckerr. */
    private volatile long rd;
    private volatile long wd;
    /** Go's rseq/wseq: bumped whenever a deadline timer becomes stale. Under lock. */
    private long rseq;
    private long wseq;
    /** Go's rt/wt, and whether each is armed (Go: rt.f != nil). Under lock. */
    private RuntimeTimer rt;
    private RuntimeTimer wt;
    private boolean rtArmed;
    private boolean wtArmed;

    private PollDesc(SelectableChannel channel, int readOp, int writeOp) {
        this.channel = channel;
        this.readOp = readOp;
        this.writeOp = writeOp;
    }

    /**
     * Go's poll_runtime_pollOpen and netpollopen: register the (non-blocking) channel once,
     * with interest in both directions (Go: EPOLLIN|EPOLLOUT|EPOLLET). readOp is OP_READ or
     * OP_ACCEPT, writeOp OP_WRITE or OP_CONNECT (0: none, as for a listener).
     */
    static PollDesc open(SelectableChannel ch, int readOp, int writeOp) throws IOException {
        java.nio.channels.Selector s = Netpoll.netpollinit();
        PollDesc pd = new PollDesc(ch, readOp, writeOp);
        pd.key = ch.register(s, readOp | writeOp, pd);
        // The JDK adds a new registration at the next select: wake a blocked one (as for an
        // interest change), or the channel's first readiness would wait for its timeout.
        Netpoll.interestChanged();
        return pd;
    }

    /**
     * Go's poll_runtime_pollClose and netpollclose: deregister and close the channel (after
     * {@link #pollUnblock}), then let a select drop the key so the JDK really closes the
     * socket (Netpoll.flushClosed).
     */
    void pollClose() throws IOException {
        key.cancel();
        // Out of line (Current.call): the close takes the channel's locks, and the flush may
        // take the selector's lock and select.
        Current.call(CLOSE, channel, null);
    }

    private static final NetpollRt.ChannelCall CLOSE = (ch, unused) -> {
        try {
            ((SelectableChannel) ch).close();
        } finally {
            Netpoll.flushClosed();
        }
        return 0;
    };

    /** A connect finished: the write direction now waits for OP_WRITE. */
    void connected() {
        writeOp = SelectionKey.OP_WRITE;
        try {
            key.interestOpsAnd(~SelectionKey.OP_CONNECT);
        } catch (java.nio.channels.CancelledKeyException ignored) {
            // closed meanwhile
        }
    }

    /**
     * The waiter's half of the edge-triggering emulation (Netpoll's class comment): set this
     * direction's interest again before parking, waking a blocked select if it changed.
     */
    private void arm(int mode) {
        int op = mode == MODE_READ ? readOp : writeOp;
        int old;
        try {
            old = key.interestOpsOr(op);
        } catch (java.nio.channels.CancelledKeyException e) {
            return; // closed: netpollcheckerr reports it
        }
        if ((old & op) == 0) {
            Netpoll.interestChanged();
        }
    }

    /** Go's netpollcheckerr. */
    int netpollcheckerr(int mode) {
        if (closing) {
            return POLL_ERR_CLOSING;
        }
        if ((mode == MODE_READ && rd < 0) || (mode == MODE_WRITE && wd < 0)) {
            return POLL_ERR_TIMEOUT;
        }
        return POLL_NO_ERROR;
    }

    /** Go's poll_runtime_pollReset (prepareRead/prepareWrite): the error, if any, before an I/O attempt. */
    int pollReset(int mode) {
        int errcode = netpollcheckerr(mode);
        if (errcode != POLL_NO_ERROR) {
            return errcode;
        }
        if (mode == MODE_READ) {
            rg.set(null);
        } else {
            wg.set(null);
        }
        return POLL_NO_ERROR;
    }

    /**
     * Go's poll_runtime_pollWait: the channel was not ready; wait until it is, or the
     * deadline passes, or it is closed. Returns one of the POLL_* codes.
     */
    int pollWait(int mode) {
        int errcode = netpollcheckerr(mode);
        if (errcode != POLL_NO_ERROR) {
            return errcode;
        }
        arm(mode);
        while (!netpollblock(mode, false)) {
            errcode = netpollcheckerr(mode);
            if (errcode != POLL_NO_ERROR) {
                return errcode;
            }
            // Can happen if timeout has fired and unblocked us, but before we had a chance
            // to run, timeout has been reset. Pretend it has not happened and retry.
            arm(mode);
        }
        return POLL_NO_ERROR;
    }

    /** Go's netpollblockcommit: the park's unlockf; the G parks only if no notification came meanwhile. */
    private static final Unlockf NETPOLL_BLOCK_COMMIT = (gp, lock) -> {
        @SuppressWarnings("unchecked")
        AtomicReference<Object> gpp = (AtomicReference<Object>) lock;
        // The run's count goes up before gp can be seen (and counted down by an unblock).
        Run run = gp.run;
        if (run != null) {
            run.netWaiterAdded();
        }
        boolean r = gpp.compareAndSet(PD_WAIT, gp);
        if (!r && run != null) {
            run.netWaiterRemoved();
        }
        if (r) {
            // Bump the count of goroutines waiting for the poller. The scheduler uses this
            // to decide whether to block waiting for the poller if there is nothing else to do.
            Netpoll.netpollWaiters.incrementAndGet();
            if (gp instanceof ExternalG) {
                Netpoll.externalWaiter();
            }
        }
        return r;
    };

    /**
     * Go's netpollblock: returns true if IO is ready, or false if timed out or closed.
     * waitio: wait only for completed IO, ignore errors.
     */
    boolean netpollblock(int mode, boolean waitio) {
        AtomicReference<Object> gpp = mode == MODE_READ ? rg : wg;
        // set the gpp semaphore to pdWait
        for (;;) {
            // Consume notification if already ready.
            if (gpp.compareAndSet(PD_READY, null)) {
                return true;
            }
            if (gpp.compareAndSet(null, PD_WAIT)) {
                break;
            }
            // Double check that this isn't corrupt; otherwise we'd loop forever.
            Object v = gpp.get();
            if (v != PD_READY && v != null) {
                throw Throw.fatalThrow("runtime: double wait");
            }
        }
        // need to recheck error states after setting gpp to pdWait; this is necessary
        // because runtime_pollUnblock/runtime_pollSetDeadline/deadlineimpl do the opposite:
        // store to closing/rd/wd, publishInfo, load of rg/wg
        if (waitio || netpollcheckerr(mode) == POLL_NO_ERROR) {
            Park.gopark(NETPOLL_BLOCK_COMMIT, gpp, WaitReason.IO_WAIT);
        }
        // be careful to not lose concurrent pdReady notification
        Object old = gpp.getAndSet(null);
        if (old != null && old != PD_READY && old != PD_WAIT) {
            throw Throw.fatalThrow("runtime: corrupted polldesc");
        }
        return old == PD_READY;
    }

    /**
     * Go's netpollunblock: move the direction's word to READY (ioready) or nil and return
     * the goroutine parked on it, if any (the caller readies it; the waiter count drops
     * here, Go's netpollAdjustWaiters(delta)).
     */
    G netpollunblock(int mode, boolean ioready) {
        AtomicReference<Object> gpp = mode == MODE_READ ? rg : wg;
        for (;;) {
            Object old = gpp.get();
            if (old == PD_READY) {
                return null;
            }
            if (old == null && !ioready) {
                // Only set pdReady for ioready. runtime_pollWait will check for timeout/cancel
                // before waiting.
                return null;
            }
            Object nw = ioready ? PD_READY : null;
            if (gpp.compareAndSet(old, nw)) {
                if (old == PD_WAIT || old == null) {
                    return null;
                }
                G gp = (G) old;
                Netpoll.netpollWaiters.decrementAndGet();
                Run run = gp.run;
                if (run != null) {
                    run.netWaiterRemoved();
                }
                return gp;
            }
        }
    }

    private static void netpollgoready(G gp) {
        if (gp != null) {
            Park.goready(gp);
        }
    }

    /**
     * Go's poll_runtime_pollSetDeadline: d is 0 (no deadline), negative (already passed),
     * or a clock reading; mode 'r', 'w' or 'r'+'w'.
     */
    void pollSetDeadline(long d, int mode) {
        lock.lock();
        if (closing) {
            lock.unlock();
            return;
        }
        long rd0 = rd;
        long wd0 = wd;
        boolean combo0 = rd0 > 0 && rd0 == wd0;
        if (d < 0) {
            d = -1;
        }
        if (mode == MODE_READ || mode == MODE_READ + MODE_WRITE) {
            rd = d;
        }
        if (mode == MODE_WRITE || mode == MODE_READ + MODE_WRITE) {
            wd = d;
        }
        boolean combo = rd > 0 && rd == wd;
        RuntimeTimer.Func rtf = combo ? NETPOLL_DEADLINE : NETPOLL_READ_DEADLINE;
        if (!rtArmed) {
            if (rd > 0) {
                // Copy current seq into the timer arg. Timer func will check the seq
                // against current descriptor seq, if they differ the descriptor was
                // reused or timers were reset.
                if (rt == null) {
                    rt = new RuntimeTimer(rtf, this, null);
                }
                rtArmed = true;
                rt.modify(rd, 0, rtf, this, rseq);
            }
        } else if (rd != rd0 || combo != combo0) {
            rseq++; // invalidate current timers
            if (rd > 0) {
                rt.modify(rd, 0, rtf, this, rseq);
            } else {
                rt.stop();
                rtArmed = false;
            }
        }
        if (!wtArmed) {
            if (wd > 0 && !combo) {
                if (wt == null) {
                    wt = new RuntimeTimer(NETPOLL_WRITE_DEADLINE, this, null);
                }
                wtArmed = true;
                wt.modify(wd, 0, NETPOLL_WRITE_DEADLINE, this, wseq);
            }
        } else if (wd != wd0 || combo != combo0) {
            wseq++; // invalidate current timers
            if (wd > 0 && !combo) {
                wt.modify(wd, 0, NETPOLL_WRITE_DEADLINE, this, wseq);
            } else {
                wt.stop();
                wtArmed = false;
            }
        }
        // If we set the new deadline in the past, unblock currently pending IO if any.
        G rgp = null;
        G wgp = null;
        if (rd < 0) {
            rgp = netpollunblock(MODE_READ, false);
        }
        if (wd < 0) {
            wgp = netpollunblock(MODE_WRITE, false);
        }
        lock.unlock();
        netpollgoready(rgp);
        netpollgoready(wgp);
    }

    /**
     * Go's poll_runtime_pollUnblock: the descriptor is being closed; wake its waiters,
     * which find POLL_ERR_CLOSING.
     */
    void pollUnblock() {
        lock.lock();
        if (closing) {
            lock.unlock();
            return; // Go throws "runtime: unblock on closing polldesc"; the API closes once
        }
        closing = true;
        rseq++;
        wseq++;
        G rgp = netpollunblock(MODE_READ, false);
        G wgp = netpollunblock(MODE_WRITE, false);
        if (rtArmed) {
            rt.stop();
            rtArmed = false;
        }
        if (wtArmed) {
            wt.stop();
            wtArmed = false;
        }
        lock.unlock();
        netpollgoready(rgp);
        netpollgoready(wgp);
    }

    /** Go's netpolldeadlineimpl. */
    private void netpolldeadlineimpl(long seq, boolean read, boolean write) {
        lock.lock();
        // Seq arg is seq when the timer was set. If it's stale, ignore the timer event.
        long currentSeq = read ? rseq : wseq;
        if (seq != currentSeq) {
            // The descriptor was reused or timers were reset.
            lock.unlock();
            return;
        }
        G rgp = null;
        G wgp = null;
        if (read) {
            if (rd <= 0 || !rtArmed) {
                throw Throw.fatalThrow("runtime: inconsistent read deadline");
            }
            rd = -1;
            rtArmed = false;
            rgp = netpollunblock(MODE_READ, false);
        }
        if (write) {
            if (wd <= 0 || (!wtArmed && !read)) {
                throw Throw.fatalThrow("runtime: inconsistent write deadline");
            }
            wd = -1;
            wtArmed = false;
            wgp = netpollunblock(MODE_WRITE, false);
        }
        lock.unlock();
        netpollgoready(rgp);
        netpollgoready(wgp);
    }

    /** Go's netpollDeadline, netpollReadDeadline, netpollWriteDeadline. */
    private static final RuntimeTimer.Func NETPOLL_DEADLINE = (arg, seq, delay) ->
            ((PollDesc) arg).netpolldeadlineimpl(seq, true, true);
    private static final RuntimeTimer.Func NETPOLL_READ_DEADLINE = (arg, seq, delay) ->
            ((PollDesc) arg).netpolldeadlineimpl(seq, true, false);
    private static final RuntimeTimer.Func NETPOLL_WRITE_DEADLINE = (arg, seq, delay) ->
            ((PollDesc) arg).netpolldeadlineimpl(seq, false, true);
}
