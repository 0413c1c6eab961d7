package dev.gort.examples.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.locks.ReentrantLock;

import dev.gort.sync.Locker;

/**
 * The Loom twin of {@link RedisServer}, for the benchmark (bench/redis.sh): the same
 * commands, parser and store, served by one virtual thread per connection on the JDK's
 * blocking {@link ServerSocket}/{@link Socket} (whose reads park the virtual thread on the
 * JDK's own poller). The store's lock is a {@link ReentrantLock}; nothing of gort's
 * runtime runs here (the {@link Locker} interface is all it takes from gort).
 *
 * <pre>java -cp gort-examples.jar dev.gort.examples.redis.LoomRedisServer [HOST:PORT]</pre>
 *
 * Prints {@code listening HOST:PORT} once it accepts connections.
 */
public final class LoomRedisServer {
    /**
     * {@code -Dredis.spawn=goroutine}: the same code with a goroutine per connection instead
     * of a virtual thread (run under gort's agent, the JDK sockets' blocking calls are then
     * syscalls that hold an M each; bench/redis.sh's {@code jdk-agent} server).
     */
    static final boolean IN_GOROUTINES = "goroutine".equals(System.getProperty("redis.spawn"));

    private final ServerSocket server;
    private final Commands commands;

    private LoomRedisServer(ServerSocket server) {
        this.server = server;
        ReentrantLock lock = new ReentrantLock();
        this.commands = new Commands(new Store(new Locker() {
            @Override
            public void lock() {
                lock.lock();
            }

            @Override
            public void unlock() {
                lock.unlock();
            }
        }));
    }

    /** Listens on HOST:PORT with Go's backlog (gort's Net.listen asks for the same). */
    static LoomRedisServer listen(String address) throws IOException {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("address " + address + ": missing port in address");
        }
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address " + address + ": invalid port");
        }
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(host, port), 4096);
        return new LoomRedisServer(ss);
    }

    String address() {
        return RedisServer.hostPort(server.getLocalSocketAddress());
    }

    /** Accepts until closed, a virtual thread per connection. */
    void serve() {
        for (;;) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
                System.err.println("redis: accept: " + e.getMessage());
                try {
                    Thread.sleep(10); // as the gort server: back off before the next accept
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            if (IN_GOROUTINES) {
                dev.gort.Gort.go(() -> handle(s));
            } else {
                Thread.ofVirtual().start(() -> handle(s));
            }
        }
    }

    private void handle(Socket s) {
        try (s) {
            s.setTcpNoDelay(true); // as Go's net and Redis do
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            commands.serve(in::read, out::write);
        } catch (IOException e) {
            // The client reset the connection or stopped reading: this session ends.
        } catch (RuntimeException e) {
            // A bug in a command: this connection is dropped, the server goes on (net/http's recover).
            System.err.println("redis: " + s.getRemoteSocketAddress() + ": " + e);
        }
    }

    void close() throws IOException {
        server.close();
    }

    public static void main(String[] args) throws IOException {
        LoomRedisServer s;
        try {
            s = listen(args.length > 0 ? args[0] : RedisServer.DEFAULT_ADDRESS);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("redis: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println("listening " + s.address());
        System.out.flush();
        s.serve();
    }
}
