package dev.gort.examples.redis;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The command table and the per-connection loop, shared by the gort server and its Loom
 * twin (the servers differ only in how connections are accepted, read and written, and in
 * the lock under the Store). Arity and error texts are Redis 7's (server.c, t_string.c,
 * networking.c): a positive arity is exact, a negative one a minimum, both counting the
 * command name.
 */
final class Commands {
    /** A command's body: reads args (args[0] is the name), writes one reply to w. */
    private interface Body {
        void run(List<byte[]> args, RespWriter w);
    }

    private record Command(String name, int arity, Body body) {}

    /** What CONFIG GET answers (redis-benchmark asks for save and appendonly at start). */
    private static final Map<String, String> CONFIG = Map.of("save", "", "appendonly", "no");

    private final Store store;
    private final Map<String, Command> table = new HashMap<>();

    Commands(Store store) {
        this.store = store;
        add("ping", -1, this::ping);
        add("echo", 2, (a, w) -> w.bulk(a.get(1)));
        add("set", -3, this::set);
        add("get", 2, (a, w) -> bulkOrNil(w, store.get(a.get(1))));
        add("del", -2, (a, w) -> w.integer(store.del(a, 1)));
        add("exists", -2, (a, w) -> w.integer(store.exists(a, 1)));
        add("incr", 2, (a, w) -> w.integer(store.incr(a.get(1))));
        add("mset", -3, this::mset);
        add("mget", -2, this::mget);
        add("config", -2, this::config);
        add("quit", -1, (a, w) -> w.simple("OK")); // serve closes the connection after it
    }

    private void add(String name, int arity, Body body) {
        table.put(name, new Command(name, arity, body));
    }

    /**
     * Serves one connection until the client quits or closes it: reads commands, writes
     * their replies, flushing whenever no complete command is left in the input buffer.
     * Malformed input gets Redis's protocol error and ends the session; so does a client
     * that disconnects (between commands or inside one). The caller closes the connection.
     *
     * @throws IOException from the connection itself (a reset, a write to a closed peer)
     */
    void serve(RespReader.Source in, RespWriter.Sink out) throws IOException {
        RespWriter w = new RespWriter(out);
        RespReader r = new RespReader(in, w);
        try {
            for (List<byte[]> args; (args = r.readCommand()) != null; ) {
                boolean quit = execute(args, w);
                if (quit || w.buffered() >= 64 * 1024) {
                    w.flush(); // a large batch of replies goes out before the input is drained
                }
                if (quit) {
                    return;
                }
            }
        } catch (RespReader.ProtocolException e) {
            w.error("ERR " + e.getMessage());
        } catch (EOFException e) {
            return; // the client went away inside a command: nobody to answer
        }
        w.flush();
    }

    /** Runs one command, writing its reply; true if the connection should close (QUIT). */
    boolean execute(List<byte[]> args, RespWriter w) {
        String name = new String(args.get(0), StandardCharsets.ISO_8859_1);
        Command c = table.get(name.toLowerCase(Locale.ROOT));
        if (c == null) {
            w.error(unknownCommand(name, args));
            return false;
        }
        if (c.arity > 0 ? args.size() != c.arity : args.size() < -c.arity) {
            w.error(wrongArity(c.name));
            return false;
        }
        try {
            c.body.run(args, w);
        } catch (Store.CommandError e) {
            w.error(e.getMessage());
        }
        return c.name.equals("quit");
    }

    /** Redis's processCommand: the name and up to 128 characters of arguments. */
    private static String unknownCommand(String name, List<byte[]> args) {
        StringBuilder b = new StringBuilder("ERR unknown command '")
                .append(name, 0, Math.min(name.length(), 128)).append("', with args beginning with: ");
        int start = b.length();
        for (int i = 1; i < args.size() && b.length() - start < 128; i++) {
            String a = new String(args.get(i), StandardCharsets.ISO_8859_1);
            b.append('\'').append(a, 0, Math.min(a.length(), 128 - (b.length() - start))).append("' ");
        }
        return b.toString();
    }

    private static String wrongArity(String name) {
        return "ERR wrong number of arguments for '" + name + "' command";
    }

    private static void bulkOrNil(RespWriter w, byte[] b) {
        if (b == null) {
            w.nil();
        } else {
            w.bulk(b);
        }
    }

    private static boolean is(byte[] arg, String word) {
        return new String(arg, StandardCharsets.ISO_8859_1).equalsIgnoreCase(word);
    }

    /** PING [message]: +PONG, or the message as a bulk string. */
    private void ping(List<byte[]> a, RespWriter w) {
        if (a.size() > 2) {
            w.error(wrongArity("ping"));
        } else if (a.size() == 2) {
            w.bulk(a.get(1));
        } else {
            w.simple("PONG");
        }
    }

    /** SET key value [NX | XX] [EX seconds | PX milliseconds] (Redis's parseExtendedStringArgumentsOrReply). */
    private void set(List<byte[]> a, RespWriter w) {
        Store.Condition cond = Store.Condition.ALWAYS;
        long ttlNanos = 0;
        boolean hasTtl = false;
        for (int i = 3; i < a.size(); i++) {
            byte[] opt = a.get(i);
            boolean more = i + 1 < a.size();
            if (is(opt, "nx") && cond == Store.Condition.ALWAYS) {
                cond = Store.Condition.IF_ABSENT;
            } else if (is(opt, "xx") && cond == Store.Condition.ALWAYS) {
                cond = Store.Condition.IF_PRESENT;
            } else if ((is(opt, "ex") || is(opt, "px")) && !hasTtl && more) {
                long v = Ints.parse(a.get(++i));
                if (v == Ints.INVALID) {
                    throw new Store.CommandError("ERR value is not an integer or out of range");
                }
                long unit = is(opt, "ex") ? 1_000_000_000L : 1_000_000L;
                if (v <= 0 || v > Long.MAX_VALUE / unit / 2) {
                    throw new Store.CommandError("ERR invalid expire time in 'set' command");
                }
                ttlNanos = v * unit;
                hasTtl = true;
            } else {
                throw new Store.CommandError("ERR syntax error");
            }
        }
        if (store.set(a.get(1), a.get(2), ttlNanos, cond)) {
            w.simple("OK");
        } else {
            w.nil();
        }
    }

    /** MSET key value [key value ...] */
    private void mset(List<byte[]> a, RespWriter w) {
        if (a.size() % 2 == 0) {
            w.error(wrongArity("mset"));
            return;
        }
        store.mset(a, 1);
        w.simple("OK");
    }

    /** MGET key [key ...]: an array of bulk strings and nils. */
    private void mget(List<byte[]> a, RespWriter w) {
        byte[][] values = store.mget(a, 1);
        w.array(values.length);
        for (byte[] v : values) {
            bulkOrNil(w, v);
        }
    }

    /** CONFIG GET parameter [parameter ...]: name/value pairs of the few parameters known. */
    private void config(List<byte[]> a, RespWriter w) {
        String sub = new String(a.get(1), StandardCharsets.ISO_8859_1);
        if (!sub.equalsIgnoreCase("get")) {
            w.error("ERR unknown subcommand '" + sub + "'. Try CONFIG HELP.");
            return;
        }
        if (a.size() < 3) {
            w.error(wrongArity("config|get"));
            return;
        }
        Map<String, String> found = new java.util.LinkedHashMap<>();
        for (int i = 2; i < a.size(); i++) {
            String p = new String(a.get(i), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            if (CONFIG.containsKey(p)) {
                found.put(p, CONFIG.get(p));
            }
        }
        w.array(2 * found.size());
        found.forEach((k, v) -> {
            w.bulk(k.getBytes(StandardCharsets.ISO_8859_1));
            w.bulk(v.getBytes(StandardCharsets.ISO_8859_1));
        });
    }
}
