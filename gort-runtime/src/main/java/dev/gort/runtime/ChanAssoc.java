package dev.gort.runtime;

/**
 * What a channel is associated with when it was made: a synctest bubble (Go's
 * {@code c.bubble}, {@link SynctestBubble}) or a controlled run ({@link Run} with a
 * controller). Either way only some goroutines may operate on it, so every channel
 * operation tests one final field of the channel ({@code HChan.assoc}) and, when it is
 * set, asks the association whether the caller may ({@link #checkUse}).
 *
 * <p>A channel made in a bubble inside a controlled run is associated with the bubble
 * only: a goroutine of the bubble is a goroutine of the run, on the controller's thread,
 * so the bubble's test implies the run's.
 */
interface ChanAssoc {
    /** Operations, for the failure texts. */
    int SEND = 0;
    int RECV = 1;
    int CLOSE = 2;
    int SELECT = 3;

    /**
     * gp (a goroutine, a plain thread's ExternalG, or null on an M's own stack) performs op
     * on c, which is associated with this. Returns if gp may; otherwise fails as Go does
     * (a bubble: Go's fatal error, thrown or killing gp's run) or records uncontrolled
     * concurrency (a controlled run).
     */
    void checkUse(HChan c, G gp, int op);
}
