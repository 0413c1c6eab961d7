package dev.gort.runtime;

import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * The runtime side of package net: Go's internal/poll runtime_poll* functions
 * (netpoll.go's poll_runtime_pollOpen, pollReset, pollWait, pollSetDeadline, pollUnblock,
 * pollClose, linknamed into internal/poll/fd_poll_runtime.go), for {@code dev.gort.net}.
 * A facade: public only because the API lives in another package. Descriptors are handed
 * out as opaque handles (a {@link PollDesc}) that only this class looks into.
 *
 * <p>The calls work from a goroutine (it parks, wait reason {@code IO wait}) and from a
 * plain thread (the thread parks, and an M polls for it).
 */
public final class NetpollRt {
    private NetpollRt() {}

    /** Go's pollNoError, pollErrClosing, pollErrTimeout. */
    public static final int NO_ERROR = PollDesc.POLL_NO_ERROR;
    public static final int ERR_CLOSING = PollDesc.POLL_ERR_CLOSING;
    public static final int ERR_TIMEOUT = PollDesc.POLL_ERR_TIMEOUT;
    /** Modes: read, write, both (Go's 'r', 'w', 'r'+'w'). */
    public static final int READ = PollDesc.MODE_READ;
    public static final int WRITE = PollDesc.MODE_WRITE;
    public static final int READ_WRITE = PollDesc.MODE_READ + PollDesc.MODE_WRITE;

    /**
     * Go's runtime_pollOpen: register a non-blocking channel with the poller once.
     * readOp: OP_READ or OP_ACCEPT; writeOp: OP_WRITE, OP_CONNECT (then {@link #connected}
     * once connected) or 0.
     */
    public static Object open(SelectableChannel ch, int readOp, int writeOp) throws IOException {
        Rt.start(); // deadlines are timers, and waiters need Ms that poll
        return PollDesc.open(ch, readOp, writeOp);
    }

    /** A call into a JDK channel, for {@link #channelCall}. */
    @FunctionalInterface
    public interface ChannelCall {
        long call(Object channel, Object arg) throws IOException;
    }

    /**
     * Runs call(channel, arg) out of line: in a frame the JIT never merges with a goroutine's
     * compiled frames, so that the JDK's channel locks are owned by the M that really runs
     * the call (the reason is at {@link Current}'s call). Every call into a channel from
     * dev.gort.net goes through here.
     */
    public static long channelCall(ChannelCall call, Object channel, Object arg) throws IOException {
        return Current.call(call, channel, arg);
    }

    /** The connect finished: writes now wait for OP_WRITE. */
    public static void connected(Object pd) {
        ((PollDesc) pd).connected();
    }

    /** Go's runtime_pollReset (pd.prepare): the error code before an I/O attempt. */
    public static int prepare(Object pd, int mode) {
        return ((PollDesc) pd).pollReset(mode);
    }

    /** Go's runtime_pollWait: park until the channel may be ready in mode; an error code. */
    public static int pollWait(Object pd, int mode) {
        G gp = Entry.enter();
        try {
            if (gp == null) {
                throw new IllegalStateException("network wait on the scheduler's own stack");
            }
            return ((PollDesc) pd).pollWait(mode);
        } finally {
            Entry.exit(gp);
        }
    }

    /**
     * Go's runtime_pollSetDeadline: d is 0 (none), negative (passed: pending waits end
     * with a timeout at once) or the deadline as a {@link #nanotime} reading.
     */
    public static void setDeadline(Object pd, long d, int mode) {
        G gp = Entry.enter();
        try {
            ((PollDesc) pd).pollSetDeadline(d, mode);
        } finally {
            Entry.exit(gp);
        }
    }

    /** The runtime's clock, for deadlines (Go: nanotime). */
    public static long nanotime() {
        return Clock.nanotime();
    }

    /** Go's runtime_pollUnblock (pd.evict): closing; wake the waiters with ERR_CLOSING. */
    public static void unblock(Object pd) {
        G gp = Entry.enter();
        try {
            ((PollDesc) pd).pollUnblock();
        } finally {
            Entry.exit(gp);
        }
    }

    /** Go's runtime_pollClose: deregister and close the channel (after {@link #unblock}). */
    public static void close(Object pd) throws IOException {
        G gp = Entry.enter();
        try {
            ((PollDesc) pd).pollClose();
        } finally {
            Entry.exit(gp);
        }
    }
}
