package dev.gort.runtime;

/**
 * The switches of gort's JDK Flight Recorder events ({@code dev.gort.*}, {@link JfrEvents}):
 * what the hot paths read. Go has no counterpart (its execution tracer is its event log);
 * JFR is the JVM's, and Java's tools (JMC, {@code jfr print}) read it.
 *
 * <h2>Cost while nothing records</h2>
 * The places that time a goroutine read one volatile flag per event, and do nothing else
 * while it is false: no clock read, no allocation, no call into {@code jdk.jfr}. gopark
 * reads {@link #blocked}; entersyscall and sysmon's claims {@link #syscall}; sysmon's retake
 * {@link #handoff}; a death's report {@link #fatal}. exitsyscall reads only the M's
 * {@code jfrSyscall} field, null unless its entersyscall began an event. A JFR
 * {@code Event} is made per commit (JFR's rule), so there is no preallocated event whose
 * {@code isEnabled()} could be read instead.
 *
 * <p>A flag is true while some recording runs and the event is enabled in it: JFR's
 * {@code EventType.isEnabled()}, which merges every running recording's settings (an event
 * a recording does not mention has its declared defaults: on, with its threshold). The flags
 * are set by a {@code FlightRecorderListener} ({@link JfrEvents#install}), which JFR calls on
 * the thread that starts or stops a recording, after the settings are applied and before
 * {@code Recording.start()} returns, so an event produced after that call is recorded.
 * Settings changed on a running recording ({@code Recording.enable} after its start) are
 * seen at the next start or stop, or within a second by the scheduler summary's periodic
 * hook, which reads them again. A recording that disables the events (the pprof server's
 * CPU and allocation profiles do) costs the hot paths nothing.
 *
 * <p>This class names no {@code jdk.jfr} type, so the scheduler's classes that read it link
 * on a JDK without the {@code jdk.jfr} module (a jlinked image); {@link JfrEvents} is
 * loaded only once a recording runs.
 *
 * <p>Rejected: a static final flag (JFR can start at any time: {@code jcmd JFR.start});
 * reading {@code EventType.isEnabled()} on the hot path (it loads and initializes JFR's
 * metadata, ~150 ms, in a JVM that never records); one flag for "a recording runs" (then a
 * CPU profile's recording would time every park and syscall: ~50 ns each).
 */
final class Jfr {
    private Jfr() {}

    // Each: a running recording enables the event. Written by the listener, read on the hot
    // paths: volatile, so a recording started on another thread is seen at the next read, as
    // the tracer's Tracer.enabled is.

    /** {@code dev.gort.GoroutineBlocked}. */
    static volatile boolean blocked;
    /** {@code dev.gort.SyscallBlocked}. */
    static volatile boolean syscall;
    /** {@code dev.gort.Handoff}. */
    static volatile boolean handoff;
    /** {@code dev.gort.Fatal}. */
    static volatile boolean fatal;

    /** Whether this JVM has JFR (the {@code jdk.jfr} module is in the boot layer). */
    static boolean available() {
        return ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    }

    /**
     * Puts the listener in place, at the runtime's start; never fails the start (a failure is
     * one line on stderr). Without {@code jdk.jfr}, nothing: the events simply do not exist.
     */
    static void install() {
        if (!available()) {
            return;
        }
        try {
            JfrEvents.install();
        } catch (Throwable t) { // LinkageError included: JFR is optional, the runtime is not
            Env.warn("JFR events are off: " + t);
        }
    }
}
