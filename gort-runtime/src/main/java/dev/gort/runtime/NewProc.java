package dev.gort.runtime;

/**
 * Creating goroutines and recycling dead ones: Go's newproc, newproc1, gfput, gfget and
 * gfpurge (proc.go), plus goid allocation.
 *
 * <p>A new G goes to the creator's runnext (so a goroutine that starts another and then
 * blocks hands its time slice to the child), and wakep looks for an idle P to help.
 * Dead Gs are reused through a per-P free list (spilling half to a global list at 64,
 * refilled 32 at a time), so steady goroutine churn allocates only the continuation:
 * continuations are one-shot and cannot be reused, unlike Go's stacks.
 *
 * <p>goids come from sched.goidgen in batches of 16 per P, so the first goroutine ever
 * created (the first run's main) is goroutine 1, as in Go.
 */
final class NewProc {
    private NewProc() {}

    /** Go's gfput thresholds: spill to the global list at 64, down to 32. */
    static final int GFREE_SPILL = 64;
    static final int GFREE_BATCH = 32;

    /**
     * Go's newproc: create a goroutine running fn, belonging to {@code run}, and queue it.
     * On an M with a P: runnext + wakep. From a plain thread (or an M without P): global
     * queue, with an idle P started for it.
     */
    static G newproc(Runnable fn, Run run) {
        return newproc(fn, run, false);
    }

    /**
     * newproc; with {@code main}, the G is recorded as run's main before it can start. A
     * goroutine started by a goroutine of a synctest bubble is in the bubble (Go's
     * newproc1), except a new run's main: a new program.
     */
    static G newproc(Runnable fn, Run run, boolean main) {
        M me = Current.thread() instanceof M mp ? mp : null;
        P pp = me != null ? me.p : null;
        // Go: newg.parentGoid, newg.gopc. A run's main has no creator, as Go's main.
        G parent = me != null ? me.curg : null;
        G newg = newproc1(fn, pp, run, main || parent == null ? 0 : parent.goid,
                main || fn == null ? null : ProfStack.createSite(fn), main || parent == null ? null : parent.bubble());
        if (main) {
            run.mainGoid = newg.goid;
            run.main = newg;
        }
        queue(newg, pp);
        return newg;
    }

    /** The end of newproc: a new G (from newproc1) goes to pp's runnext, its controller, or the global queue. */
    static void queue(G newg, P pp) {
        if (newg.ctl() != null) {
            newg.ctl().ready(newg, true); // a controlled run's goroutines never go on a run queue
        } else if (pp != null) {
            RunQueue.runqput(pp, newg, true);
            Proc.wakep();
        } else {
            Park.injectNoP(newg);
        }
    }

    /**
     * Go's newproc1: a new G in _Grunnable, starting at fn, created by goroutine parentGoid
     * (0: a plain thread or none) at createdBy, in the synctest bubble {@code bubble} (the
     * creator's; null if none). The caller queues it.
     */
    static G newproc1(Runnable fn, P pp, Run run, long parentGoid, ProfRt.Frame createdBy, SynctestBubble bubble) {
        if (fn == null) {
            throw new NullPointerException("go of nil func value");
        }
        G newg = gfget(pp);
        if (newg == null) {
            newg = new G();
            newg.initDead();
            Sched.allgadd(newg); // publishes with status _Gdead
        }
        if (G.readgstatus(newg) != G._Gdead) {
            throw Throw.fatalThrow("newproc1: new g is not Gdead");
        }
        newg.fn = fn;
        newg.stack = GoStack.create(newg);
        newg.setLockPins(0);
        newg.setInits(null);
        newg.setOwnedSyncs(null);
        newg.run = run;
        newg.setCtl(run != null ? run.ctl : null);
        newg.setBubble(bubble); // before the status CAS: the bubble counts the new goroutine from there
        newg.goid = nextGoid(pp);
        newg.setWaitsince(0);
        newg.setProfStack(null);
        newg.parentGoid = parentGoid;
        newg.createdBy = createdBy; // before the status CAS: a capture may read them once the G is runnable
        if (pp != null) {
            pp.goroutinesCreated++; // Go 1.26's newproc1; pp is the caller's own
        } else {
            Sched.goroutinesCreated.incrementAndGet();
        }
        // Go: a goroutine created while a profile is captured is not part of it. A plain
        // write (not the field's volatile one, a full fence per spawn): the status CAS below
        // publishes it before any capture can look at the G.
        G.PROFILED.set(newg, GoroutineProfile.epoch);
        boolean tracing = Tracer.enabled; // one read on the path while tracing is off
        TraceStack.Create site = tracing ? TraceStack.forCreate(fn, newg.goid) : null;
        TraceThread w = tracing ? Tracer.acquire(Tracer.writer()) : null;
        G.casgstatus(newg, G._Gdead, G._Grunnable);
        if (w != null) {
            if (pp != null && w.m != null && w.m.p == pp) {
                TraceEv.goCreate(w, newg, site.stack(), TraceEv.stack(w, site.start()));
            } else {
                TraceEv.goCreatePending(newg);
            }
            Tracer.release(w);
        }
        return newg;
    }

    private static long nextGoid(P pp) {
        if (pp == null) {
            return Sched.goidgen.incrementAndGet();
        }
        if (pp.goidcache == pp.goidcacheend) {
            // Sched.goidgen is the last allocated id; this batch is [goidgen+1, goidgen+16].
            pp.goidcache = Sched.goidgen.addAndGet(P.GOID_CACHE_BATCH) - (P.GOID_CACHE_BATCH - 1);
            pp.goidcacheend = pp.goidcache + P.GOID_CACHE_BATCH;
        }
        return pp.goidcache++;
    }

    /** Go's gfput: put gp on pp's free list; if it grew long, move a batch to the global list. */
    static void gfput(P pp, G gp) {
        if (G.readgstatus(gp) != G._Gdead) {
            throw Throw.fatalThrow("gfput: bad status (not Gdead)");
        }
        gp.schedlink = pp.gFree;
        pp.gFree = gp;
        pp.gFreeSize++;
        if (pp.gFreeSize >= GFREE_SPILL) {
            G head = null;
            G tail = null;
            int n = 0;
            while (pp.gFreeSize >= GFREE_BATCH) {
                G g = pp.gFree;
                pp.gFree = g.schedlink;
                pp.gFreeSize--;
                g.schedlink = head;
                head = g;
                if (tail == null) {
                    tail = g;
                }
                n++;
            }
            Sched.gFreeLock.lock();
            tail.schedlink = Sched.gFree;
            Sched.gFree = head;
            Sched.gFreeSize += n;
            Sched.gFreeLock.unlock();
        }
    }

    /** Go's gfget: a free G from pp's list, refilled from the global list; null if none. */
    static G gfget(P pp) {
        if (pp == null) {
            Sched.gFreeLock.lock();
            G gp = Sched.gFree;
            if (gp != null) {
                Sched.gFree = gp.schedlink;
                Sched.gFreeSize--;
                gp.schedlink = null;
            }
            Sched.gFreeLock.unlock();
            return gp;
        }
        if (pp.gFree == null && Sched.gFree != null) {
            Sched.gFreeLock.lock();
            // Move a batch of free Gs to the P.
            while (pp.gFreeSize < GFREE_BATCH && Sched.gFree != null) {
                G gp = Sched.gFree;
                Sched.gFree = gp.schedlink;
                Sched.gFreeSize--;
                gp.schedlink = pp.gFree;
                pp.gFree = gp;
                pp.gFreeSize++;
            }
            Sched.gFreeLock.unlock();
        }
        G gp = pp.gFree;
        if (gp != null) {
            pp.gFree = gp.schedlink;
            pp.gFreeSize--;
            gp.schedlink = null;
        }
        return gp;
    }

    /** Go's gfpurge: move all of pp's free Gs to the global list (pp is being destroyed). */
    static void gfpurge(P pp) {
        Sched.gFreeLock.lock();
        while (pp.gFree != null) {
            G gp = pp.gFree;
            pp.gFree = gp.schedlink;
            pp.gFreeSize--;
            gp.schedlink = Sched.gFree;
            Sched.gFree = gp;
            Sched.gFreeSize++;
        }
        Sched.gFreeLock.unlock();
    }

    /**
     * Go's gcount: goroutines that exist now (created and not dead). Like Go's, computed
     * from allgs minus the free lists without a lock, so it is exact only when the
     * scheduler is quiet.
     */
    static int gcount() {
        long n = Sched.allglen - Sched.gFreeSize;
        for (P pp : Sched.allp) {
            n -= pp.gFreeSize;
        }
        return (int) Math.max(n, 0);
    }
}
