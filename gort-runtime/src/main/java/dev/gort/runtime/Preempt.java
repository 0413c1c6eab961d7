package dev.gort.runtime;

/**
 * Preemption: Go's preemptone sets {@code gp.preempt} (and poisons stackguard0); the
 * goroutine notices at its next function prologue and calls {@code gopreempt_m}, which
 * puts it on the global run queue.
 *
 * <p>gort's goroutines notice at every runtime call ({@link Entry#enter()}); the agent (a
 * later issue) adds checks in user code. A goroutine that cannot yield (its continuation is
 * pinned) keeps running and the request stays, as Go defers preemption while
 * {@code m.locks > 0}; {@code execute} clears it when the goroutine next starts a turn.
 */
final class Preempt {
    private Preempt() {}

    /** Go's newstack preemption path: yield the P for a pending request, if allowed. */
    static void preemptCheck(G gp) {
        if (!gp.preempt) {
            return;
        }
        Park.gopreempt();
    }
}
