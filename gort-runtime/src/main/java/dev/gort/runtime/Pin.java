package dev.gort.runtime;

/**
 * Pinning of the current continuation: while pinned it cannot yield, so a goroutine
 * that parks blocks its M instead (Go's {@code m.locks > 0} defers preemption the same
 * way). Used by the runtime to force the pinned path in tests, and by the agent around
 * held monitors and JDK locks (docs/design.md, "Pinning").
 */
final class Pin {
    private Pin() {}

    /** Pins the current continuation (no effect outside one). */
    static void pin() {
        VmAccess.check();
        GoStack.pinCurrent();
    }

    /** Undoes one {@link #pin()}. */
    static void unpin() {
        VmAccess.check();
        GoStack.unpinCurrent();
    }
}
