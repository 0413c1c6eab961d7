package dev.gort.net;

import dev.gort.runtime.NetpollRt;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Instant;

/**
 * A stream connection: Go's net.Conn (TCPConn, UnixConn). In a goroutine, a read or write
 * that must wait parks the goroutine (wait reason {@code IO wait}) and its M runs others;
 * on a plain thread the thread blocks. Errors carry Go's whole strings
 * ({@code read tcp 127.0.0.1:1->127.0.0.1:2: i/o timeout}).
 */
public final class Conn implements Closeable {
    final NetFd fd; // package-private: the tests look at the channel
    private final InputStream in = new ConnInput();
    private final OutputStream out = new ConnOutput();

    Conn(NetFd fd) {
        this.fd = fd;
    }

    /** Go's Read: up to len bytes into b at off, at least one unless len is 0; -1 at end of stream. */
    public int read(byte[] b, int off, int len) throws IOException {
        return fd.read(b, off, len);
    }

    /** Go's Write: writes all len bytes, waiting while the socket's buffer is full. */
    public void write(byte[] b, int off, int len) throws IOException {
        fd.write(b, off, len);
    }

    /** Go's Close: a goroutine blocked in read or write fails with "use of closed network connection". */
    @Override
    public void close() throws IOException {
        fd.close();
    }

    /** Go's CloseWrite: shut down the writing side (the peer reads end of stream). */
    public void closeWrite() throws IOException {
        if (fd.isClosed()) {
            throw fd.error(NetpollRt.ERR_CLOSING, "close");
        }
        try {
            ChannelCalls.shutdownOutput((SocketChannel) fd.channel);
        } catch (IOException e) {
            throw fd.fail(e, "close", "shutdown");
        }
    }

    /** Go's LocalAddr: an InetSocketAddress, or a UnixDomainSocketAddress. */
    public SocketAddress localAddr() {
        return fd.laddr;
    }

    /** Go's RemoteAddr. */
    public SocketAddress remoteAddr() {
        return fd.raddr;
    }

    /** Go's SetDeadline: read and write deadline; null clears it, a past one fails pending and later calls at once. */
    public void setDeadline(Instant t) throws IOException {
        fd.setDeadline(t, NetpollRt.READ_WRITE);
    }

    /** Go's SetReadDeadline. */
    public void setReadDeadline(Instant t) throws IOException {
        fd.setDeadline(t, NetpollRt.READ);
    }

    /** Go's SetWriteDeadline. */
    public void setWriteDeadline(Instant t) throws IOException {
        fd.setDeadline(t, NetpollRt.WRITE);
    }

    /** The connection as an InputStream (its reads are this connection's; close closes it). */
    public InputStream inputStream() {
        return in;
    }

    /** The connection as an OutputStream (writes all; close closes the connection). */
    public OutputStream outputStream() {
        return out;
    }

    @Override
    public String toString() {
        return "Conn[" + fd.net + " " + Addrs.toString(fd.laddr) + "->" + Addrs.toString(fd.raddr) + "]";
    }

    private final class ConnInput extends InputStream implements dev.gort.runtime.hook.PollerIo {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n;
            do {
                n = fd.read(one, 0, 1);
            } while (n == 0);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return fd.read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (!fd.isClosed()) {
                fd.close();
            }
        }
    }

    private final class ConnOutput extends OutputStream implements dev.gort.runtime.hook.PollerIo {
        @Override
        public void write(int b) throws IOException {
            fd.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            fd.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (!fd.isClosed()) {
                fd.close();
            }
        }
    }
}
