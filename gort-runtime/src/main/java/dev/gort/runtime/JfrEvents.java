package dev.gort.runtime;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * gort's JDK Flight Recorder events, {@code dev.gort.*}, and the listener that turns them on
 * ({@link Jfr} holds the switches the hot paths read; it explains the cost model).
 *
 * <table>
 *   <caption>The events and where they are committed</caption>
 *   <tr><th>event</th><th>what</th><th>committed</th></tr>
 *   <tr><td>{@code dev.gort.SchedulerSummary}</td><td>Go's schedtrace line and the
 *       scheduler's counters ({@link MetricsRt})</td><td>periodically (default 1 s), on
 *       JFR's periodic-task thread</td></tr>
 *   <tr><td>{@code dev.gort.SyscallBlocked}</td><td>a goroutine's syscall (Gort.syscall,
 *       the agent's wrapped JDK calls, or an implicit one: a block in the JDK that sysmon
 *       took for a syscall) longer than the threshold (default 20 ms)</td><td>at
 *       exitsyscall, on the goroutine's M: its stack is the goroutine's</td></tr>
 *   <tr><td>{@code dev.gort.GoroutineBlocked}</td><td>a goroutine parked in one wait
 *       longer than the threshold (default 20 ms), with the wait reason</td><td>when it
 *       resumes (after gopark), on its M</td></tr>
 *   <tr><td>{@code dev.gort.Handoff}</td><td>sysmon's retake took a P from a syscall and
 *       handed it off (Go's handoffp from retake)</td><td>on sysmon's thread</td></tr>
 *   <tr><td>{@code dev.gort.Fatal}</td><td>a run died (panic, fatal error, deadlock) or
 *       the runtime threw: Go's report</td><td>where the report is printed</td></tr>
 * </table>
 *
 * <h2>Timing</h2>
 * Durations are JFR's own: {@code begin()} where the wait starts, {@code end()} where it
 * ends, so JFR applies each event's threshold. A goroutine's park keeps its event in a
 * local of gopark, which lives in the parked continuation's frame, so G has no field for
 * it; a syscall keeps it in {@code M.jfrSyscall}, since a syscall never leaves its M
 * (sysmon begins an implicit one there, on the blocked M's behalf). A wait that began
 * before the recording is not reported (its begin is unknown); the durations include the
 * time the goroutine was runnable before it ran again, as the JDK's {@code jdk.ThreadPark}
 * includes rescheduling. Rejected: the G's {@code waitsince} (nanoTime) as the begin: JFR
 * has no way to begin an event in the past, so its thresholds would not apply.
 *
 * <h2>Threads</h2>
 * JFR's callbacks (the listener, the periodic hook) read counters only: they never enter
 * the runtime, so JFR's threads never count as plain threads that used gort (Externals).
 */
final class JfrEvents {
    private JfrEvents() {}

    @Name("dev.gort.SchedulerSummary")
    @Label("Scheduler Summary")
    @Category("gort")
    @Description("gort's scheduler at a glance, as Go's GODEBUG=schedtrace line: goroutines, Ps, Ms, "
            + "run queues, and the scheduler's counters since the start (see dev.gort.pprof.RuntimeMXBean)")
    @Period("1 s")
    @StackTrace(false)
    static final class SchedulerSummary extends Event {
        @Label("Goroutines")
        @Description("Goroutines that exist now (runtime.NumGoroutine)")
        int goroutines;
        @Label("GOMAXPROCS")
        int gomaxprocs;
        @Label("Idle Ps")
        @Description("Ps with nothing to run (Go's sched.npidle)")
        int idleProcs;
        @Label("Spinning Ms")
        @Description("Ms looking for work (Go's sched.nmspinning)")
        int spinningThreads;
        @Label("Threads")
        @Description("gort's worker threads, Ms (Go's mcount)")
        long threads;
        @Label("Global Run Queue")
        @Description("Goroutines on the global run queue (Go's sched.runq.size)")
        int globalRunQueue;
        @Label("Local Run Queues")
        @Description("Goroutines on the Ps' local run queues, all Ps together")
        int localRunQueues;
        @Label("Goroutines Created")
        long goroutinesCreated;
        @Label("Context Switches")
        long contextSwitches;
        @Label("Preemptions")
        long preemptions;
        @Label("Steals")
        long steals;
        @Label("Handoffs")
        long handoffs;
    }

    @Name("dev.gort.SyscallBlocked")
    @Label("Syscall Blocked")
    @Category("gort")
    @Description("A goroutine's system call (Gort.syscall, a blocking JDK call the agent wraps, or a block in "
            + "the JDK that sysmon took for one) lasting longer than the threshold; the stack is the goroutine's")
    @Threshold("20 ms")
    @StackTrace(true)
    static final class SyscallBlocked extends Event {
        @Label("Goroutine")
        long goid;
        @Label("Implicit")
        @Description("sysmon found the goroutine blocked in JDK code and treated it as in a syscall "
                + "(the duration runs from then)")
        boolean implicit;
        @Label("P Handed Off")
        @Description("The goroutine's P was taken from it meanwhile (sysmon's retake, or a stop-the-world)")
        boolean handedOff;
    }

    @Name("dev.gort.GoroutineBlocked")
    @Label("Goroutine Blocked")
    @Category("gort")
    @Description("A goroutine parked in one wait (a channel, select, lock, sleep...) longer than the "
            + "threshold, until it ran again; the stack is where it waited")
    @Threshold("20 ms")
    @StackTrace(true)
    static final class GoroutineBlocked extends Event {
        @Label("Goroutine")
        long goid;
        @Label("Wait Reason")
        @Description("Go's wait reason, as goroutine tracebacks show it (chan receive, select, sleep...)")
        String waitReason;
    }

    @Name("dev.gort.Handoff")
    @Label("P Handoff")
    @Category("gort")
    @Description("sysmon's retake took a P from a goroutine in a system call and handed it off "
            + "(Go's handoffp from retake); the duration is the hand-off itself")
    @Threshold("0 ms")
    @StackTrace(false)
    static final class Handoff extends Event {
        @Label("P")
        int proc;
        @Label("Goroutine")
        @Description("The goroutine in the syscall")
        long goid;
        @Label("Implicit")
        @Description("The syscall is a block in JDK code that sysmon found")
        boolean implicit;
        @Label("Seen In Syscall")
        @Description("How long sysmon had seen the P in this syscall")
        @Timespan(Timespan.NANOSECONDS)
        long seenInSyscall;
    }

    @Name("dev.gort.Fatal")
    @Label("Fatal Error")
    @Category("gort")
    @Description("A run died (a panic, a fatal error such as a deadlock) or the runtime threw: Go's report")
    @StackTrace(false)
    static final class Fatal extends Event {
        @Label("Kind")
        @Description("panic, or fatal error")
        String kind;
        @Label("Message")
        String message;
        @Label("Report")
        @Description("The report printed to stderr: the message and the goroutines' tracebacks")
        String report;
    }

    // ---- the switch ----

    /**
     * Recordings seen by the listener and not closed, and the number of the latest
     * {@link #refresh}; the class lock, a leaf: no call into JFR is made holding it (JFR
     * calls the periodic hook holding its recorder's lock, at a chunk's end).
     */
    private static final Set<Recording> recordings = Collections.newSetFromMap(new IdentityHashMap<>());
    private static long refreshes;
    private static boolean periodicAdded; // class lock

    private static final FlightRecorderListener LISTENER = new FlightRecorderListener() {
        @Override
        public void recorderInitialized(FlightRecorder recorder) {
            register();
        }

        @Override
        public void recordingStateChanged(Recording recording) {
            stateChanged(recording);
        }
    };

    /** See {@link Jfr#install}. */
    static void install() {
        FlightRecorder.addListener(LISTENER); // calls recorderInitialized at once if JFR is up
        if (FlightRecorder.isInitialized()) {
            // Recordings running already (-XX:StartFlightRecording) changed state before we listened.
            for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
                stateChanged(r);
            }
        }
    }

    /**
     * JFR is up: the periodic event's hook, and the other events made known to it, so JMC
     * lists them before the first one is committed.
     */
    private static void register() {
        synchronized (JfrEvents.class) {
            if (periodicAdded) {
                return;
            }
            periodicAdded = true;
        }
        FlightRecorder.addPeriodicEvent(SchedulerSummary.class, JfrEvents::summary);
        FlightRecorder.register(SyscallBlocked.class);
        FlightRecorder.register(GoroutineBlocked.class);
        FlightRecorder.register(Handoff.class);
        FlightRecorder.register(Fatal.class);
    }

    /** A recording changed state: the switches ({@link Jfr}) say what the running ones enable now. */
    private static void stateChanged(Recording changed) {
        synchronized (JfrEvents.class) {
            recordings.add(changed);
        }
        refresh();
    }

    /**
     * Sets the switches from the recordings' states and JFR's merged settings
     * (EventType.isEnabled), read now. Of two refreshes at once, the later one's reading is
     * the one kept (a stale one never overwrites a fresher one).
     */
    private static void refresh() {
        long mine;
        Recording[] rs;
        synchronized (JfrEvents.class) {
            mine = ++refreshes;
            rs = recordings.toArray(new Recording[0]);
        }
        boolean running = false;
        for (Recording r : rs) {
            RecordingState st = r.getState();
            running |= st == RecordingState.RUNNING;
            if (st == RecordingState.CLOSED) {
                synchronized (JfrEvents.class) {
                    recordings.remove(r);
                }
            }
        }
        boolean blocked = running && EventType.getEventType(GoroutineBlocked.class).isEnabled();
        boolean syscall = running && EventType.getEventType(SyscallBlocked.class).isEnabled();
        boolean handoff = running && EventType.getEventType(Handoff.class).isEnabled();
        boolean fatal = running && EventType.getEventType(Fatal.class).isEnabled();
        synchronized (JfrEvents.class) {
            if (mine == refreshes) {
                Jfr.blocked = blocked;
                Jfr.syscall = syscall;
                Jfr.handoff = handoff;
                Jfr.fatal = fatal;
            }
        }
    }

    // ---- the events' producers (called only while their switch is on) ----

    /**
     * The periodic hook, on JFR's thread: counters only (MetricsRt), no runtime entry. It
     * also reads the settings again (refresh), for a recording whose settings changed while
     * it ran.
     */
    private static void summary() {
        refresh();
        SchedulerSummary e = new SchedulerSummary();
        e.goroutines = MetricsRt.numGoroutine();
        e.gomaxprocs = MetricsRt.gomaxprocs();
        e.idleProcs = MetricsRt.idleProcs();
        e.spinningThreads = MetricsRt.spinningThreads();
        e.threads = MetricsRt.threads();
        e.globalRunQueue = MetricsRt.globalRunQueueLength();
        int local = 0;
        for (int n : MetricsRt.runQueueLengths()) {
            local += n;
        }
        e.localRunQueues = local;
        e.goroutinesCreated = MetricsRt.goroutinesCreated();
        e.contextSwitches = MetricsRt.contextSwitches();
        e.preemptions = MetricsRt.preemptions();
        e.steals = MetricsRt.steals();
        e.handoffs = MetricsRt.handoffs();
        e.commit();
    }

    /** gopark, before the goroutine leaves its stack: the event to end when it resumes, or null. */
    static Object blockBegin() {
        GoroutineBlocked e = new GoroutineBlocked();
        if (!e.isEnabled()) {
            return null;
        }
        e.begin();
        return e;
    }

    /** gopark, after the goroutine resumed. */
    static void blockEnd(Object event, G gp, WaitReason reason) {
        GoroutineBlocked e = (GoroutineBlocked) event;
        e.end();
        if (e.shouldCommit()) {
            e.goid = gp.goid;
            e.waitReason = reason.text;
            e.commit();
        }
    }

    /** entersyscall (or sysmon's claim of a goroutine blocked in the JDK): the event to end at exitsyscall, or null. */
    static Object syscallBegin(boolean implicit) {
        SyscallBlocked e = new SyscallBlocked();
        if (!e.isEnabled()) {
            return null;
        }
        e.implicit = implicit;
        e.begin();
        return e;
    }

    /** exitsyscall, on the goroutine's M, before it looks for a P. */
    static void syscallEnd(Object event, G gp, boolean handedOff) {
        SyscallBlocked e = (SyscallBlocked) event;
        e.end();
        if (e.shouldCommit()) {
            e.goid = gp.goid;
            e.handedOff = handedOff;
            e.commit();
        }
    }

    /** Sysmon's retake, before it takes the P: the event to end once it is handed off, or null. */
    static Object handoffBegin() {
        Handoff e = new Handoff();
        if (!e.isEnabled()) {
            return null;
        }
        e.begin();
        return e;
    }

    static void handoffEnd(Object event, int proc, long goid, boolean implicit, long seenNanos) {
        Handoff e = (Handoff) event;
        e.end();
        if (e.shouldCommit()) {
            e.proc = proc;
            e.goid = goid;
            e.implicit = implicit;
            e.seenInSyscall = seenNanos;
            e.commit();
        }
    }

    /** A death's report (Go's: {@code panic: ...} or {@code fatal error: ...}, then tracebacks), just printed. */
    static void fatal(String report) {
        Fatal e = new Fatal();
        if (!e.isEnabled()) {
            return;
        }
        int nl = report.indexOf('\n');
        String first = nl < 0 ? report : report.substring(0, nl);
        int colon = first.indexOf(": ");
        e.kind = colon < 0 ? "" : first.substring(0, colon);
        e.message = colon < 0 ? first : first.substring(colon + 2);
        e.report = report;
        e.commit();
    }
}
