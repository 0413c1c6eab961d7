package dev.gort.net;

import dev.gort.runtime.NetpollRt;
import dev.gort.sync.Mutex;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A socket on the network poller: Go's netFD (net/fd_posix.go) and poll.FD
 * (internal/poll/fd_unix.go, fd_poll_runtime.go) in one. The channel is non-blocking;
 * an operation that would block waits on the poller (the goroutine parks with wait reason
 * {@code IO wait}; a plain thread parks its thread) and tries again.
 *
 * <p>As Go's fdMutex read and write locks, one reader and one writer at a time (a
 * {@link Mutex}, so a waiting goroutine parks). Close marks the descriptor closed, wakes
 * any waiter (Go's pd.evict: it fails with "use of closed network connection"), and closes
 * the channel.
 *
 * <p>Differences from Go: Go's close waits for operations in flight to drop their
 * references before closing the fd; here the channel is closed at once, and an operation
 * caught inside the JDK's read or write gets its ClosedChannelException, reported with the
 * same text.
 */
final class NetFd {
    final String net;
    final SelectableChannel channel;
    final Object pd;
    volatile SocketAddress laddr;
    volatile SocketAddress raddr;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Mutex readLock = new Mutex();
    private final Mutex writeLock = new Mutex();

    NetFd(String net, SelectableChannel channel, Object pd, SocketAddress laddr, SocketAddress raddr) {
        this.net = net;
        this.channel = channel;
        this.pd = pd;
        this.laddr = laddr;
        this.raddr = raddr;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Go's fd.Read: at most len bytes; -1 at end of stream. */
    int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        readLock.lock();
        try {
            check("read", NetpollRt.READ);
            if (len == 0) {
                return 0;
            }
            SocketChannel ch = (SocketChannel) channel;
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            for (;;) {
                int n;
                try {
                    n = ChannelCalls.read(ch, bb);
                } catch (IOException e) {
                    throw fail(e, "read", "read");
                }
                if (n != 0) {
                    return n;
                }
                waitFor("read", NetpollRt.READ);
            }
        } finally {
            readLock.unlock();
        }
    }

    /** Go's fd.Accept: the next connection, under the read lock (one waiter per direction). */
    java.nio.channels.SocketChannel accept() throws IOException {
        java.nio.channels.ServerSocketChannel ssc = (java.nio.channels.ServerSocketChannel) channel;
        readLock.lock();
        try {
            check("accept", NetpollRt.READ);
            for (;;) {
                java.nio.channels.SocketChannel ch;
                try {
                    ch = ChannelCalls.accept(ssc);
                } catch (IOException e) {
                    if (closed.get()) {
                        throw error(NetpollRt.ERR_CLOSING, "accept");
                    }
                    throw OpErrors.wrap(e, "accept", "accept", net, null, laddr);
                }
                if (ch != null) {
                    return ch;
                }
                waitFor("accept", NetpollRt.READ);
            }
        } finally {
            readLock.unlock();
        }
    }

    /** Go's fd.Write: all of it, waiting while the socket buffer is full. */
    void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        writeLock.lock();
        try {
            check("write", NetpollRt.WRITE);
            SocketChannel ch = (SocketChannel) channel;
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
                try {
                    ChannelCalls.write(ch, bb);
                } catch (IOException e) {
                    throw fail(e, "write", "write");
                }
                if (bb.hasRemaining()) {
                    waitFor("write", NetpollRt.WRITE);
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Go's pd.prepareRead/prepareWrite: closed or past the deadline fails before any I/O. */
    void check(String op, int mode) throws IOException {
        int code = NetpollRt.prepare(pd, mode);
        if (code != NetpollRt.NO_ERROR) {
            throw error(code, op);
        }
    }

    /** Go's pd.waitRead/waitWrite. */
    void waitFor(String op, int mode) throws IOException {
        int code = NetpollRt.pollWait(pd, mode);
        if (code != NetpollRt.NO_ERROR) {
            throw error(code, op);
        }
    }

    IOException error(int code, String op) {
        return op.equals("accept")
                ? OpErrors.pollError(code, op, net, null, laddr)
                : OpErrors.pollError(code, op, net, laddr, raddr);
    }

    IOException fail(IOException e, String op, String syscall) {
        if (closed.get()) {
            return OpErrors.pollError(NetpollRt.ERR_CLOSING, op, net, laddr, raddr);
        }
        return OpErrors.wrap(e, syscall, op, net, laddr, raddr);
    }

    /** Go's fd.Close: wake waiters (pd.evict), then close. A second close fails as Go's. */
    void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            throw new java.net.SocketException(OpErrors.format("close", net, laddr, raddr, OpErrors.CLOSED));
        }
        NetpollRt.unblock(pd);
        NetpollRt.close(pd);
    }

    /** Go's setDeadline: Instant to the poller's clock; null clears, a past one expires at once. */
    void setDeadline(Instant t, int mode) throws IOException {
        if (closed.get()) {
            throw new java.net.SocketException(OpErrors.format("set deadline", net, laddr, raddr, OpErrors.CLOSED));
        }
        NetpollRt.setDeadline(pd, deadline(t), mode);
    }

    /** An Instant as Go's pollSetDeadline wants it: 0 none, -1 passed, else a nanotime reading. */
    static long deadline(Instant t) {
        if (t == null) {
            return 0;
        }
        long now = NetpollRt.nanotime();
        Instant wall = Instant.now();
        long d;
        try {
            d = java.time.Duration.between(wall, t).toNanos();
        } catch (ArithmeticException e) {
            d = t.isBefore(wall) ? -1 : Long.MAX_VALUE;
        }
        if (d <= 0) {
            return -1;
        }
        long when = now + d;
        return when < 0 ? Long.MAX_VALUE : when; // overflow: never
    }
}
