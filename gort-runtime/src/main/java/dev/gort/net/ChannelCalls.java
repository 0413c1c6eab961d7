package dev.gort.net;

import dev.gort.runtime.NetpollRt;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Every call into a JDK channel that may take one of its {@code ReentrantLock}s, made out
 * of line ({@link NetpollRt#channelCall}): a goroutine that parks between two calls may
 * resume on another M, and a lock taken by JIT-merged code in the name of the previous M
 * could never be released. The lambdas capture nothing, so a call allocates nothing.
 */
final class ChannelCalls {
    private ChannelCalls() {}

    private static final NetpollRt.ChannelCall READ = (ch, b) -> ((SocketChannel) ch).read((ByteBuffer) b);
    private static final NetpollRt.ChannelCall WRITE = (ch, b) -> ((SocketChannel) ch).write((ByteBuffer) b);
    private static final NetpollRt.ChannelCall ACCEPT = (ch, out) -> {
        ((Object[]) out)[0] = ((ServerSocketChannel) ch).accept();
        return 0;
    };
    private static final NetpollRt.ChannelCall CONNECT = (ch, a) -> ((SocketChannel) ch).connect((SocketAddress) a) ? 1 : 0;
    private static final NetpollRt.ChannelCall FINISH_CONNECT = (ch, unused) -> ((SocketChannel) ch).finishConnect() ? 1 : 0;
    private static final NetpollRt.ChannelCall NON_BLOCKING = (ch, unused) -> {
        ((SelectableChannel) ch).configureBlocking(false);
        return 0;
    };
    private static final NetpollRt.ChannelCall SHUTDOWN_OUTPUT = (ch, unused) -> {
        ((SocketChannel) ch).shutdownOutput();
        return 0;
    };
    private static final NetpollRt.ChannelCall CLOSE = (ch, unused) -> {
        ((Channel) ch).close();
        return 0;
    };

    static int read(SocketChannel ch, ByteBuffer b) throws IOException {
        return (int) NetpollRt.channelCall(READ, ch, b);
    }

    static int write(SocketChannel ch, ByteBuffer b) throws IOException {
        return (int) NetpollRt.channelCall(WRITE, ch, b);
    }

    static SocketChannel accept(ServerSocketChannel ssc) throws IOException {
        Object[] out = new Object[1];
        NetpollRt.channelCall(ACCEPT, ssc, out);
        return (SocketChannel) out[0];
    }

    static boolean connect(SocketChannel ch, SocketAddress a) throws IOException {
        return NetpollRt.channelCall(CONNECT, ch, a) != 0;
    }

    static boolean finishConnect(SocketChannel ch) throws IOException {
        return NetpollRt.channelCall(FINISH_CONNECT, ch, null) != 0;
    }

    static void configureNonBlocking(SelectableChannel ch) throws IOException {
        NetpollRt.channelCall(NON_BLOCKING, ch, null);
    }

    static void shutdownOutput(SocketChannel ch) throws IOException {
        NetpollRt.channelCall(SHUTDOWN_OUTPUT, ch, null);
    }

    static void close(Channel ch) throws IOException {
        NetpollRt.channelCall(CLOSE, ch, null);
    }

    /** Go's newTCPConn: TCP_NODELAY on every TCP connection (Go's setNoDelay), and keep-alive (Go's default). */
    static void tcpOptions(SocketChannel ch) throws IOException {
        if (!(ch.getLocalAddress() instanceof java.net.InetSocketAddress)) {
            return; // unix
        }
        set(ch, java.net.StandardSocketOptions.TCP_NODELAY, true);
        set(ch, java.net.StandardSocketOptions.SO_KEEPALIVE, true);
    }

    private static <T> void set(SocketChannel ch, SocketOption<T> o, T v) throws IOException {
        ch.setOption(o, v); // under the channel's stateLock, a monitor: no owner thread recorded
    }
}
