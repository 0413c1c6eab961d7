package dev.gort.examples.redis;

import dev.gort.Gort;
import dev.gort.net.Conn;
import dev.gort.net.Listener;
import dev.gort.net.Net;
import dev.gort.sync.Mutex;
import dev.gort.time.Time;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;

/**
 * A Redis server (RESP2; PING, ECHO, SET with EX/PX/NX/XX, GET, DEL, EXISTS, INCR, MSET,
 * MGET, CONFIG GET, QUIT; pipelining) on gort: {@code java -jar gort-examples.jar redis
 * [HOST:PORT]} (default 127.0.0.1:6380; port 0 picks a free one). Prints
 * {@code listening HOST:PORT} once it accepts connections.
 *
 * <p>Go's shape for a server: one goroutine per connection, doing blocking reads and
 * writes on a {@link Conn}; a goroutine waiting for its client parks on the network
 * poller and its M serves others, so 10,000 idle clients cost 10,000 parked goroutines,
 * not threads. The keyspace is a {@link Store} behind a gort {@link Mutex}. Its twins,
 * same protocol and structure: {@link LoomRedisServer} (virtual threads, the JDK's
 * blocking sockets) and bench/go/redis (Go).
 */
public final class RedisServer {
    static final String DEFAULT_ADDRESS = "127.0.0.1:6380";

    private final Listener listener;
    private final Commands commands = new Commands(new Store(new Mutex()));

    private RedisServer(Listener listener) {
        this.listener = listener;
    }

    /** Listens on address (tcp HOST:PORT); {@link #serve} accepts. */
    static RedisServer listen(String address) throws IOException {
        return new RedisServer(Net.listen("tcp", address));
    }

    /** HOST:PORT actually bound. */
    String address() {
        return hostPort(listener.addr());
    }

    /**
     * Accepts connections until the listener is closed, a goroutine for each. Other accept
     * errors (out of file descriptors) are reported and accepting goes on, as Go's
     * net/http does.
     */
    void serve() {
        for (;;) {
            Conn c;
            try {
                c = listener.accept();
            } catch (SocketException e) {
                if (e.getMessage() != null && e.getMessage().contains("use of closed network connection")) {
                    return;
                }
                acceptFailed(e);
                continue;
            } catch (IOException e) {
                acceptFailed(e);
                continue;
            }
            Gort.go(() -> handle(c));
        }
    }

    /** Reports a failed accept and waits a little before the next (net/http's backoff, simplified). */
    private static void acceptFailed(IOException e) {
        System.err.println("redis: accept: " + e.getMessage());
        Time.sleep(Duration.ofMillis(10));
    }

    private void handle(Conn c) {
        try (c) {
            commands.serve(c::read, c::write);
        } catch (IOException e) {
            // The client reset the connection or stopped reading: this session ends, the server goes on.
        } catch (RuntimeException e) {
            // A bug in a command: this connection is dropped, the server goes on (net/http's recover).
            System.err.println("redis: " + c + ": " + e);
        }
    }

    /** Stops accepting (sessions in progress go on until their clients leave). */
    void close() throws IOException {
        listener.close();
    }

    static String hostPort(SocketAddress a) {
        InetSocketAddress s = (InetSocketAddress) a;
        String host = s.getAddress() != null ? s.getAddress().getHostAddress() : s.getHostString();
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + s.getPort() : host + ":" + s.getPort();
    }

    public static void main(String[] args) {
        String address = args.length > 0 ? args[0] : DEFAULT_ADDRESS;
        Gort.main(() -> {
            RedisServer s;
            try {
                s = listen(address);
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("redis: " + e.getMessage());
                System.exit(1);
                return;
            }
            System.out.println("listening " + s.address());
            System.out.flush();
            s.serve();
        });
    }
}
