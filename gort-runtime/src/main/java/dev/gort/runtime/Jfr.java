package dev.gort.runtime;

/**
 * The switch of gort's JDK Flight Recorder events ({@code dev.gort.*}, {@link JfrEvents}):
 * what the hot paths read. Go has no counterpart (its execution tracer is its event log);
 * JFR is the JVM's, and Java's tools (JMC, {@code jfr print}) read it.
 *
 * <h2>Cost while nothing records</h2>
 * The places that time a goroutine (gopark, entersyscall, sysmon's claims and retake, a
 * death's report) read {@link #on}, one volatile load, and do nothing else while it is
 * false: no clock read, no allocation, no call into {@code jdk.jfr}. exitsyscall reads
 * only the M's {@code jfrSyscall} field, null unless its entersyscall began an event. A
 * JFR {@code Event} is made per commit (JFR's rule), so there is no preallocated event
 * whose {@code isEnabled()} could be read instead.
 *
 * <p>{@link #on} is true while some recording is running; whether it enables a given event
 * (and its threshold) is JFR's own check, on the slow path. It is flipped by a
 * {@code FlightRecorderListener} ({@link JfrEvents#install}), which JFR calls on the
 * thread that starts or stops a recording, before {@code Recording.start()} returns: so
 * events produced after that call are recorded.
 *
 * <p>This class names no {@code jdk.jfr} type, so the scheduler's classes that read it link
 * on a JDK without the {@code jdk.jfr} module (a jlinked image); {@link JfrEvents} is
 * loaded only once a recording runs.
 *
 * <p>Rejected: a static final flag (JFR can start at any time: {@code jcmd JFR.start});
 * reading {@code EventType.isEnabled()} on the hot path (it loads and initializes JFR's
 * metadata, ~150 ms, in a JVM that never records).
 */
final class Jfr {
    private Jfr() {}

    /**
     * Some JFR recording is running. Written by the listener (recording state changes),
     * read on the hot paths: volatile, so a recording started on another thread is seen at
     * the next read, as with the tracer's {@code Tracer.enabled}.
     */
    static volatile boolean on;

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
