package dev.gort.runtime;

/**
 * One case of a select: Go's {@code scase} (select.go): a channel (null: never ready, Go's
 * nil channel), the value to send, and the direction. {@code dev.gort.Select.Case}
 * extends it, so selectgo works on the user's array without copying. Internal.
 */
public abstract class SCase {
    static final byte RECV = 0;
    static final byte SEND = 1;
    /** Go's default case ({@code otherwise}): takes no part in polling or locking. */
    static final byte DEFAULT = 2;

    final HChan c;
    final Object elem;
    final byte kind;

    protected SCase(HChan c, Object elem, boolean send, boolean isDefault) {
        this.c = c;
        this.elem = elem;
        this.kind = isDefault ? DEFAULT : send ? SEND : RECV;
    }
}
