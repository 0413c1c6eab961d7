package dev.gort.runtime;

import dev.gort.FatalError;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Deadlock detection: Go's checkdead (proc.go), extended for a JVM program, where plain
 * threads may wake goroutines.
 *
 * <h2>The rule (docs/api.md)</h2>
 * Deadlock when no goroutine is runnable, running or in a syscall, no timer is pending,
 * nothing waits on the network poller, and every plain thread that used gort (threads
 * waiting inside {@code Gort.run} aside) has terminated. Then every run whose main
 * goroutine is blocked dies with {@code all goroutines are asleep - deadlock!}; a run
 * whose main goroutine called Goexit and has no goroutine left dies with
 * {@code no goroutines (main called runtime.Goexit) - deadlock!}. A run with a goroutine
 * waiting inside a nested {@code Gort.run} is spared: the nested run dies in the same
 * verdict, which wakes it (its {@code Gort.run} throws), and it is judged again later.
 *
 * <h2>How</h2>
 * Go calls checkdead with sched.lock held whenever an M goes idle (mput,
 * incidlelocked): if no M is running, it decides. Here that call only wakes the
 * <em>deadlock watcher</em>, a daemon thread that decides without holding the lock
 * while it waits: a live plain thread that used gort postpones the verdict, so the
 * watcher joins it (rechecking every {@link #RECHECK_MILLIS} ms whether work resumed) and
 * decides when it ends. Killing a run wakes its caller, which may be a goroutine
 * (goready takes sched.lock), so the kills happen after the lock is released.
 *
 * <p>Differences from Go: the state must be found dead twice, {@link #GRACE_MILLIS} apart,
 * because a plain thread counts only once it has used gort, and one just started to feed
 * a goroutine may not have yet. So detection takes ~100 ms instead of being immediate.
 *
 * <h2>Goroutines stuck on a class initialization (gort's own)</h2>
 * A goroutine waiting inside the VM for another's static initializer keeps its M busy, yet
 * it can wake no one ({@link ClassInits}). Sysmon counts those it found ({@link
 * Syscall#nstuck}), and they do not count as running here: with every other M idle, the
 * watcher decides. Such a goroutine is in {@code _Gsyscall}, which would otherwise rule a
 * deadlock out, so before the verdict the JVM's thread dump must show each one's thread
 * waiting for the initialization of a class that a goroutine is initializing, and that
 * goroutine must be parked or stuck itself. If any one cannot be confirmed (stuck in native
 * code, say, or the dump is unavailable), there is no verdict. Their states change without
 * sched.lock (a falsely stuck one may run again at any time), so the verdict judges them
 * all in one pass after the dump ({@link #verdict}).
 * In the report they appear as {@code [class initialization]}, with the class they wait
 * for and its initializer.
 *
 * <p>Rejected: deciding inside checkdead, as Go does. It would have to block while plain
 * threads live, with sched.lock held, and could not ready the runs' waiters.
 */
final class CheckDead {
    private CheckDead() {}

    /** How often the watcher rechecks while it waits for a plain thread to end. */
    static final long RECHECK_MILLIS = 100;
    /**
     * A deadlock must be seen twice, this far apart. A thread that was just started to feed
     * a goroutine has not used gort yet, so it does not count; the grace lets it start.
     */
    static final long GRACE_MILLIS = 100;
    /** Stacks printed per deadlocked run; further goroutines get their header only. */
    static final int MAX_STACKS = 100;

    private static volatile Thread watcher;
    private static volatile boolean signalled;
    /** Times the watcher postponed a verdict because a plain thread that used gort was alive (tests observe it). */
    static final java.util.concurrent.atomic.AtomicLong postponed = new java.util.concurrent.atomic.AtomicLong();

    /** Go's checkdead, sched.lock held: if no M is running, have the watcher decide. */
    static void checkdead() {
        long run = running();
        if (run > Syscall.nstuck.get()) {
            return; // some M runs (Ms of goroutines stuck on a class initialization do not count)
        }
        if (run < 0) {
            throw Throw.fatalThrow("checkdead: inconsistent counts: mcount=" + Sched.mcount() + " nmidle="
                    + Sched.nmidle + " nmidlelocked=" + Sched.nmidlelocked + " nmsys=" + Sched.nmsys);
        }
        wake();
    }

    /**
     * Ms running: Go's mcount() - sched.nmidle - sched.nmidlelocked - sched.nmsys, plus one
     * from the start of a stop-the-world to the end of the restart (in Go the stopper is a
     * running M; here it may be a plain thread, and the goroutines it has queued meanwhile
     * are not a deadlock). sched.lock held.
     */
    private static long running() {
        return Sched.mcount() - Sched.nmidle - Sched.nmidlelocked - Sched.nmsys - Sched.nmnetpollAbandoned
                + Sched.stwActive;
    }

    private static void wake() {
        signalled = true;
        Thread w = watcher;
        if (w == null) {
            synchronized (CheckDead.class) {
                w = watcher;
                if (w == null) {
                    w = new Thread(null, CheckDead::watch, "gort-deadlock-watcher", 0, false);
                    w.setDaemon(true);
                    watcher = w;
                    w.start();
                }
            }
        }
        LockSupport.unpark(w);
    }

    private static void watch() {
        for (;;) {
            while (!signalled) {
                LockSupport.park();
            }
            signalled = false;
            decide();
        }
    }

    /** A run to kill and its report, computed under sched.lock, acted on after. */
    private record Victim(Run run, FatalError error, String report) {}

    private static void decide() {
        boolean confirmed = false;
        Map<String, String> initWaits = null;
        for (;;) {
            List<Victim> victims;
            Sched.lock.lock();
            try {
                if (running() > Syscall.nstuck.get()) {
                    return;
                }
                Thread live = Externals.liveUser();
                if (live == null && anyRunnable() != null) {
                    if (running() > 0) {
                        // Only Ms counted as stuck run, and one of their goroutines is on its
                        // way out of its syscall (it is _Grunning before it clears its stuck
                        // state): not dead, and no broken invariant.
                        return;
                    }
                    // A thread that registered after our first look may be between making
                    // a G runnable and queueing it (which needs sched.lock, held here):
                    // having seen the G, we now see its registration too.
                    live = Externals.liveUser();
                    if (live == null) {
                        G gp = anyRunnable();
                        if (gp != null) {
                            throw Throw.fatalThrow("checkdead: find g " + gp.goid + " in status "
                                    + G.readgstatus(gp) + "\n" + dump(gp));
                        }
                    }
                }
                if (live != null) {
                    postponed.incrementAndGet();
                    Sched.lock.unlock();
                    try {
                        live.join(RECHECK_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        Sched.lock.lock();
                    }
                    continue;
                }
                if (!confirmed) {
                    Sched.lock.unlock();
                    try {
                        Thread.sleep(GRACE_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        Sched.lock.lock();
                    }
                    confirmed = true;
                    continue;
                }
                if (initWaits == null && Syscall.nstuck.get() > 0) {
                    // Ask the JVM what the stuck goroutines wait for, then look once more:
                    // the dump is taken while the state is dead, before and after it.
                    Sched.lock.unlock();
                    try {
                        initWaits = ClassInits.initWaits();
                    } finally {
                        Sched.lock.lock();
                    }
                    if (initWaits == null) {
                        return; // no way to confirm: no verdict
                    }
                    continue;
                }
                victims = verdict(initWaits != null ? initWaits : Map.of());
            } finally {
                Sched.lock.unlock();
            }
            for (Victim v : victims) {
                v.run.die(v.error, v.report);
            }
            return;
        }
    }

    /**
     * With no M running (but those of stuck goroutines), no live plain thread, no runnable
     * G: which runs die, and why. initWaits: the JVM's thread dump, thread name to the class
     * it waits to see initialized. sched.lock held.
     */
    private static List<Victim> verdict(Map<String, String> initWaits) {
        int n = Sched.allglen; // before allgs: allgadd publishes the array first
        Object[] allgs = Sched.allgs;
        List<Victim> victims = new ArrayList<>();
        // There are no goroutines running, so we can look at the P's: a pending timer will
        // wake someone.
        for (P pp : Sched.allp) {
            if (pp.timers.live() > 0) {
                return victims;
            }
        }
        // A goroutine waiting on the network poller is not deadlocked: the peer may write
        // (in Go an M blocks in netpoll for it, so it is never idle and checkdead never
        // decides; gort checks it here too, for a poller between two polls). Goroutines
        // that ended runs left waiting do not count: they cannot wake a live run's.
        if (Netpoll.netpollLiveWaiters() > 0) {
            return victims;
        }
        // Stuck goroutines run on Ms of their own and change state without sched.lock, so
        // everything is judged from one pass: first who is stuck, then that nothing else may
        // run (one that left its stuck state since anyRunnable looked is caught here), then
        // that each stuck one waits, by the JVM's dump, for a class whose initializer is
        // parked or stuck itself. Nothing can then finish those initializations: a parked
        // goroutine needs a waker, and every possible waker is parked or stuck. (One that
        // leaves its stuck state after this pass was confirmed waiting for an
        // initialization that, by the same argument, cannot finish.)
        Map<G, String> stuck = new HashMap<>();
        for (int i = 0; i < n; i++) {
            G gp = Sched.allg(allgs, i);
            if (gp != null && isStuck(gp)) {
                stuck.put(gp, "");
            }
        }
        for (int i = 0; i < n; i++) {
            G gp = Sched.allg(allgs, i);
            if (gp == null) {
                continue;
            }
            int s = G.readgstatus(gp) & ~G._Gscan;
            boolean mayRun = s == G._Grunnable || s == G._Grunning || s == G._Gsyscall;
            if (mayRun && !(stuck.containsKey(gp) && isStuck(gp))) {
                return victims;
            }
        }
        for (G gp : stuck.keySet()) {
            M mp = gp.m;
            String cls = mp != null ? initWaits.get(mp.getName()) : null;
            G initializer = cls != null ? ClassInits.initializerOf(cls) : null;
            if (initializer == null
                    || !(G.readgstatus(initializer) == G._Gwaiting || stuck.containsKey(initializer))) {
                return victims;
            }
            stuck.put(gp, "waiting for the initialization of " + cls + " by goroutine " + initializer.goid);
        }
        for (Run r : Run.active) {
            List<G> blocked = new ArrayList<>();
            G main = r.main;
            if (main != null && r.isMain(main) && (G.readgstatus(main) == G._Gwaiting || stuck.containsKey(main))) {
                blocked.add(main);
            }
            for (int i = 0; i < n; i++) {
                G gp = Sched.allg(allgs, i);
                if (gp != null && gp.run == r && gp != main && (G.readgstatus(gp) == G._Gwaiting || stuck.containsKey(gp))) {
                    blocked.add(gp);
                }
            }
            if (blocked.stream().anyMatch(gp -> gp.waitreason == WaitReason.GORT_RUN)) {
                // It waits for a nested run, which is blocked too and dies now; its death
                // wakes this run, which is then judged again.
                continue;
            }
            boolean mainBlocked = !blocked.isEmpty() && blocked.get(0) == main && r.isMain(main);
            String msg;
            if (mainBlocked || (r.mainGoexited && !blocked.isEmpty())) {
                msg = "all goroutines are asleep - deadlock!";
            } else if (r.mainGoexited) {
                msg = "no goroutines (main called runtime.Goexit) - deadlock!";
            } else {
                continue; // the main goroutine is starting or ending: not this run's deadlock
            }
            victims.add(new Victim(r, new FatalError(msg), report(msg, blocked, stuck)));
        }
        return victims;
    }

    private static String report(String msg, List<G> blocked, Map<G, String> stuck) {
        StringBuilder b = new StringBuilder();
        b.append("fatal error: ").append(msg).append('\n');
        int stacks = 0;
        for (G gp : blocked) {
            b.append('\n');
            String why = stuck.get(gp);
            Traceback.header(b, gp, why != null ? WaitReason.CLASS_INIT.text : gp.waitreason.text);
            if (stacks++ < MAX_STACKS) {
                StackTraceElement[] st = Traceback.parkedStack(gp, why != null ? G._Gsyscall : G._Gwaiting);
                if (st != null) {
                    Traceback.frames(b, st);
                }
            }
            Traceback.createdBy(b, gp);
            if (why != null) {
                b.append(why).append('\n');
            }
        }
        b.append('\n');
        return b.toString();
    }

    /** Whether gp is in an implicit syscall sysmon found stuck, and not seen awake since. */
    private static boolean isStuck(G gp) {
        return (G.readgstatus(gp) & ~G._Gscan) == G._Gsyscall
                && gp.implicitSyscall() == (Syscall.IMPLICIT_BLOCKED | Syscall.IMPLICIT_STUCK);
    }

    /**
     * A G that is runnable, running or in a syscall, or null: Go's checkdead invariant;
     * stuck goroutines aside (the verdict confirms them). sched.lock held.
     */
    private static G anyRunnable() {
        int n = Sched.allglen;
        Object[] allgs = Sched.allgs;
        for (int i = 0; i < n; i++) {
            G gp = Sched.allg(allgs, i);
            if (gp == null) {
                continue;
            }
            int s = G.readgstatus(gp) & ~G._Gscan;
            if ((s == G._Grunnable || s == G._Grunning || s == G._Gsyscall) && !isStuck(gp)) {
                return gp;
            }
        }
        return null;
    }

    /** Where gp is queued, and the state of every P and M (for the checkdead failure). sched.lock held. */
    private static String dump(G gp) {
        StringBuilder b = new StringBuilder();
        b.append("g ").append(gp.goid).append(" m=").append(gp.m).append(" run=").append(gp.run != null)
                .append(" fn=").append(gp.fn != null ? gp.fn.getClass().getName() : null).append('\n');
        for (G q = Sched.runq.head; q != null; q = q.schedlink) {
            if (q == gp) {
                b.append("  it is on the global run queue\n");
            }
        }
        b.append("sched: gomaxprocs=").append(Sched.gomaxprocs).append(" npidle=").append(Sched.npidle)
                .append(" nmspinning=").append(Sched.nmspinning).append(" needspinning=").append(Sched.needspinning)
                .append(" mcount=").append(Sched.mcount()).append(" nmidle=").append(Sched.nmidle)
                .append(" nmidlelocked=").append(Sched.nmidlelocked).append(" stwActive=").append(Sched.stwActive)
                .append(" runqsize=").append(Sched.runq.size).append(" gcwaiting=").append(Sched.gcwaiting).append('\n');
        for (P pp : Sched.allp) {
            b.append("  P").append(pp.id).append(" status=").append(pp.status).append(" m=").append(pp.m)
                    .append(" runqsize=").append(RunQueue.runqlen(pp)).append(" runnext=")
                    .append(pp.runnext != null ? pp.runnext.goid : -1);
            for (int i = 0; i < pp.runq.length; i++) {
                if (pp.runq[i] == gp) {
                    b.append(" [slot ").append(i).append(" holds it]");
                }
            }
            b.append('\n');
        }
        for (M mp = Sched.midle; mp != null; mp = mp.schedlink) {
            b.append("  idle ").append(mp).append(" nextp=").append(mp.nextp).append(" state=").append(mp.getState()).append('\n');
        }
        return b.toString();
    }
}
