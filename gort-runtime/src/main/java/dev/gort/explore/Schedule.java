package dev.gort.explore;

import dev.gort.runtime.ExploreRt;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * One controlled run's schedule: the strategy, its parameters and seed, and the step
 * budget; everything a replay needs, and its printable token.
 *
 * <h2>The token</h2>
 * {@code gort1:<strategy>:<key>=<value>:...:check=<crc32>}, for instance
 * {@code gort1:random:seed=9f3c2a1b00d4e5f6:maxSteps=100000:check=5e1f0a2b}. The version
 * tag comes first, so a token of another format is refused by name; the CRC-32 of
 * everything before {@code :check=} catches a token edited or cut when copied. A strategy
 * draws every choice from a generator seeded by {@code seed}, so the seed stands for the
 * whole choice sequence (a run of the same program with the same seed makes the same
 * choices). A systematic strategy (exhaustive search) will record its choice sequence
 * instead.
 */
final class Schedule {
    static final String VERSION = "gort1";

    final String strategy;
    final long seed;
    final int maxSteps;
    /** PCT: the bug depth d, and the step count k its change points are drawn from. */
    final int depth;
    final int steps;

    Schedule(String strategy, long seed, int maxSteps, int depth, int steps) {
        this.strategy = strategy;
        this.seed = seed;
        this.maxSteps = maxSteps;
        this.depth = depth;
        this.steps = steps;
    }

    /** Runs this schedule once on the session's controller. */
    ExploreRt.Outcome execute(Runnable main) {
        ExploreRt.Scheduler s = switch (strategy) {
            case "random" -> new RandomScheduler(seed);
            case "pct" -> new PctScheduler(seed, depth, steps);
            default -> throw new IllegalStateException("unknown strategy " + strategy);
        };
        // The M's own generator (select's case order) is seeded apart from the strategy's.
        return ExploreRt.runOnce(main, s, SplitMix.mix(seed ^ 0x5E1EC7L), maxSteps);
    }

    String token() {
        StringBuilder b = new StringBuilder(VERSION).append(':').append(strategy);
        if (strategy.equals("pct")) {
            b.append(":depth=").append(depth).append(":steps=").append(steps);
        }
        b.append(":seed=").append(String.format("%016x", seed));
        b.append(":maxSteps=").append(maxSteps);
        String body = b.toString();
        return body + ":check=" + check(body);
    }

    private static String check(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /** Parses a token; an IllegalArgumentException says what is wrong with it. */
    static Schedule parse(String token) {
        if (token == null) {
            throw new IllegalArgumentException("schedule token is null");
        }
        String t = token.strip();
        int colon = t.indexOf(':');
        String version = colon < 0 ? t : t.substring(0, colon);
        if (!version.startsWith("gort")) {
            throw new IllegalArgumentException("not a gort schedule token (it should begin with \"" + VERSION + ":\"): \""
                    + abbreviate(t) + "\"");
        }
        if (!version.equals(VERSION)) {
            throw new IllegalArgumentException("schedule token version \"" + version
                    + "\" is not supported (this gort reads " + VERSION + ")");
        }
        int at = t.lastIndexOf(":check=");
        if (at < 0) {
            throw new IllegalArgumentException("schedule token has no check field (truncated?): \"" + abbreviate(t) + "\"");
        }
        if (!check(t.substring(0, at)).equals(t.substring(at + ":check=".length()))) {
            throw new IllegalArgumentException("schedule token is corrupted: its check field does not match"
                    + " (edited or cut when copied?): \"" + abbreviate(t) + "\"");
        }
        String[] parts = t.substring(0, at).split(":");
        if (parts.length < 2) {
            throw new IllegalArgumentException("schedule token names no strategy");
        }
        String strategy = parts[1];
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = 2; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("schedule token field \"" + parts[i] + "\" is not key=value");
            }
            if (kv.put(parts[i].substring(0, eq), parts[i].substring(eq + 1)) != null) {
                throw new IllegalArgumentException("schedule token repeats field " + parts[i].substring(0, eq));
            }
        }
        long seed = Long.parseUnsignedLong(field(kv, "seed", true), 16);
        int maxSteps = positive(kv, "maxSteps");
        Schedule s = switch (strategy) {
            case "random" -> new Schedule(strategy, seed, maxSteps, 0, 0);
            case "pct" -> new Schedule(strategy, seed, maxSteps, positive(kv, "depth"), positive(kv, "steps"));
            default -> throw new IllegalArgumentException("schedule token names an unknown strategy \"" + strategy
                    + "\" (known: random, pct)");
        };
        if (!kv.isEmpty()) {
            throw new IllegalArgumentException("schedule token has unknown fields " + kv.keySet());
        }
        return s;
    }

    private static String field(Map<String, String> kv, String key, boolean hex) {
        String v = kv.remove(key);
        if (v == null) {
            throw new IllegalArgumentException("schedule token lacks the field " + key);
        }
        if (hex && !v.matches("[0-9a-f]{1,16}")) {
            throw new IllegalArgumentException("schedule token field " + key + " is not hexadecimal: \"" + v + "\"");
        }
        return v;
    }

    private static int positive(Map<String, String> kv, String key) {
        String v = field(kv, key, false);
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("schedule token field " + key + " is not a positive integer: \"" + v + "\"");
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** SplitMix64: seeds and the strategies' generator (small, fast, well mixed, fully determined by its seed). */
    static final class SplitMix {
        private long state;

        SplitMix(long seed) {
            state = seed;
        }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }

        long nextLong() {
            return mix(state += 0x9e3779b97f4a7c15L);
        }

        /** Uniform in [0, n), n > 0 (Lemire's multiply-shift on 32 random bits). */
        int nextInt(int n) {
            return (int) (((nextLong() >>> 32) * n) >>> 32);
        }
    }

    /** Explore.random(): a uniform pick among the runnable goroutines at every step. */
    static final class RandomScheduler implements ExploreRt.Scheduler {
        private final SplitMix rng;

        RandomScheduler(long seed) {
            rng = new SplitMix(seed);
        }

        @Override
        public int next(long[] goids, int n, long prev) {
            return n == 1 ? 0 : rng.nextInt(n);
        }
    }

    /**
     * Explore.pct(d): probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
     * Nagarakatte, ASPLOS 2010). Every goroutine gets a random priority when it first
     * appears, all above d; d-1 change points are drawn among the steps 1..k (k: the
     * longest run seen by earlier iterations); at the i-th one, the goroutine about to
     * run drops to priority d-1-i, below every initial one. Each step runs the runnable
     * goroutine of highest priority. A bug of depth d is found with probability at least
     * 1/(n k^(d-1)) per run, n goroutines.
     */
    static final class PctScheduler implements ExploreRt.Scheduler {
        private final SplitMix rng;
        private final Map<Long, Long> priority = new java.util.HashMap<>();
        /** Step number (1-based) of each change point, and the priority it gives. */
        private final Map<Integer, Long> changeAt = new java.util.HashMap<>();
        private int step;

        PctScheduler(long seed, int depth, int steps) {
            rng = new SplitMix(seed);
            for (int i = 0; i < depth - 1; i++) {
                int at;
                do {
                    at = 1 + rng.nextInt(Math.max(steps, depth));
                } while (changeAt.containsKey(at));
                changeAt.put(at, (long) (depth - 2 - i));
            }
        }

        private long priorityOf(long goid) {
            Long p = priority.get(goid);
            if (p == null) {
                // Initial priorities lie above every change point's (which are < depth <= 2^31).
                p = (1L << 32) + (rng.nextLong() >>> 2);
                priority.put(goid, p);
            }
            return p;
        }

        private int highest(long[] goids, int n) {
            int best = 0;
            long bp = priorityOf(goids[0]);
            for (int i = 1; i < n; i++) {
                long p = priorityOf(goids[i]);
                if (p > bp) {
                    best = i;
                    bp = p;
                }
            }
            return best;
        }

        @Override
        public int next(long[] goids, int n, long prev) {
            step++;
            int best = highest(goids, n);
            Long change = changeAt.get(step);
            if (change != null) {
                priority.put(goids[best], change);
                best = highest(goids, n);
            }
            return best;
        }
    }
}
