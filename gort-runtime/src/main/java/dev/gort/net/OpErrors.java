package dev.gort.net;

import dev.gort.runtime.NetpollRt;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;

/**
 * Go's net.OpError strings (net.go): {@code op net [source->]addr: err}, e.g.
 * {@code read tcp 127.0.0.1:1->127.0.0.1:2: i/o timeout}, as the message of the matching
 * JDK exception: a timeout is a SocketTimeoutException, use after close a
 * SocketException, a refused connection a ConnectException, an address in use a
 * BindException.
 */
final class OpErrors {
    private OpErrors() {}

    /** Go's ErrNetClosing text (internal/poll/fd.go). */
    static final String CLOSED = "use of closed network connection";
    /** Go's ErrDeadlineExceeded text. */
    static final String TIMEOUT = "i/o timeout";

    /** Go's OpError.Error. */
    static String format(String op, String net, SocketAddress source, SocketAddress addr, String err) {
        StringBuilder s = new StringBuilder(op);
        if (!net.isEmpty()) {
            s.append(' ').append(net);
        }
        if (source != null) {
            s.append(' ').append(Addrs.toString(source));
        }
        if (addr != null) {
            s.append(source != null ? "->" : " ").append(Addrs.toString(addr));
        }
        return s.append(": ").append(err).toString();
    }

    /** The exception for a poller error code (Go's convertErr). */
    static IOException pollError(int code, String op, String net, SocketAddress source, SocketAddress addr) {
        if (code == NetpollRt.ERR_TIMEOUT) {
            return new SocketTimeoutException(format(op, net, source, addr, TIMEOUT));
        }
        return new SocketException(format(op, net, source, addr, CLOSED));
    }

    /**
     * A JDK I/O failure in Go's words: syscall is the failing call Go names ("connect",
     * "bind", "read", "write"; Go's os.SyscallError), or null.
     */
    static IOException wrap(IOException e, String syscall, String op, String net, SocketAddress source,
                            SocketAddress addr) {
        if (e instanceof ClosedChannelException) {
            return new SocketException(format(op, net, source, addr, CLOSED));
        }
        String errno = errnoText(e.getMessage());
        String err = syscall != null ? syscall + ": " + errno : errno;
        String msg = format(op, net, source, addr, err);
        IOException out;
        if (e instanceof ConnectException || errno.equals("connection refused")) {
            out = new ConnectException(msg);
        } else if (e instanceof BindException || errno.equals("address already in use")) {
            out = new BindException(msg);
        } else if (e instanceof SocketTimeoutException) {
            out = new SocketTimeoutException(msg);
        } else if (e instanceof SocketException) {
            out = new SocketException(msg);
        } else {
            out = new IOException(msg);
        }
        out.initCause(e);
        return out;
    }

    /** The JDK's message for an errno, as Go's syscall.Errno.Error says it. */
    static String errnoText(String m) {
        if (m == null || m.isEmpty()) {
            return "unknown error";
        }
        int paren = m.indexOf(" (");
        if (m.startsWith("Connection refused")) {
            return "connection refused";
        }
        if (m.startsWith("Connection reset")) {
            return "connection reset by peer";
        }
        if (m.startsWith("Broken pipe")) {
            return "broken pipe";
        }
        if (paren > 0) {
            m = m.substring(0, paren); // "Address already in use (Bind failed)"
        }
        return Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
}
