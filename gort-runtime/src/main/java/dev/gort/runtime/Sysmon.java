package dev.gort.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * Go's sysmon (proc.go): a thread without a P that watches the scheduler. It sleeps 20us,
 * doubling the sleep after 50 rounds in which it did nothing, up to 10ms; with every P idle
 * it sleeps until the next timer or until woken. Each round it runs {@link #retake}:
 * <ul>
 *   <li>a P whose schedtick has not moved for 10ms ({@code forcePreemptNS}: one goroutine,
 *       or goroutines handing runnext to each other, hogging it) gets a preemption request;</li>
 *   <li>a P whose goroutine sits in a syscall is taken and handed off once sysmon has seen
 *       the same syscall for one round and there is work for it (or no spinning/idle P to
 *       find work), or after 10ms regardless;</li>
 *   <li>an M blocked in JDK code outside gort's sight is treated as in a syscall
 *       ({@link Syscall#claimBlocked}), so the same rule applies to it; once its thread runs
 *       again, its goroutine is asked to come back for a P ({@link Syscall#noticeWoken});</li>
 *   <li>while a static initializer is slow, an M that is RUNNABLE but uses no CPU (waiting
 *       in the VM for that initialization, most likely) is treated the same way
 *       ({@link Syscall#claimStuck}, {@link ClassInits}).</li>
 * </ul>
 * and prints {@code GODEBUG=schedtrace} lines.
 *
 * <p>Differences from Go, for the latency targets: Go's back-off lets a goroutine run
 * 10-20ms before it is noticed (sysmon may sleep 10ms, and it only counts a time slice
 * from when it first sees it). Here, while any P is running, sysmon never sleeps longer
 * than {@link #BUSY_MAX_DELAY_NANOS} and never past the moment the oldest observed slice
 * reaches 10ms, so preemption comes at ~10-11ms; a syscall that starts with work queued
 * kicks sysmon out of its back-off ({@link #wake}); the round that will hand off a blocked
 * P is waited for by spinning, not parking ({@link #spinFor}); and starting an M with
 * sysmon in deep sleep wakes it, so a P that becomes busy is watched again at once.
 */
final class Sysmon {
    private Sysmon() {}

    /** Go's forcePreemptNS: the time slice given to a G before it is preempted. */
    static final long FORCE_PREEMPT_NS = 10_000_000;
    /** Go's first sleep: 20us. */
    static final long MIN_DELAY_NANOS = 20_000;
    /** Go's longest sleep: 10ms. */
    static final long MAX_DELAY_NANOS = 10_000_000;
    /** Longest sleep while any P is running (Differences from Go, above). */
    static final long BUSY_MAX_DELAY_NANOS = 1_000_000;
    /** Go's retake: a P stays in a syscall with nothing else to do for at most 10ms. */
    static final long SYSCALL_RETAKE_NS = 10_000_000;
    /** Go's sysmon: poll the network if nobody has for this long (10 ms), so ready connections are not starved by busy Ps. */
    static final long NETPOLL_STALE_NS = 10_000_000;
    /** Go's forcegcperiod/2: the longest deep sleep. */
    static final long DEEP_SLEEP_NANOS = 60_000_000_000L;

    private static volatile Thread thread;
    /**
     * Ps retake took from syscalls and handed off ({@link MetricsRt#handoffs}). Written by
     * sysmon's thread only (a read-increment-write is enough), read by anyone: volatile.
     */
    static volatile long handoffs;
    /**
     * Set by retake when it saw a syscall (or a blocked M) for the first time on a P with
     * work queued: the next round will hand the P off, so wait for it by spinning rather
     * than parking. Sysmon's thread only.
     */
    private static boolean retakeSoon;
    /** Set by {@link #wake}: restart the back-off at 20us. */
    private static volatile boolean kicked;

    /** Starts sysmon (once, at schedinit). */
    static void start() {
        Thread t = new Thread(null, Sysmon::sysmon, "gort-sysmon", 0, false);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Wakes sysmon from deep sleep (Go: notewakeup(&sched.sysmonnote)) and, with reset,
     * from its back-off sleep too, restarting the back-off at 20us.
     */
    static void wake(boolean reset) {
        if (reset) {
            kicked = true;
        }
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Go's "if sched.sysmonwait { sysmonwait = false; notewakeup(&sched.sysmonnote) }", sched.lock held. */
    static void wakeLocked() {
        if (Sched.sysmonwait) {
            Sched.sysmonwait = false;
            wake(true);
        }
    }

    private static void sysmon() {
        // Differences from Go: sysmon is a plain thread here, not an M, so it is not counted
        // in mcount and needs no sched.nmsys.

        long lasttrace = 0;
        int idle = 0; // how many cycles in succession we had not woken up somebody
        long delay = 0;
        for (;;) {
            if (idle == 0) { // start with 20us sleep...
                delay = MIN_DELAY_NANOS;
            } else if (idle > 50) { // start doubling the sleep after 1ms...
                delay *= 2;
            }
            if (delay > MAX_DELAY_NANOS) { // up to 10ms
                delay = MAX_DELAY_NANOS;
            }
            long now = Clock.nanotime();
            if (retakeSoon) {
                retakeSoon = false;
                spinFor(MIN_DELAY_NANOS, now);
            } else {
                LockSupport.parkNanos(sleepFor(delay, now));
            }
            if (kicked) {
                kicked = false;
                idle = 0;
                delay = MIN_DELAY_NANOS;
            }

            long schedtrace = Env.settings().schedtraceMillis();
            now = Clock.nanotime();
            // Differences from Go: not while a goroutine is in an implicit syscall, which
            // runs without a P once its thread is let go (Syscall.noticeWoken).
            if (schedtrace <= 0 && (Sched.gcwaiting || Sched.npidle == Sched.gomaxprocs) && Syscall.nimplicit.get() == 0) {
                Sched.lock.lock();
                if (Sched.gcwaiting || Sched.npidle == Sched.gomaxprocs) {
                    long next = Timers.timeSleepUntil();
                    if (next > now) {
                        Sched.sysmonwait = true;
                        Sched.lock.unlock();
                        LockSupport.parkNanos(Math.min(DEEP_SLEEP_NANOS, next - now));
                        Sched.lock.lock();
                        Sched.sysmonwait = false;
                    }
                    if (kicked) { // woken by a syscall or an M starting
                        kicked = false;
                        idle = 0;
                        delay = MIN_DELAY_NANOS;
                    }
                }
                Sched.lock.unlock();
            }

            now = Clock.nanotime();
            // poll network if not polled for more than 10ms
            long lastpoll = Netpoll.lastpoll.get();
            if (Netpoll.netpollinited() && lastpoll != 0 && lastpoll + NETPOLL_STALE_NS < now) {
                Netpoll.lastpoll.compareAndSet(lastpoll, now | 1);
                GQueue list = Netpoll.netpoll(0); // non-blocking - returns list of goroutines
                if (!list.empty()) {
                    // Differences from Go: no incidlelocked(-1/+1) around it: sysmon is not
                    // an M here (injectglist queues and starts Ms under sched.lock).
                    Netpoll.injectglist(list);
                }
            }
            // retake P's blocked in syscalls and preempt long running G's
            if (retake(now) != 0) {
                idle = 0;
            } else {
                idle++;
            }
            if (schedtrace > 0 && lasttrace + schedtrace * 1_000_000 <= now) {
                lasttrace = now;
                SchedTrace.schedtrace(Env.settings().scheddetail());
            }
        }
    }

    /**
     * Waits d ns without parking, unless kicked. Differences from Go: a parked thread
     * wakes late by the kernel's timer slack (50us on Linux, and Java cannot lower it), so
     * the one sysmon round between seeing a blocked P with work queued and handing it off
     * would cost ~70us instead of 20us. Spinning that one round keeps the hand-off of a
     * blocked M's P near Go's; it costs 20us of CPU per blocking call that has work waiting.
     */
    private static void spinFor(long d, long now) {
        long until = now + d;
        while (!kicked && Clock.nanotime() < until) {
            Thread.onSpinWait();
        }
    }

    /**
     * The back-off delay, shortened while Ps are running: never past the moment the oldest
     * observed time slice reaches 10ms, and never more than 1ms.
     */
    private static long sleepFor(long delay, long now) {
        long d = delay;
        for (P pp : Sched.allp) {
            if (pp.status == P._Prunning) {
                d = Math.min(d, BUSY_MAX_DELAY_NANOS);
                long left = pp.sysmonSchedwhen + FORCE_PREEMPT_NS - now;
                if (pp.sysmonSchedtick == pp.schedtick && pp.sysmonSchedwhen != 0 && left > 0) {
                    // Only until the slice ends: past it the request is out (preemptone), and a
                    // goroutine that cannot act on it (pinned) acts when it unpins (HookRt.unpin),
                    // so polling at 20us would only burn a CPU.
                    d = Math.min(d, Math.max(MIN_DELAY_NANOS, left));
                }
            }
        }
        return d;
    }

    /**
     * Go's retake: preempt long-running goroutines and take Ps from syscalls. Returns how
     * many Ps it took (or goroutines it found blocked), which resets the back-off.
     */
    static int retake(long now) {
        int n = 0;
        P[] allp = Sched.allp;
        // While a static initializer is slow, goroutines holding Ps may be waiting for it
        // inside the VM, RUNNABLE: judge them by their CPU clocks too (ClassInits).
        boolean slowInit = ClassInits.slow(now);
        for (P pp : allp) {
            // Quickly filter out non-running Ps. This is best-effort, so it's OK that it's
            // racy: the targets are Ps that have been running or in a syscall for
            // milliseconds.
            if (pp.status != P._Prunning) {
                continue;
            }
            boolean sysretake = false;
            // Preempt G if it's running on the same schedtick for too long. This could be
            // from a single long-running goroutine or a sequence of goroutines run via
            // runnext, which share a single schedtick time slice.
            int schedt = pp.schedtick;
            if (pp.sysmonSchedtick != schedt) {
                pp.sysmonSchedtick = schedt;
                pp.sysmonSchedwhen = now;
            } else if (pp.sysmonSchedwhen + FORCE_PREEMPT_NS <= now) {
                Preempt.preemptone(pp);
                // If pp is in a syscall, preemptone doesn't work: take the P ourselves.
                sysretake = true;
            }

            // A goroutine blocked in JDK code: from now on, it is in a syscall. That counts
            // as the first sysmon tick seen in it.
            if (Syscall.claimBlocked(pp) || (slowInit && Syscall.claimStuck(pp, now))) {
                pp.sysmonSyscalltick = pp.syscalltick;
                pp.sysmonSyscallwhen = now;
                retakeSoon |= workWaits(pp);
                n++;
                continue;
            }
            if (!inSyscall(pp)) {
                continue;
            }

            // Pretend one more M is running while we hold the goroutine in its syscall, or
            // it could leave the syscall, go idle and report a deadlock meanwhile.
            Proc.incidlelocked(-1);
            Syscall.Claim claim = Syscall.setBlockOnExitSyscall(pp);
            if (claim != null) {
                int syst = pp.syscalltick;
                if (!sysretake && pp.sysmonSyscalltick != syst) {
                    // Retake the P if it's there for more than 1 sysmon tick (at least 20us).
                    pp.sysmonSyscalltick = syst;
                    pp.sysmonSyscallwhen = now;
                    claim.resume();
                    retakeSoon |= workWaits(pp);
                } else if (RunQueue.runqempty(pp) && Sched.nmspinning + Sched.npidle > 0
                        && pp.sysmonSyscallwhen + SYSCALL_RETAKE_NS > now) {
                    // No other work to do: leave it, but retake it eventually, because it
                    // keeps sysmon from deep sleep.
                    claim.resume();
                } else {
                    // Take the P. Because we have the scan bit, the goroutine is at worst
                    // stuck spinning in exitsyscall.
                    Object jfr = Jfr.handoff ? JfrEvents.handoffBegin() : null;
                    long goid = claim.gp.goid; // while the scan bit holds it in the syscall
                    boolean implicit = claim.gp.implicitSyscall() != 0;
                    claim.releaseP(P._Pidle);
                    claim.resume();
                    n++;
                    // Counted before the hand-off: the goroutines it starts may run, and a
                    // reader that saw them run must see the count too.
                    handoffs++;
                    Proc.handoffp(pp);
                    if (jfr != null) {
                        JfrEvents.handoffEnd(jfr, pp.id, goid, implicit, now - pp.sysmonSyscallwhen);
                    }
                }
            }
            Proc.incidlelocked(1);
        }
        return n + Syscall.noticeWoken(now, slowInit);
    }

    /** Whether retake's next round would take pp from its syscall (the rule above). Racy. */
    private static boolean workWaits(P pp) {
        return !RunQueue.runqempty(pp) || Sched.nmspinning + Sched.npidle == 0;
    }

    /** Racy pre-check: pp's goroutine is in a syscall (validated by setBlockOnExitSyscall). */
    private static boolean inSyscall(P pp) {
        M mp = pp.m;
        G gp = mp != null ? mp.curg : null;
        return gp != null && (G.readgstatus(gp) & ~G._Gscan) == G._Gsyscall;
    }
}
