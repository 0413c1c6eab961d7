package dev.gort.runtime;

/**
 * Go 1.26's execution trace format: event types and status values, with the numbers and
 * names of {@code internal/trace/tracev2/events.go}. The arguments of each event are
 * listed there ({@code specs}); the writers in {@link TraceEv} follow them.
 */
final class TraceEvents {
    private TraceEvents() {}

    /** The file header: Go 1.26's, padded to 16 bytes (internal/trace/version). */
    static final byte[] HEADER = "go 1.26 trace\0\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    // Structural events.
    static final int EvEventBatch = 1;
    static final int EvStacks = 2;
    static final int EvStack = 3;
    static final int EvStrings = 4;
    static final int EvString = 5;
    static final int EvFrequency = 8;

    // Procs.
    static final int EvProcsChange = 9;
    static final int EvProcStart = 10;
    static final int EvProcStop = 11;
    static final int EvProcSteal = 12;
    static final int EvProcStatus = 13;

    // Goroutines.
    static final int EvGoCreate = 14;
    static final int EvGoStart = 16;
    static final int EvGoDestroy = 17;
    static final int EvGoStop = 19;
    static final int EvGoBlock = 20;
    static final int EvGoUnblock = 21;
    static final int EvGoSyscallBegin = 22;
    static final int EvGoSyscallEnd = 23;
    static final int EvGoSyscallEndBlocked = 24;
    static final int EvGoStatus = 25;

    // STW and GC.
    static final int EvSTWBegin = 26;
    static final int EvSTWEnd = 27;
    static final int EvGCActive = 28;
    static final int EvGCBegin = 29;
    static final int EvGCEnd = 30;
    static final int EvHeapAlloc = 37;
    static final int EvHeapGoal = 38;

    // Annotations.
    static final int EvGoLabel = 39;
    static final int EvUserTaskBegin = 40;
    static final int EvUserTaskEnd = 41;
    static final int EvUserRegionBegin = 42;
    static final int EvUserRegionEnd = 43;
    static final int EvUserLog = 44;

    // Goroutines created blocked (Go 1.23: the GC's workers).
    static final int EvGoCreateBlocked = 47;

    // Sync batches (Go 1.25+) and the end of a generation (Go 1.26).
    static final int EvSync = 50;
    static final int EvClockSnapshot = 51;
    static final int EvEndOfGeneration = 52;

    // tracev2.GoStatus.
    static final int GoRunnable = 1;
    static final int GoRunning = 2;
    static final int GoSyscall = 3;
    static final int GoWaiting = 4;

    // tracev2.ProcStatus.
    static final int ProcRunning = 1;
    static final int ProcIdle = 2;
    static final int ProcSyscall = 3;
    static final int ProcSyscallAbandoned = 4;
}
