package dev.gort.pprof;

import java.util.List;

/**
 * The names of gort's own JFR events (docs/api.md), which the profiles' recordings
 * ({@link CpuProfile}, {@link AllocProfile}) turn off. JFR gives an event a recording does
 * not mention its declared defaults (on), and while a running recording enables
 * {@code dev.gort.GoroutineBlocked} or {@code dev.gort.SyscallBlocked} every park or syscall
 * is timed (~50 ns); a CPU or allocation profile must not slow the program it measures, nor
 * carry events nobody reads. A recording of the user's that enables them still does (JFR
 * merges the running recordings' settings).
 */
final class GortJfrEvents {
    private GortJfrEvents() {}

    static final List<String> NAMES = List.of("dev.gort.SchedulerSummary", "dev.gort.SyscallBlocked",
            "dev.gort.GoroutineBlocked", "dev.gort.Handoff", "dev.gort.Fatal");
}
