package dev.gort.runtime;

import dev.gort.Select;

/**
 * The channel and select entry points of the runtime, for {@code dev.gort.Chan} and
 * {@code dev.gort.Select}: what Go's compiler calls for channel statements (chan.go's
 * chansend1, chanrecv1/chanrecv2, selectnbsend/selectnbrecv, closechan, chanlen, chancap;
 * select.go's selectgo). A facade: public only because the API is another package; the
 * algorithms are in {@link Chans} and {@link Selects}.
 */
public final class ChanRt {
    private ChanRt() {}

    /** chanrecv's result when a non-blocking receive would block. */
    public static final Object WOULD_BLOCK = Chans.WOULD_BLOCK;
    /** chanrecv's result on a closed, drained channel (Go: zero value, ok=false). */
    public static final Object CLOSED = Chans.CLOSED;

    /** {@code c <- v}, or with block false {@code select { case c <- v: ... default: }}. */
    public static boolean chansend(HChan c, Object v, boolean block) {
        return Chans.chansend(c, v, block);
    }

    /** {@code <-c}: the value, {@link #CLOSED}, or (block false) {@link #WOULD_BLOCK}. */
    public static Object chanrecv(HChan c, boolean block) {
        return Chans.chanrecv(c, block);
    }

    /** {@code close(c)}. */
    public static void closechan(HChan c) {
        Chans.closechan(c);
    }

    /** {@code len(c)}. */
    public static int chanlen(HChan c) {
        return Chans.chanlen(c);
    }

    /** {@code cap(c)}. */
    public static int chancap(HChan c) {
        return Chans.chancap(c);
    }

    /**
     * Go's selectgo over the cases (a default case among them takes no part): the case
     * that proceeded, with what it received; index -1 when none was ready and block is
     * false (the caller runs its default).
     */
    public static Select.Chosen selectgo(SCase[] cases, boolean block) {
        Selects.Sel sel = Selects.selectgo(cases, block);
        return new Select.Chosen(sel.index, sel.value, sel.recvOK);
    }
}
