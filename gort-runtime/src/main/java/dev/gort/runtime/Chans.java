package dev.gort.runtime;

import dev.gort.Panic;

/**
 * Channel operations: Go's chansend, send, chanrecv, recv, closechan, chanparkcommit,
 * chanlen and chancap (chan.go), under the same names and with Go's panic texts.
 *
 * <h2>Invariants (Go's)</h2>
 * At least one of {@code sendq} and {@code recvq} is empty, except for an unbuffered
 * channel with a single goroutine blocked on it in a select for both sending and
 * receiving. For a buffered channel: {@code qcount > 0} implies {@code recvq} is empty,
 * and {@code qcount < dataqsiz} implies {@code sendq} is empty.
 *
 * <p>A sender that finds a waiting receiver hands the value over directly (into the
 * receiver's sudog) and readies it; a receiver that finds a waiting sender of a full
 * buffered channel takes the head of the buffer and moves the sender's value to the tail.
 * Waiters are served FIFO. A waiter is readied only after the channel lock is released
 * (close collects them first), as Go requires.
 */
final class Chans {
    private Chans() {}

    /** chanrecv's result when a non-blocking receive would block. */
    static final Object WOULD_BLOCK = new Object();
    /** chanrecv's result on a closed, drained channel (Go: zero value, ok=false). */
    static final Object CLOSED = new Object();

    /** Go's chanparkcommit: the goroutine is parked; now release the channel lock. */
    static final Unlockf CHANPARKCOMMIT = (gp, lock) -> {
        ((HChan) lock).unlock();
        return true;
    };

    /**
     * Go's chansend: send ep on c. With block false, returns false instead of blocking.
     * Panics with "send on closed channel".
     */
    static boolean chansend(HChan c, Object ep, boolean block) {
        G gp = Entry.enter();
        try {
            return chansend(c, ep, block, gp);
        } finally {
            Entry.exit(gp);
        }
    }

    /**
     * chansend for runtime code that already entered (gp is the caller's G). A null c is
     * the nil channel, as {@code c.isNil} (a lowered one-case select on a null channel).
     */
    static boolean chansend(HChan c, Object ep, boolean block, G gp) {
        if (c == null || c.isNil) {
            if (!block) {
                return false;
            }
            Park.gopark(null, null, WaitReason.CHAN_SEND_NIL_CHAN);
            throw Throw.fatalThrow("unreachable");
        }
        if (c.assoc != null) {
            c.assoc.checkUse(c, gp, ChanAssoc.SEND); // Go: "send on synctest channel from outside bubble"
        }

        // Fast path: check for failed non-blocking operation without acquiring the lock.
        // After observing that the channel is not closed, we observe that the channel is
        // not ready for sending. Because a closed channel cannot transition from 'ready
        // for sending' to 'not ready for sending', even if the channel is closed between
        // the two observations, they imply a moment between the two when the channel was
        // both not yet closed and not ready for sending.
        if (!block && !c.isClosedAcquire() && c.full()) {
            return false;
        }

        c.lock();
        if (c.closed != 0) {
            c.unlock();
            throw new Panic("send on closed channel");
        }
        Sudog sg = c.dequeue(true);
        if (sg != null) {
            // Found a waiting receiver. We pass the value we want to send directly to the
            // receiver, bypassing the channel buffer (if any).
            send(c, sg, ep, null, gp);
            return true;
        }
        if (c.qcount < c.dataqsiz) {
            // Space is available in the channel buffer. Enqueue the element to send.
            c.buf[c.sendx] = ep;
            if (++c.sendx == c.dataqsiz) {
                c.sendx = 0;
            }
            c.setQcount(c.qcount + 1);
            c.unlock();
            return true;
        }
        if (!block) {
            c.unlock();
            return false;
        }

        // Block on the channel. Some receiver will complete our operation for us.
        // Go reads t0 before taking the lock, for every operation; here only an operation
        // that blocks reads the clock (MProf: one volatile read while profiling is off).
        long t0 = MProf.blockprofilerate > 0 ? MProf.cputicks() : 0;
        Sudog mysg = Park.acquireSudog(gp);
        mysg.releasetime = t0 != 0 ? -1 : 0;
        mysg.elem = ep;
        mysg.waitlink = null;
        mysg.g = gp;
        mysg.isSelect = false;
        mysg.c = c;
        gp.waiting = mysg;
        gp.param = null;
        c.enqueue(false, mysg);
        Park.gopark(gp, CHANPARKCOMMIT, c, c.assoc instanceof SynctestBubble ? WaitReason.SYNCTEST_CHAN_SEND : WaitReason.CHAN_SEND);

        // someone woke us up.
        if (mysg != gp.waiting) {
            throw Throw.fatalThrow("G waiting list is corrupted");
        }
        gp.waiting = null;
        boolean closed = !mysg.success;
        gp.param = null;
        if (mysg.releasetime > 0) {
            MProf.blockevent(mysg.releasetime - t0, gp, WaitReason.CHAN_SEND, c);
        }
        mysg.c = null;
        mysg.elem = null;
        Park.releaseSudog(mysg, gp);
        if (closed) {
            if (c.closed == 0) {
                throw Throw.fatalThrow("chansend: spurious wakeup");
            }
            throw new Panic("send on closed channel");
        }
        return true;
    }

    /**
     * Go's send: hand ep to the waiting receiver sg (already dequeued) and ready it. c is
     * locked; send unlocks it (or, from a select, all the select's channels).
     */
    static void send(HChan c, Sudog sg, Object ep, Selects.Sel sel, G self) {
        sg.elem = ep; // Go's sendDirect: into the receiver's slot
        G gp = sg.g;
        if (sel == null) {
            c.unlock();
        } else {
            sel.selunlock();
        }
        gp.param = sg;
        sg.success = true;
        if (sg.releasetime != 0) {
            sg.releasetime = MProf.cputicks();
        }
        Park.goready(gp, self);
    }

    /**
     * Go's chanrecv: receive from c. Returns the value; {@link #CLOSED} if c is closed and
     * drained; {@link #WOULD_BLOCK} if block is false and nothing is ready.
     */
    static Object chanrecv(HChan c, boolean block) {
        G gp = Entry.enter();
        try {
            return chanrecv(c, block, gp);
        } finally {
            Entry.exit(gp);
        }
    }

    /** chanrecv for runtime code that already entered (gp is the caller's G). null: nil, as in chansend. */
    static Object chanrecv(HChan c, boolean block, G gp) {
        if (c == null || c.isNil) {
            if (!block) {
                return WOULD_BLOCK;
            }
            Park.gopark(null, null, WaitReason.CHAN_RECEIVE_NIL_CHAN);
            throw Throw.fatalThrow("unreachable");
        }
        if (c.assoc != null) {
            c.assoc.checkUse(c, gp, ChanAssoc.RECV); // before the timer: a bubble's timer runs on its clock
        }
        if (c.timer != null) {
            c.timer.maybeRunChan();
        }

        // Fast path: check for failed non-blocking operation without acquiring the lock.
        if (!block && c.empty()) {
            // After observing that the channel is not ready for receiving, we observe
            // whether the channel is closed. Both loads are acquires, and emptying and
            // closing happen in separate critical sections under the same lock.
            if (!c.isClosedAcquire()) {
                // Because a channel cannot be reopened, the later observation of the
                // channel being not closed implies that it was also not closed at the
                // moment of the first observation.
                return WOULD_BLOCK;
            }
            // The channel is irreversibly closed. Re-check whether the channel has any
            // pending data to receive, which could have arrived between the empty and
            // closed checks above.
            if (c.empty()) {
                return CLOSED;
            }
        }

        c.lock();
        if (c.closed != 0) {
            if (c.qcount == 0) {
                c.unlock();
                return CLOSED;
            }
            // The channel has been closed, but the channel's buffer has data.
        } else {
            Sudog sg = c.dequeue(false);
            if (sg != null) {
                // Found a waiting sender. If buffer is size 0, receive value directly from
                // sender. Otherwise, receive from head of queue and add sender's value to
                // the tail of the queue (both map to the same buffer slot because the
                // queue is full).
                return recv(c, sg, null, gp);
            }
        }
        if (c.qcount > 0) {
            // Receive directly from queue
            Object v = c.buf[c.recvx];
            c.buf[c.recvx] = null;
            if (++c.recvx == c.dataqsiz) {
                c.recvx = 0;
            }
            c.setQcount(c.qcount - 1);
            c.unlock();
            return v;
        }
        if (!block) {
            c.unlock();
            return WOULD_BLOCK;
        }

        // no sender available: block on this channel.
        long t0 = MProf.blockprofilerate > 0 ? MProf.cputicks() : 0; // as in chansend
        Sudog mysg = Park.acquireSudog(gp);
        mysg.releasetime = t0 != 0 ? -1 : 0;
        mysg.elem = null;
        mysg.waitlink = null;
        gp.waiting = mysg;
        mysg.g = gp;
        mysg.isSelect = false;
        mysg.c = c;
        gp.param = null;
        c.enqueue(true, mysg);
        if (c.timer != null) {
            RuntimeTimer.blockTimerChan(c);
        }
        Park.gopark(gp, CHANPARKCOMMIT, c, c.assoc instanceof SynctestBubble ? WaitReason.SYNCTEST_CHAN_RECEIVE : WaitReason.CHAN_RECEIVE);

        // someone woke us up
        if (mysg != gp.waiting) {
            throw Throw.fatalThrow("G waiting list is corrupted");
        }
        if (c.timer != null) {
            RuntimeTimer.unblockTimerChan(c);
        }
        gp.waiting = null;
        boolean success = mysg.success;
        gp.param = null;
        if (mysg.releasetime > 0) {
            MProf.blockevent(mysg.releasetime - t0, gp, WaitReason.CHAN_RECEIVE, c);
        }
        Object v = mysg.elem;
        mysg.elem = null;
        mysg.c = null;
        Park.releaseSudog(mysg, gp);
        return success ? v : CLOSED;
    }

    /**
     * Go's recv: take a value on a channel with a waiting sender sg (already dequeued):
     * its value (unbuffered), or the head of the full buffer, the sender's value going to
     * the tail. Readies the sender. c is locked; recv unlocks it (or the select's
     * channels).
     */
    static Object recv(HChan c, Sudog sg, Selects.Sel sel, G self) {
        Object v;
        if (c.dataqsiz == 0) {
            v = sg.elem; // copy data from sender
        } else {
            // Queue is full. Take the item at the head of the queue. Make the sender
            // enqueue its item at the tail of the queue. Since the queue is full, those
            // are both the same slot.
            v = c.buf[c.recvx];
            c.buf[c.recvx] = sg.elem;
            if (++c.recvx == c.dataqsiz) {
                c.recvx = 0;
            }
            c.sendx = c.recvx; // c.sendx = (c.sendx+1) % c.dataqsiz
        }
        sg.elem = null;
        G gp = sg.g;
        if (sel == null) {
            c.unlock();
        } else {
            sel.selunlock();
        }
        gp.param = sg;
        sg.success = true;
        if (sg.releasetime != 0) {
            sg.releasetime = MProf.cputicks();
        }
        Park.goready(gp, self);
        return v;
    }

    /** Go's closechan: release all readers (zero values) and writers (they panic). */
    static void closechan(HChan c) {
        G gp = Entry.enter();
        try {
            if (c.assoc != null) {
                c.assoc.checkUse(c, gp, ChanAssoc.CLOSE);
            }
            closechan0(c);
        } finally {
            Entry.exit(gp);
        }
    }

    private static void closechan0(HChan c) {
        if (c.isNil) {
            throw new Panic("close of nil channel");
        }
        c.lock();
        if (c.closed != 0) {
            c.unlock();
            throw new Panic("close of closed channel");
        }
        c.setClosed();

        GQueue glist = new GQueue();
        // release all readers
        for (Sudog sg; (sg = c.dequeue(true)) != null; ) {
            sg.elem = null;
            if (sg.releasetime != 0) {
                sg.releasetime = MProf.cputicks();
            }
            G gp = sg.g;
            gp.param = sg;
            sg.success = false;
            glist.push(gp);
        }
        // release all writers (they will panic)
        for (Sudog sg; (sg = c.dequeue(false)) != null; ) {
            sg.elem = null;
            if (sg.releasetime != 0) {
                sg.releasetime = MProf.cputicks();
            }
            G gp = sg.g;
            gp.param = sg;
            sg.success = false;
            glist.push(gp);
        }
        c.unlock();

        // Ready all Gs now that we've dropped the channel lock.
        for (G gp; (gp = glist.pop()) != null; ) {
            Park.goready(gp);
        }
    }

    /**
     * Go's chanlen. Timer channels have a buffered implementation but present to users as
     * unbuffered, so that stop/reset can undo sends without users noticing.
     */
    static int chanlen(HChan c) {
        return c.timer != null ? 0 : c.qcountAcquire();
    }

    /** Go's chancap (0 for timer channels, as chanlen). */
    static int chancap(HChan c) {
        return c.timer != null ? 0 : c.dataqsiz;
    }
}
