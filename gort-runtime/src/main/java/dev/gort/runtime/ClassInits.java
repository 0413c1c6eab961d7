package dev.gort.runtime;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Static initializers. Go has no class initialization, so all of this is gort's own
 * (Differences from Go); where it reuses a Go mechanism, that is named.
 *
 * <h2>The trap</h2>
 * The JVM runs a class's static initializer ({@code <clinit>}) once, on the first thread
 * that uses the class, and any other thread that uses the class meanwhile waits inside the
 * VM until it is done (JVMS 5.5). For goroutines that is a trap, for two reasons:
 * <ul>
 *   <li>The goroutine running an initializer is pinned: the VM calls {@code <clinit>}
 *       through a native frame, so its continuation cannot yield. Each park it makes takes
 *       the pinned path (its M blocks, its P is handed off: {@link Park}), and it needs a P
 *       back to go on (startlockedm, exitsyscallNoPPinned).</li>
 *   <li>A thread waiting for another thread's initialization is RUNNABLE to
 *       {@code Thread.getState} and to {@code ThreadMXBean}, which names no lock; only the
 *       VM's own thread dump says "waiting on the Class initialization monitor". So sysmon's
 *       test for a thread blocked in the JDK ({@link Syscall#claimBlocked}) never fires.</li>
 * </ul>
 * So goroutines that touch the class hold every P, blocked in the VM, while the initializer
 * waits for one of those Ps (or for a goroutine or a timer queued behind them): the program
 * hangs for good, and no deadlock is reported (issue 16: Lucene, Jackson and Commons Compress
 * under the agent; two goroutines reading a field of a class whose initializer sleeps
 * 100 ms, at GOMAXPROCS=1, hung in every run).
 *
 * <h2>What gort does</h2>
 * <ol>
 *   <li><b>Who initializes.</b> The agent brackets every {@code <clinit>} with hooks
 *       ({@link HookRt#clinitEnter}, and {@link HookRt#clinitExit} on every return and on
 *       the way out of an exception): a goroutine inside initializers carries a
 *       {@link State} ({@code G.inits}: the classes, innermost last, and when the outermost
 *       began), and {@link #active} counts such goroutines. On a plain thread the hooks do
 *       nothing. Without the agent, a pinned park by a goroutine that holds no lock pin looks
 *       for {@code <clinit>} frames on its stack ({@link #pinnedWait}) and counts as an
 *       initializer for as long as it waits: that is when it needs the help below.</li>
 *   <li><b>Goroutines stuck in the VM give up their P.</b> Once an initialization has
 *       lasted {@link #SLOW_INIT_NS}, sysmon judges each goroutine that holds a P, runs user
 *       code and whose thread is RUNNABLE by its thread's CPU clock: one that used less than
 *       {@link Syscall#RAN_CPU_NS} of CPU over {@link Syscall#STUCK_WINDOW_NS} is blocked
 *       where the thread state does not show it (on an initialization lock, most likely, or
 *       in native code) and becomes an implicit syscall ({@link Syscall#claimStuck}). Go's
 *       retake rules then hand its P off, so the initializer, or whatever it waits for, runs.
 *       The goroutine rejoins the scheduler as any implicit syscall does: sysmon sees its
 *       thread use CPU again and raises the preemption flag, and its next check takes it
 *       back to a P on its own M ({@link Syscall#noticeWoken}, {@link Syscall#exitWoken}).
 *       An initializer's exit kicks sysmon when goroutines are stuck, since the waiters are
 *       let go right after it.</li>
 *   <li><b>True cycles are reported.</b> An initializer that waits for a goroutine which
 *       waits for that very initialization, or two goroutines initializing two classes that
 *       need each other (the JVM alone would hang there silently), end with every goroutine
 *       parked or stuck. The deadlock detector does not count Ms of stuck goroutines as
 *       running ({@link CheckDead}); before it declares a deadlock, the JVM's own thread dump
 *       ({@link #initWaits}) must show each stuck goroutine's thread waiting for the
 *       initialization of a class that a goroutine is initializing. Then it is Go's report,
 *       {@code fatal error: all goroutines are asleep - deadlock!}, with the stuck
 *       goroutines as {@code [class initialization]} (a wait reason of gort's own) and the
 *       class each waits for.</li>
 *   <li><b>An initializer cannot yield</b>, so it is treated like a goroutine holding a lock
 *       (Go's {@code m.locks > 0}): {@code Thread.sleep} sleeps its thread as a blocking
 *       syscall instead of parking on a timer that some P would have to run
 *       ({@link HookRt#sleep}), a preemption request waits, and leaving the last
 *       initializer restores it (Go's releasem).</li>
 * </ol>
 * Initializers the agent does not instrument (the JDK's, excluded classes) are not seen.
 * They never call gort, so they never need a P to finish; their waiters are taken for stuck
 * only while some seen initializer is slow.
 *
 * <h2>Rejected</h2>
 * <ul>
 *   <li>Keeping the initializer's P across its parks, or letting it run without one: the
 *       initializer may wait for a goroutine (a channel's sender) or a timer, and those
 *       need a P that the waiters hold.</li>
 *   <li>Asking the goroutines that hold Ps to yield and taking the P of one that has not
 *       acted after a tick: every running goroutine would be preempted each tick while a
 *       slow initialization lasts, and one holding a lock, or in code without checks, can
 *       never act. The CPU clock tells directly whether a RUNNABLE thread runs.</li>
 *   <li>The VM's thread dump in sysmon, to find the waiters: it stops the world every time,
 *       and the first one costs ~300 ms (it starts JMX's platform server). It is used once,
 *       to confirm a deadlock.</li>
 *   <li>Rewriting initializers so that waiters wait somewhere visible (the body run apart,
 *       lazy holders): other threads would see the class before its statics are set.</li>
 *   <li>A hook at every first use of a class ({@code getstatic}, {@code new},
 *       {@code invokestatic}): a cost at each such instruction, for an event that happens
 *       once per class.</li>
 *   <li>Judging every RUNNABLE P holder by its CPU clock all the time (it would also catch
 *       unwrapped native I/O): a clock read per P per sysmon round for the whole run, and
 *       a thread merely descheduled on an oversubscribed machine looks blocked for a while.
 *       That mistake is harmless (the goroutine runs without a P until its next check) but
 *       only worth risking while an initialization needs the Ps.</li>
 * </ul>
 */
final class ClassInits {
    private ClassInits() {}

    /**
     * An initialization that has lasted this long makes sysmon judge the P holders. Most
     * initializers take microseconds; one that reads a resource, sleeps or waits takes
     * milliseconds, and that is when its waiters can hold every P.
     */
    static final long SLOW_INIT_NS = 1_000_000;

    /** Goroutines inside initializers (G.inits non-null): while zero, sysmon looks no further. */
    static final AtomicInteger active = new AtomicInteger();

    /** A goroutine's initializations in progress: its {@code G.inits}. The goroutine's own. */
    static final class State {
        /** When the outermost began (final: sysmon reads it through a racy G.inits). */
        final long since;
        /** Found by a stack walk at a pinned wait (no agent), for the wait only. */
        final boolean walked;
        /** The classes being initialized, outermost first; the rest of the array is null. */
        Class<?>[] classes;
        int depth;

        State(long since, boolean walked, Class<?>[] classes, int depth) {
            this.since = since;
            this.walked = walked;
            this.classes = classes;
            this.depth = depth;
        }

        boolean contains(String className) {
            for (int i = 0; i < depth; i++) {
                if (classes[i] != null && classes[i].getName().equals(className)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The agent's hook at the start of c's initializer, on goroutine gp. c is null in class files too old to name it. */
    static void enter(G gp, Class<?> c) {
        State s = gp.inits();
        if (s == null || s.walked) {
            s = new State(Clock.nanotime(), false, new Class<?>[4], 0);
            if (gp.inits() == null) {
                active.incrementAndGet();
            }
            gp.setInits(s);
        }
        if (s.depth == s.classes.length) {
            s.classes = Arrays.copyOf(s.classes, s.depth * 2);
        }
        s.classes[s.depth++] = c;
    }

    /**
     * The agent's hook on every way out of c's initializer. Pops c and whatever was pushed
     * after it (an exit whose hook did not run: a StackOverflowError in the handler);
     * ignores an exit it has no entry for.
     */
    static void exit(G gp, Class<?> c) {
        State s = gp.inits();
        if (s == null || s.walked) {
            return;
        }
        int i = s.depth - 1;
        while (i >= 0 && s.classes[i] != c) {
            i--;
        }
        if (i < 0) {
            return;
        }
        Arrays.fill(s.classes, i, s.depth, null);
        s.depth = i;
        if (Syscall.nstuck.get() > 0) {
            // Goroutines waiting for this class are let go as soon as we return: have sysmon
            // look at once (its back-off may be at 10 ms), so they come back for a P soon.
            Sysmon.wake(true);
        }
        if (i > 0) {
            return;
        }
        gp.setInits(null);
        active.decrementAndGet();
        if (gp.preempt && gp.lockPins() == 0) {
            Preempt.raisePreemptFlag(); // Go's releasem: a request deferred meanwhile acts now
        }
    }

    /** At goexit0: a goroutine cannot end inside an initializer, but an exit hook may have been lost. */
    static void forget(G gp) {
        if (gp.inits() != null) {
            gp.setInits(null);
            active.decrementAndGet();
        }
    }

    /** Whether gp is inside an initializer (so it cannot yield), as far as gort knows. */
    static boolean inside(G gp) {
        return gp.inits() != null;
    }

    /**
     * Without the agent: gp's pinned park or wait for a P is about to block its M, and gp
     * holds no lock pin (so a native frame pins it). If that frame is an initializer's
     * ({@code <clinit>} frames on its stack), gp counts as an initializer for the wait, which
     * {@link #pinnedWaitDone} ends. Returns the state to pass there, or null. A stack walk
     * costs microseconds; pinned waits without a lock pin are rare (under the agent the
     * hooks answer first).
     */
    static State pinnedWait(G gp) {
        if (gp.inits() != null || gp.lockPins() > 0) {
            return null;
        }
        List<Class<?>> found = StackWalker.getInstance(Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE))
                .walk(frames -> frames.filter(f -> f.getMethodName().equals("<clinit>"))
                        .<Class<?>>map(StackWalker.StackFrame::getDeclaringClass).toList());
        if (found.isEmpty()) {
            return null;
        }
        List<Class<?>> outermostFirst = new ArrayList<>(found);
        java.util.Collections.reverse(outermostFirst);
        State s = new State(Clock.nanotime(), true, outermostFirst.toArray(new Class<?>[0]), outermostFirst.size());
        active.incrementAndGet();
        gp.setInits(s);
        return s;
    }

    /** The end of a wait {@link #pinnedWait} counted. */
    static void pinnedWaitDone(G gp, State s) {
        if (s != null && gp.inits() == s) {
            gp.setInits(null);
            active.decrementAndGet();
        }
    }

    /**
     * Sysmon: whether some initialization has lasted {@link #SLOW_INIT_NS}. An initializer is
     * pinned, so it is always on an M: running ({@code curg}) or blocked there with its
     * goroutine ({@code lockedg}). Racy reads, as hints.
     */
    static boolean slow(long now) {
        if (active.get() == 0) {
            return false;
        }
        for (M mp : Sched.allm) {
            G gp = mp.curg;
            if (gp == null) {
                gp = mp.lockedg;
            }
            State s = gp != null ? gp.inits() : null;
            if (s != null && now - s.since >= SLOW_INIT_NS) {
                return true;
            }
        }
        return false;
    }

    /** The goroutine initializing the class named className, or null (a plain thread, or none). sched.lock held. */
    static G initializerOf(String className) {
        int n = Sched.allglen;
        Object[] allgs = Sched.allgs;
        for (int i = 0; i < n; i++) {
            G gp = Sched.allg(allgs, i);
            State s = gp != null ? gp.inits() : null;
            if (s != null && s.contains(className)) {
                return gp;
            }
        }
        return null;
    }

    /** What HotSpot's thread dump prints under a thread waiting for another's class initialization. */
    static final String INIT_WAIT = "- waiting on the Class initialization monitor for ";

    /**
     * The JVM's thread dump ({@code jcmd PID Thread.print}, through the DiagnosticCommand
     * MBean): for each thread waiting for a class initialization, the class's name. Null if
     * the JVM offers no such dump (not HotSpot, or without java.management). The first call
     * starts JMX's platform MBean server (~300 ms); every call stops the world briefly.
     */
    static Map<String, String> initWaits() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "threadPrint",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return out instanceof String dump ? parseInitWaits(dump) : null;
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    /** Thread name to the class it waits to see initialized, from a Thread.print dump. */
    static Map<String, String> parseInitWaits(String dump) {
        Map<String, String> waits = new HashMap<>();
        String thread = null;
        for (String line : dump.split("\n")) {
            if (line.startsWith("\"")) {
                int end = line.indexOf('"', 1);
                thread = end > 0 ? line.substring(1, end) : null;
                continue;
            }
            int i = line.indexOf(INIT_WAIT);
            if (thread != null && i >= 0) {
                waits.putIfAbsent(thread, line.substring(i + INIT_WAIT.length()).trim());
            }
        }
        return waits;
    }
}
