package dev.gort.examples.redis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every twin of the example must do, over a plain java.net.Socket: the commands with
 * Redis's replies and error texts, pipelining, expiry, bad input and concurrency. A
 * subclass starts one server in this JVM for the class; each test uses keys of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class RedisServerContract {
    /** A running server: its HOST:PORT, and how to stop accepting. */
    interface Running extends AutoCloseable {
        String address();
    }

    abstract Running start() throws Exception;

    private Running server;

    @BeforeAll
    void startServer() throws Exception {
        server = start();
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }

    RespClient client() throws IOException {
        return new RespClient(server.address());
    }

    /** Waits for cond, failing after a generous bound (no sleep-and-hope). */
    static void waitUntil(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void ping() throws IOException {
        try (RespClient c = client()) {
            assertEquals("+PONG", c.call("PING"));
            assertEquals("$hello world", c.call("ping", "hello world"));
            assertEquals("-ERR wrong number of arguments for 'ping' command", c.call("PING", "a", "b"));
        }
    }

    @Test
    void echo() throws IOException {
        try (RespClient c = client()) {
            assertEquals("$", c.call("ECHO", ""));
            assertEquals("$a\r\nb", c.call("ECHO", "a\r\nb"));
            assertEquals("-ERR wrong number of arguments for 'echo' command", c.call("ECHO"));
        }
    }

    @Test
    void setAndGet() throws IOException {
        try (RespClient c = client()) {
            assertEquals("$nil", c.call("GET", "sg:k"));
            assertEquals("+OK", c.call("SET", "sg:k", "v1"));
            assertEquals("$v1", c.call("GET", "sg:k"));
            assertEquals("+OK", c.call("set", "sg:k", "v2"));
            assertEquals("$v2", c.call("get", "sg:k"));
            assertEquals("-ERR wrong number of arguments for 'get' command", c.call("GET"));
            assertEquals("-ERR wrong number of arguments for 'get' command", c.call("GET", "a", "b"));
            assertEquals("-ERR wrong number of arguments for 'set' command", c.call("SET", "sg:k"));
        }
    }

    @Test
    void setNxXx() throws IOException {
        try (RespClient c = client()) {
            assertEquals("$nil", c.call("SET", "nx:k", "v", "XX"));
            assertEquals("$nil", c.call("GET", "nx:k"));
            assertEquals("+OK", c.call("SET", "nx:k", "v1", "NX"));
            assertEquals("$nil", c.call("SET", "nx:k", "v2", "nx"));
            assertEquals("$v1", c.call("GET", "nx:k"));
            assertEquals("+OK", c.call("SET", "nx:k", "v3", "XX"));
            assertEquals("$v3", c.call("GET", "nx:k"));
        }
    }

    @Test
    void setBadOptions() throws IOException {
        try (RespClient c = client()) {
            assertEquals("-ERR syntax error", c.call("SET", "so:k", "v", "FOO"));
            assertEquals("-ERR syntax error", c.call("SET", "so:k", "v", "NX", "XX"));
            assertEquals("-ERR syntax error", c.call("SET", "so:k", "v", "EX", "1", "PX", "1"));
            assertEquals("-ERR syntax error", c.call("SET", "so:k", "v", "EX"));
            assertEquals("-ERR value is not an integer or out of range", c.call("SET", "so:k", "v", "EX", "ten"));
            assertEquals("-ERR value is not an integer or out of range", c.call("SET", "so:k", "v", "PX", "+5"));
            assertEquals("-ERR invalid expire time in 'set' command", c.call("SET", "so:k", "v", "EX", "0"));
            assertEquals("-ERR invalid expire time in 'set' command", c.call("SET", "so:k", "v", "PX", "-5"));
            assertEquals("$nil", c.call("GET", "so:k"), "a failed SET stores nothing");
        }
    }

    @Test
    void expiryWithPxAndEx() throws Exception {
        try (RespClient c = client()) {
            assertEquals("+OK", c.call("SET", "ex:long", "v", "EX", "1000"));
            assertEquals("+OK", c.call("SET", "ex:short", "v", "PX", "50"));
            assertEquals("+OK", c.call("SET", "ex:incr", "5", "PX", "50"));
            assertEquals(":6", c.call("INCR", "ex:incr"), "INCR keeps the key's deadline");
            waitUntil("ex:short expires", () -> call(c, "GET", "ex:short").equals("$nil"));
            waitUntil("ex:incr expires", () -> call(c, "EXISTS", "ex:incr").equals(":0"));
            assertEquals(":0", c.call("EXISTS", "ex:short"));
            assertEquals(":0", c.call("DEL", "ex:short"));
            assertEquals("$v", c.call("GET", "ex:long"));
            assertEquals("$nil", c.call("SET", "ex:short", "w", "XX"), "an expired key is absent for XX");
            assertEquals("+OK", c.call("SET", "ex:short", "w", "NX"), "and for NX");
            assertEquals("$w", c.call("GET", "ex:short"));
            assertEquals("+OK", c.call("SET", "ex:long", "v2"), "SET without EX clears the deadline");
            assertEquals("$v2", c.call("GET", "ex:long"));
        }
    }

    private static String call(RespClient c, String... args) {
        try {
            return c.call(args);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void delAndExists() throws IOException {
        try (RespClient c = client()) {
            c.call("MSET", "de:a", "1", "de:b", "2");
            assertEquals(":3", c.call("EXISTS", "de:a", "de:b", "de:a", "de:none"), "a key named twice counts twice");
            assertEquals(":2", c.call("DEL", "de:a", "de:b", "de:none"));
            assertEquals(":0", c.call("EXISTS", "de:a", "de:b"));
            assertEquals(":0", c.call("DEL", "de:a"));
            assertEquals("-ERR wrong number of arguments for 'del' command", c.call("DEL"));
            assertEquals("-ERR wrong number of arguments for 'exists' command", c.call("EXISTS"));
        }
    }

    @Test
    void incr() throws IOException {
        try (RespClient c = client()) {
            assertEquals(":1", c.call("INCR", "in:n"));
            assertEquals(":2", c.call("INCR", "in:n"));
            assertEquals("$2", c.call("GET", "in:n"));
            c.call("SET", "in:neg", "-10");
            assertEquals(":-9", c.call("INCR", "in:neg"));
            for (String bad : List.of("abc", "", " 1", "1.5", "01", "+1", "99999999999999999999")) {
                c.call("SET", "in:bad", bad);
                assertEquals("-ERR value is not an integer or out of range", c.call("INCR", "in:bad"), bad);
            }
            c.call("SET", "in:max", Long.toString(Long.MAX_VALUE));
            assertEquals("-ERR increment or decrement would overflow", c.call("INCR", "in:max"));
            assertEquals("-ERR wrong number of arguments for 'incr' command", c.call("INCR"));
        }
    }

    @Test
    void msetAndMget() throws IOException {
        try (RespClient c = client()) {
            assertEquals("+OK", c.call("MSET", "mm:a", "1", "mm:b", "2", "mm:c", "3"));
            assertEquals("[$1, $nil, $3, $2]", c.call("MGET", "mm:a", "mm:none", "mm:c", "mm:b"));
            assertEquals("-ERR wrong number of arguments for 'mset' command", c.call("MSET", "mm:a", "1", "mm:b"));
            assertEquals("-ERR wrong number of arguments for 'mset' command", c.call("MSET", "mm:a"));
            assertEquals("-ERR wrong number of arguments for 'mget' command", c.call("MGET"));
            assertEquals("$1", c.call("GET", "mm:a"), "a rejected MSET changes nothing");
        }
    }

    @Test
    void configGet() throws IOException {
        try (RespClient c = client()) {
            assertEquals("[$save, $]", c.call("CONFIG", "GET", "save"));
            assertEquals("[$appendonly, $no]", c.call("config", "get", "APPENDONLY"));
            assertEquals("[]", c.call("CONFIG", "GET", "no-such-parameter"));
            assertEquals("-ERR unknown subcommand 'SET'. Try CONFIG HELP.", c.call("CONFIG", "SET", "save", ""));
            assertEquals("-ERR wrong number of arguments for 'config|get' command", c.call("CONFIG", "GET"));
        }
    }

    @Test
    void unknownCommand() throws IOException {
        try (RespClient c = client()) {
            assertEquals("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' ", c.call("FOO", "a", "b"));
            assertEquals("-ERR unknown command 'bar', with args beginning with: ", c.call("bar"));
            assertEquals("+PONG", c.call("PING"), "the connection goes on");
        }
    }

    @Test
    void inlineCommands() throws IOException {
        try (RespClient c = client()) {
            c.sendRaw("PING\r\nSET  il:k   v\r\nGET il:k\n\r\nECHO x\r\n");
            assertEquals("+PONG", c.reply());
            assertEquals("+OK", c.reply());
            assertEquals("$v", c.reply());
            assertEquals("$x", c.reply());
        }
    }

    @Test
    void quitClosesTheConnection() throws IOException {
        try (RespClient c = client()) {
            assertEquals("+OK", c.call("QUIT"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void largeValues() throws IOException {
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        String v = new String(big, java.nio.charset.StandardCharsets.ISO_8859_1);
        try (RespClient c = client()) {
            assertEquals("+OK", c.call("SET", "lv:k", v));
            assertEquals("$" + v, c.call("GET", "lv:k"));
            assertEquals("[$" + v + ", $" + v + "]", c.call("MGET", "lv:k", "lv:k"));
        }
    }

    /** 100 commands in one write: 100 replies, in order. */
    @Test
    void pipelining() throws IOException {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            batch.writeBytes(switch (i % 4) {
                case 0 -> RespClient.encode("SET", "pl:" + i, "v" + i);
                case 1 -> RespClient.encode("GET", "pl:" + (i - 1));
                case 2 -> RespClient.encode("INCR", "pl:counter");
                default -> RespClient.encode("PING");
            });
        }
        try (RespClient c = client()) {
            c.send(batch.toByteArray());
            for (int i = 0; i < 100; i++) {
                String expected = switch (i % 4) {
                    case 0 -> "+OK";
                    case 1 -> "$v" + (i - 1);
                    case 2 -> ":" + (i / 4 + 1);
                    default -> "+PONG";
                };
                assertEquals(expected, c.reply(), "reply " + i);
            }
        }
    }

    @Test
    void garbageGetsAProtocolErrorAndTheConnectionIsDropped() throws IOException {
        String[][] cases = {
                {"*x\r\n", "-ERR Protocol error: invalid multibulk length"},
                {"*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'"},
                {"*1\r\n$-2\r\nPING\r\n", "-ERR Protocol error: invalid bulk length"},
                {"*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length"},
                {"*99999999\r\n", "-ERR Protocol error: invalid multibulk length"},
                {"*1\r\n$1\r\na\r\n*" + "1".repeat(70_000), "-ERR unknown command 'a', with args beginning with: "},
        };
        for (String[] k : cases) {
            try (RespClient c = client()) {
                c.sendRaw(k[0]);
                assertEquals(k[1], c.reply(), k[0]);
                if (k[1].contains("Protocol error")) {
                    assertTrue(c.closedByServer(), "the server drops the connection after " + k[1]);
                }
            }
        }
        try (RespClient c = client()) {
            c.sendRaw("x".repeat(70_000));
            assertEquals("-ERR Protocol error: too big inline request", c.reply());
            assertTrue(c.closedByServer());
        }
        try (RespClient c = client()) {
            assertEquals("+PONG", c.call("PING"), "the server goes on");
        }
    }

    @Test
    void disconnectMidCommandLeavesTheServerServing() throws IOException {
        try (RespClient other = client()) {
            assertEquals("+OK", other.call("SET", "mid:other", "1"));
            for (String partial : List.of("*3\r\n$3\r\nSET\r\n$5\r\nmid:k\r\n$5\r\nval", "*3\r\n$3\r\nSET\r\n", "*3", "SET mid:k v")) {
                try (RespClient c = client()) {
                    c.sendRaw(partial);
                }
            }
            // One more after the aborted ones: the server accepted and served it.
            try (RespClient c = client()) {
                assertEquals("$nil", c.call("GET", "mid:k"), "a command cut short is never run");
            }
            assertEquals("$1", other.call("GET", "mid:other"), "an open connection goes on");
        }
    }

    /** Many clients at once, each its own connection, on one counter and keys of their own. */
    @Test
    void manyConcurrentClients() throws Exception {
        int clients = 200;
        int rounds = 50;
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                done.add(pool.submit(() -> {
                    try (RespClient c = client()) {
                        for (int r = 0; r < rounds; r++) {
                            assertTrue(c.call("INCR", "cc:counter").startsWith(":"));
                            assertEquals("+OK", c.call("SET", "cc:" + id, "v" + r));
                            assertEquals("$v" + r, c.call("GET", "cc:" + id));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (RespClient c = client()) {
            assertEquals("$" + clients * rounds, c.call("GET", "cc:counter"), "every INCR counted once");
        }
    }

    /** Connections opened and closed in bursts from many threads (each close races the others). */
    @Test
    void connectionChurn() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                done.add(pool.submit(() -> {
                    for (int r = 0; r < 20; r++) {
                        try (RespClient c = client()) {
                            assertEquals("+PONG", c.call("PING"));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (RespClient c = client()) {
            assertEquals("+PONG", c.call("PING"));
        }
    }
}
