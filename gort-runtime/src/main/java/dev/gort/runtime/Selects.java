package dev.gort.runtime;

import dev.gort.Panic;

/**
 * Go's selectgo (select.go), with sellock, selunlock and selparkcommit.
 *
 * <ol>
 *   <li>Cases on nil channels (and the default case) are left out. The others are
 *       visited in a random permutation (pollorder: Go's fairness), and locked in a
 *       total order of the channels (lockorder, heap-sorted by sort key: no two selects
 *       can deadlock on each other's locks).</li>
 *   <li>Pass 1 looks for a case that can proceed now: a waiting peer, buffer room or
 *       data, or a closed channel.</li>
 *   <li>Otherwise, without a default, pass 2 enqueues a sudog on every channel and parks;
 *       the first waker wins the G by CAS on {@code g.selectDone} (waitq.dequeue).</li>
 *   <li>Woken, pass 3 relocks everything and dequeues the losing sudogs.</li>
 * </ol>
 */
final class Selects {
    private Selects() {}

    /** The state of one select: cases, lock order, and (after return) the outcome. */
    static final class Sel {
        final SCase[] scases;
        final int[] lockorder;
        int norder;
        int index = -1;
        Object value;
        boolean recvOK;

        Sel(SCase[] scases, int[] lockorder) {
            this.scases = scases;
            this.lockorder = lockorder;
        }


        /** Go's sellock: lock every channel once, in lock order. */
        void sellock() {
            HChan c = null;
            for (int i = 0; i < norder; i++) {
                HChan c0 = scases[lockorder[i]].c;
                if (c0 != c) {
                    c = c0;
                    c.lock();
                }
            }
        }

        /**
         * Go's selunlock. We must be very careful here to not touch sel after we have
         * unlocked the last lock: the G may be readied and run the select again.
         */
        void selunlock() {
            for (int i = norder - 1; i >= 0; i--) {
                HChan c = scases[lockorder[i]].c;
                if (i > 0 && c == scases[lockorder[i - 1]].c) {
                    continue; // will unlock it on the next iteration
                }
                c.unlock();
            }
        }
    }

    /** Go's selparkcommit: the G is parked; unlock its channels, walking its sudogs. */
    private static final Unlockf SELPARKCOMMIT = (gp, unused) -> {
        // This must not access gp's stack: once any channel lock is released, gp may be
        // readied and running elsewhere. Walk gp.waiting, which is in lock order.
        HChan lastc = null;
        for (Sudog sg = gp.waiting; sg != null; sg = sg.waitlink) {
            if (sg.c != lastc && lastc != null) {
                // As soon as we unlock the channel, fields in any sudog with that channel
                // may change, including c and waitlink. Since multiple sudogs may have the
                // same channel, we unlock only after we've passed the last instance.
                lastc.unlock();
            }
            lastc = sg.c;
        }
        if (lastc != null) {
            lastc.unlock();
        }
        return true;
    };

    /**
     * Go's selectgo. Blocks until one case can proceed (unless {@code block} is false),
     * performs it, and returns the outcome. A send case on a closed channel panics.
     */
    static Sel selectgo(SCase[] scases, boolean block) {
        G gp = Entry.enter();
        try {
            int only = onlyCase(scases);
            if (only >= 0) {
                return lowered(scases, only, block, gp);
            }
            return selectgo(scases, block, gp);
        } finally {
            Entry.exit(gp);
        }
    }

    /** The index of the one case that is not a default, or -1 if there are more or none. */
    private static int onlyCase(SCase[] scases) {
        int only = -1;
        for (int i = 0; i < scases.length; i++) {
            if (scases[i].kind != SCase.DEFAULT) {
                if (only >= 0) {
                    return -1;
                }
                only = i;
            }
        }
        return only;
    }

    /**
     * Go's compiler lowers a select with one case to the plain operation (walkSelectCases:
     * chansend1/chanrecv1), and one case with a default to the non-blocking one
     * (selectnbsend/selectnbrecv): no poll order, no sudog per case, and the wait reason of
     * the operation ({@code chan receive}, {@code chan send (nil chan)}), not
     * {@code select}.
     */
    private static Sel lowered(SCase[] scases, int i, boolean block, G gp) {
        SCase cas = scases[i];
        Sel sel = new Sel(scases, null);
        if (cas.kind == SCase.SEND) {
            if (Chans.chansend(cas.c, cas.elem, block, gp)) {
                sel.index = i;
            }
            return sel;
        }
        Object v = Chans.chanrecv(cas.c, block, gp);
        if (v != Chans.WOULD_BLOCK) {
            sel.index = i;
            sel.recvOK = v != Chans.CLOSED;
            sel.value = sel.recvOK ? v : null;
        }
        return sel;
    }

    private static Sel selectgo(SCase[] scases, boolean block, G gp) {
        int ncases = scases.length;
        int[] pollorder = new int[ncases];
        Sel sel = new Sel(scases, new int[ncases]);
        int[] lockorder = sel.lockorder;

        // generate permuted order
        int norder = 0;
        boolean allSynctest = true;
        for (int i = 0; i < ncases; i++) {
            SCase cas = scases[i];
            // Omit cases without channels (nil ones) from the poll and lock orders.
            if (cas.c == null || cas.c.isNil || cas.kind == SCase.DEFAULT) {
                continue;
            }
            ChanAssoc a = cas.c.assoc;
            if (a != null) {
                a.checkUse(cas.c, gp, ChanAssoc.SELECT); // Go: "select on synctest channel from outside bubble"
            }
            if (!(a instanceof SynctestBubble)) {
                allSynctest = false;
            }
            if (cas.c.timer != null) {
                cas.c.timer.maybeRunChan();
            }
            int j = Rand.selectrandn(norder + 1);
            pollorder[norder] = pollorder[j];
            pollorder[j] = i;
            norder++;
        }
        sel.norder = norder;

        WaitReason waitReason = WaitReason.SELECT;
        if (gp.bubble() != null && allSynctest) {
            // Every channel selected on is in a synctest bubble, so this goroutine will
            // count as idle while selecting.
            waitReason = WaitReason.SYNCTEST_SELECT;
        }

        if (norder == 0 && block) {
            // Go's block(): no case can ever proceed.
            Park.gopark(null, null, ncases == 0 ? WaitReason.SELECT_NO_CASES : waitReason);
            throw Throw.fatalThrow("unreachable: select with no cases was woken");
        }

        sortLockOrder(scases, pollorder, lockorder, norder);

        // lock all the channels involved in the select
        sel.sellock();

        // pass 1 - look for something already waiting
        for (int k = 0; k < norder; k++) {
            int casi = pollorder[k];
            SCase cas = scases[casi];
            HChan c = cas.c;
            if (cas.kind == SCase.RECV) {
                Sudog sg = c.dequeue(false);
                if (sg != null) {
                    // can receive from sleeping sender (sg)
                    sel.index = casi;
                    sel.value = Chans.recv(c, sg, sel, gp);
                    sel.recvOK = true;
                    return sel;
                }
                if (c.qcount > 0) {
                    // can receive from buffer
                    Object v = c.buf[c.recvx];
                    c.buf[c.recvx] = null;
                    if (++c.recvx == c.dataqsiz) {
                        c.recvx = 0;
                    }
                    c.setQcount(c.qcount - 1);
                    sel.selunlock();
                    sel.index = casi;
                    sel.value = v;
                    sel.recvOK = true;
                    return sel;
                }
                if (c.closed != 0) {
                    // read at end of closed channel
                    sel.selunlock();
                    sel.index = casi;
                    sel.recvOK = false;
                    return sel;
                }
            } else {
                if (c.closed != 0) {
                    // send on closed channel
                    sel.selunlock();
                    throw new Panic("send on closed channel");
                }
                Sudog sg = c.dequeue(true);
                if (sg != null) {
                    // can send to a sleeping receiver (sg)
                    sel.index = casi;
                    Chans.send(c, sg, cas.elem, sel, gp);
                    return sel;
                }
                if (c.qcount < c.dataqsiz) {
                    // can send to buffer
                    c.buf[c.sendx] = cas.elem;
                    if (++c.sendx == c.dataqsiz) {
                        c.sendx = 0;
                    }
                    c.setQcount(c.qcount + 1);
                    sel.selunlock();
                    sel.index = casi;
                    return sel;
                }
            }
        }

        if (!block) {
            sel.selunlock();
            sel.index = -1;
            return sel;
        }

        // pass 2 - enqueue on all chans
        if (gp.waiting != null) {
            throw Throw.fatalThrow("gp.waiting != nil");
        }
        // Go reads t0 on entry, for every select; here only a select that blocks (Chans).
        long t0 = MProf.blockprofilerate > 0 ? MProf.cputicks() : 0;
        Sudog last = null;
        for (int k = 0; k < norder; k++) {
            int casi = lockorder[k];
            SCase cas = scases[casi];
            HChan c = cas.c;
            Sudog sg = Park.acquireSudog(gp);
            sg.g = gp;
            sg.isSelect = true;
            sg.elem = cas.kind == SCase.SEND ? cas.elem : null;
            sg.releasetime = t0 != 0 ? -1 : 0;
            sg.c = c;
            // Construct waiting list in lock order.
            if (last == null) {
                gp.waiting = sg;
            } else {
                last.waitlink = sg;
            }
            last = sg;
            c.enqueue(cas.kind == SCase.RECV, sg);
            if (c.timer != null) {
                RuntimeTimer.blockTimerChan(c);
            }
        }

        // wait for someone to wake us up
        gp.param = null;
        Park.gopark(gp, SELPARKCOMMIT, null, waitReason);

        sel.sellock();

        gp.clearSelectDone();
        Sudog sg = (Sudog) gp.param;
        gp.param = null;

        // pass 3 - dequeue from unsuccessful chans; otherwise they stack up on quiet
        // channels. Record the successful case, if any. We singly-linked up the sudogs in
        // lock order.
        int casi = -1;
        SCase cas = null;
        boolean caseSuccess = false;
        long caseReleaseTime = -1;
        Object received = sg != null ? sg.elem : null;
        Sudog sglist = gp.waiting;
        // Clear all elem before unlinking from gp.waiting.
        for (Sudog sg1 = gp.waiting; sg1 != null; sg1 = sg1.waitlink) {
            sg1.isSelect = false;
            sg1.elem = null;
            sg1.c = null;
        }
        gp.waiting = null;

        for (int k = 0; k < norder; k++) {
            int casei = lockorder[k];
            SCase kc = scases[casei];
            if (kc.c.timer != null) {
                RuntimeTimer.unblockTimerChan(kc.c);
            }
            if (sg == sglist) {
                // sg has already been dequeued by the G that woke us up.
                casi = casei;
                cas = kc;
                caseSuccess = sglist.success;
                if (sglist.releasetime > 0) {
                    caseReleaseTime = sglist.releasetime;
                }
            } else {
                kc.c.dequeueSudoG(kc.kind == SCase.RECV, sglist);
            }
            Sudog sgnext = sglist.waitlink;
            sglist.waitlink = null;
            Park.releaseSudog(sglist, gp);
            sglist = sgnext;
        }

        if (cas == null) {
            throw Throw.fatalThrow("selectgo: bad wakeup");
        }
        sel.selunlock();
        sel.index = casi;
        if (cas.kind == SCase.SEND) {
            if (!caseSuccess) {
                throw new Panic("send on closed channel");
            }
        } else {
            sel.recvOK = caseSuccess;
            sel.value = caseSuccess ? received : null;
        }
        if (caseReleaseTime > 0) {
            // Go: retc's blockevent. The site is told apart by the select's first case's
            // channel (the cases are new objects at every call).
            MProf.blockevent(caseReleaseTime - t0, gp, WaitReason.SELECT, scases[0].c);
        }
        return sel;
    }

    /**
     * Sort the cases by channel sort key to get the locking order: Go's heap sort, to
     * guarantee n log n time and constant extra space. Starts from the poll order, to
     * permute cases on the same channel.
     */
    private static void sortLockOrder(SCase[] scases, int[] pollorder, int[] lockorder, int norder) {
        if (norder == 1) {
            lockorder[0] = pollorder[0];
            return;
        }
        for (int i = 0; i < norder; i++) {
            int j = i;
            HChan c = scases[pollorder[i]].c;
            while (j > 0 && scases[lockorder[(j - 1) / 2]].c.sortkey() < c.sortkey()) {
                int k = (j - 1) / 2;
                lockorder[j] = lockorder[k];
                j = k;
            }
            lockorder[j] = pollorder[i];
        }
        for (int i = norder - 1; i >= 0; i--) {
            int o = lockorder[i];
            HChan c = scases[o].c;
            lockorder[i] = lockorder[0];
            int j = 0;
            for (;;) {
                int k = j * 2 + 1;
                if (k >= i) {
                    break;
                }
                if (k + 1 < i && scases[lockorder[k]].c.sortkey() < scases[lockorder[k + 1]].c.sortkey()) {
                    k++;
                }
                if (c.sortkey() < scases[lockorder[k]].c.sortkey()) {
                    lockorder[j] = lockorder[k];
                    j = k;
                    continue;
                }
                break;
            }
            lockorder[j] = o;
        }
    }
}
