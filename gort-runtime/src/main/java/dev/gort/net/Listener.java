package dev.gort.net;

import dev.gort.runtime.NetpollRt;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.time.Instant;

/**
 * A stream listener: Go's net.Listener (TCPListener, UnixListener). accept parks a
 * goroutine (wait reason {@code IO wait}) until a connection arrives; close wakes it with
 * "use of closed network connection". A unix listener removes its socket file on close,
 * as Go's does.
 */
public final class Listener implements Closeable {
    private final NetFd fd;

    Listener(NetFd fd) {
        this.fd = fd;
    }

    /** Go's Accept: the next connection. Several goroutines may accept at once (one waits on the poller, the others on the read lock). */
    public Conn accept() throws IOException {
        return Net.newConn(fd.net, fd.accept());
    }

    /** Go's Addr. */
    public SocketAddress addr() {
        return fd.laddr;
    }

    /** Go's Close: a goroutine blocked in accept fails with "use of closed network connection". */
    @Override
    public void close() throws IOException {
        try {
            fd.close();
        } finally {
            if (fd.laddr instanceof UnixDomainSocketAddress u) {
                Files.deleteIfExists(u.getPath());
            }
        }
    }

    /** Go's (*TCPListener).SetDeadline: for accept; null clears it. */
    public void setDeadline(Instant t) throws IOException {
        fd.setDeadline(t, NetpollRt.READ);
    }

    @Override
    public String toString() {
        return "Listener[" + fd.net + " " + Addrs.toString(fd.laddr) + "]";
    }

}
