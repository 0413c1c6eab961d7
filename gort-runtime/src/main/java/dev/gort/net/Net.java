package dev.gort.net;

import dev.gort.runtime.NetpollRt;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;

/**
 * Go's package net: listen and dial over tcp, tcp4, tcp6 and unix, on the network poller.
 * Addresses are Go's ({@code "127.0.0.1:8080"}, {@code "[::1]:0"}, {@code ":0"}, a socket
 * path for unix); a bad network or address is an IllegalArgumentException naming it.
 */
public final class Net {
    private Net() {}

    /**
     * Go's listen backlog: the kernel's somaxconn caps it (Go reads somaxconn; a larger
     * request is truncated by the kernel).
     */
    private static final int BACKLOG = 4096;

    /** Go's net.Listen. */
    public static Listener listen(String network, String address) throws IOException {
        SocketAddress a = Addrs.resolve(network, address, true);
        ServerSocketChannel ssc = Addrs.isUnix(network)
                ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                : a instanceof java.net.InetSocketAddress isa && isa.getAddress() == null
                        ? ServerSocketChannel.open()
                        : ServerSocketChannel.open(Addrs.family(a));
        try {
            if (!Addrs.isUnix(network)) {
                ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true); // as Go's listeners
            }
            try {
                ssc.bind(a, BACKLOG);
            } catch (IOException e) {
                throw OpErrors.wrap(e, "bind", "listen", network, null, a);
            }
            ChannelCalls.configureNonBlocking(ssc);
            Object pd = NetpollRt.open(ssc, SelectionKey.OP_ACCEPT, 0);
            return new Listener(new NetFd(network, ssc, pd, ssc.getLocalAddress(), null));
        } catch (IOException | RuntimeException e) {
            ChannelCalls.close(ssc);
            throw e;
        }
    }

    /** Go's net.Dial. */
    public static Conn dial(String network, String address) throws IOException {
        return dial(network, address, null);
    }

    /** Go's net.DialTimeout: the connect fails with "i/o timeout" after timeout. */
    public static Conn dialTimeout(String network, String address, Duration timeout) throws IOException {
        if (timeout == null) {
            throw new IllegalArgumentException("timeout is null");
        }
        return dial(network, address, timeout);
    }

    private static Conn dial(String network, String address, Duration timeout) throws IOException {
        SocketAddress ra = Addrs.resolve(network, address, false);
        SocketChannel ch = SocketChannel.open(Addrs.family(ra));
        try {
            ChannelCalls.configureNonBlocking(ch);
            boolean done;
            try {
                done = ChannelCalls.connect(ch, ra);
            } catch (IOException e) {
                throw OpErrors.wrap(e, "connect", "dial", network, null, ra);
            }
            Object pd = NetpollRt.open(ch, SelectionKey.OP_READ, done ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT);
            NetFd fd = new NetFd(network, ch, pd, null, ra);
            if (!done) {
                if (timeout != null) {
                    fd.setDeadline(Instant.now().plus(timeout), NetpollRt.WRITE);
                }
                try {
                    for (;;) {
                        int code = NetpollRt.pollWait(pd, NetpollRt.WRITE);
                        if (code != NetpollRt.NO_ERROR) {
                            throw OpErrors.pollError(code, "dial", network, null, ra);
                        }
                        try {
                            if (ChannelCalls.finishConnect(ch)) {
                                break;
                            }
                        } catch (IOException e) {
                            throw OpErrors.wrap(e, "connect", "dial", network, null, ra);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    NetpollRt.unblock(pd);
                    NetpollRt.close(pd);
                    throw e;
                }
                NetpollRt.connected(pd);
                if (timeout != null) {
                    fd.setDeadline(null, NetpollRt.WRITE);
                }
            }
            ChannelCalls.tcpOptions(ch);
            fd.laddr = localAddress(network, ch);
            fd.raddr = ch.getRemoteAddress();
            return new Conn(fd);
        } catch (IOException | RuntimeException e) {
            ChannelCalls.close(ch);
            throw e;
        }
    }

    /** An accepted connection, registered with the poller. */
    static Conn newConn(String network, SocketChannel ch) throws IOException {
        try {
            ChannelCalls.configureNonBlocking(ch);
            ChannelCalls.tcpOptions(ch);
            Object pd = NetpollRt.open(ch, SelectionKey.OP_READ, SelectionKey.OP_WRITE);
            return new Conn(new NetFd(network, ch, pd, localAddress(network, ch), ch.getRemoteAddress()));
        } catch (IOException | RuntimeException e) {
            ChannelCalls.close(ch);
            throw e;
        }
    }

    private static SocketAddress localAddress(String network, SocketChannel ch) throws IOException {
        SocketAddress a = ch.getLocalAddress();
        if (a == null && Addrs.isUnix(network)) {
            return UnixDomainSocketAddress.of("");
        }
        return a;
    }
}
