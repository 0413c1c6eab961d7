package dev.gort.examples.redis;

import dev.gort.sync.Locker;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;

/**
 * The keyspace: a HashMap behind one lock (a gort {@code Mutex} in the gort server, a
 * {@code ReentrantLock} in the Loom twin, a {@code sync.Mutex} in the Go twin). Each
 * command takes the lock once, so MSET, MGET, DEL and INCR are atomic, as in Redis.
 *
 * <p>Keys are strings of Latin-1 chars, one per byte (lossless, and compact in a JVM
 * String); values are the bytes as sent. Expiry is lazy, as Redis's own on access: a key
 * past its deadline is removed when a command touches it (Redis also samples keys in the
 * background; this server does not, so an expired key nobody touches keeps its memory).
 * Deadlines are on the monotonic clock (System.nanoTime), so wall-clock jumps do not
 * expire or revive keys.
 */
final class Store {
    /** A command's error reply, thrown under the lock and written by the caller. */
    static final class CommandError extends RuntimeException {
        CommandError(String message) {
            super(message, null, false, false);
        }
    }

    /** SET's NX / XX. */
    enum Condition { ALWAYS, IF_ABSENT, IF_PRESENT }

    /** A value and its deadline (System.nanoTime), if hasDeadline. */
    private record Entry(byte[] value, boolean hasDeadline, long deadline) {
        boolean expired(long now) {
            return hasDeadline && now - deadline >= 0;
        }
    }

    private final Locker mu;
    private final HashMap<String, Entry> map = new HashMap<>();

    Store(Locker mu) {
        this.mu = mu;
    }

    static String key(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The live entry of key, removing it if it has expired. Called under mu. */
    private Entry live(String key, long now) {
        Entry e = map.get(key);
        if (e != null && e.expired(now)) {
            map.remove(key);
            return null;
        }
        return e;
    }

    /** GET: the value, or null. */
    byte[] get(byte[] key) {
        long now = System.nanoTime();
        mu.lock();
        try {
            Entry e = live(key(key), now);
            return e == null ? null : e.value;
        } finally {
            mu.unlock();
        }
    }

    /**
     * SET: stores value with a time to live (ttlNanos > 0) or none (0), if cond holds;
     * false if it did not.
     */
    boolean set(byte[] key, byte[] value, long ttlNanos, Condition cond) {
        long now = System.nanoTime();
        Entry next = new Entry(value, ttlNanos > 0, now + ttlNanos);
        String k = key(key);
        mu.lock();
        try {
            if (cond != Condition.ALWAYS && (live(k, now) == null) != (cond == Condition.IF_ABSENT)) {
                return false;
            }
            map.put(k, next);
            return true;
        } finally {
            mu.unlock();
        }
    }

    /** MSET: key value pairs from args[from] on; clears their deadlines, as Redis. */
    void mset(List<byte[]> args, int from) {
        mu.lock();
        try {
            for (int i = from; i + 1 < args.size(); i += 2) {
                map.put(key(args.get(i)), new Entry(args.get(i + 1), false, 0));
            }
        } finally {
            mu.unlock();
        }
    }

    /** MGET: the value of each key from args[from] on, null where there is none. */
    byte[][] mget(List<byte[]> args, int from) {
        long now = System.nanoTime();
        byte[][] values = new byte[args.size() - from][];
        mu.lock();
        try {
            for (int i = from; i < args.size(); i++) {
                Entry e = live(key(args.get(i)), now);
                values[i - from] = e == null ? null : e.value;
            }
        } finally {
            mu.unlock();
        }
        return values;
    }

    /** DEL: how many of the keys from args[from] on existed (and are now gone). */
    int del(List<byte[]> args, int from) {
        long now = System.nanoTime();
        int n = 0;
        mu.lock();
        try {
            for (int i = from; i < args.size(); i++) {
                String k = key(args.get(i));
                if (live(k, now) != null) {
                    map.remove(k);
                    n++;
                }
            }
        } finally {
            mu.unlock();
        }
        return n;
    }

    /** EXISTS: how many of the keys from args[from] on exist (a key named twice counts twice). */
    int exists(List<byte[]> args, int from) {
        long now = System.nanoTime();
        int n = 0;
        mu.lock();
        try {
            for (int i = from; i < args.size(); i++) {
                if (live(key(args.get(i)), now) != null) {
                    n++;
                }
            }
        } finally {
            mu.unlock();
        }
        return n;
    }

    /**
     * INCR: the value plus one, stored back with the key's deadline kept (Redis's
     * incrDecrCommand); a missing key counts as 0.
     *
     * @throws CommandError with Redis's text if the value is not an integer or would overflow
     */
    long incr(byte[] key) {
        long now = System.nanoTime();
        String k = key(key);
        mu.lock();
        try {
            Entry e = live(k, now);
            long v = 0;
            if (e != null) {
                v = Ints.parse(e.value);
                if (v == Ints.INVALID) {
                    throw new CommandError("ERR value is not an integer or out of range");
                }
            }
            if (v == Long.MAX_VALUE) {
                throw new CommandError("ERR increment or decrement would overflow");
            }
            v++;
            byte[] b = Long.toString(v).getBytes(StandardCharsets.ISO_8859_1);
            map.put(k, e == null ? new Entry(b, false, 0) : new Entry(b, e.hasDeadline, e.deadline));
            return v;
        } finally {
            mu.unlock();
        }
    }
}
