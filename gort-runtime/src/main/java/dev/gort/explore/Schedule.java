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
 * choices). The exhaustive search records its choices instead ({@code choices=}): at each
 * choice point, the position of the pick among the alternatives in the search's canonical
 * order (0: go on with the goroutine that ran last, or the first runnable one), in base
 * 36, a run of k >= 3 zeros written {@code -k-}; positions past the end are 0. A run
 * under {@code gomaxprocs(1)} says so ({@code gomaxprocs=1}, before {@code maxSteps}):
 * the same choices mean other runs there.
 */
final class Schedule {
    static final String VERSION = "gort1";

    final String strategy;
    final long seed;
    final int maxSteps;
    /** PCT: the bug depth d, and the step count k its change points are drawn from; exhaustive: the preemption bound. */
    final int depth;
    final int steps;
    /** Exhaustive: the choice positions to follow (see the class comment). */
    final int[] choices;
    /** 1: the orders of Go's single-P scheduler; 0: any runnable goroutine may run next. */
    final int gomaxprocs;

    Schedule(String strategy, long seed, int maxSteps, int depth, int steps) {
        this(strategy, seed, maxSteps, depth, steps, null, 0);
    }

    Schedule(String strategy, long seed, int maxSteps, int depth, int steps, int[] choices, int gomaxprocs) {
        this.strategy = strategy;
        this.seed = seed;
        this.maxSteps = maxSteps;
        this.depth = depth;
        this.steps = steps;
        this.choices = choices;
        this.gomaxprocs = gomaxprocs == 1 ? 1 : 0;
    }

    /** This schedule under gomaxprocs n (1: Go's single-P orders; anything else: every order). */
    Schedule gomaxprocs(int n) {
        return new Schedule(strategy, seed, maxSteps, depth, steps, choices, n);
    }

    /** An exhaustive search's schedule: follow prefix, then the canonical first alternative. */
    static Schedule exhaustive(int bound, int maxSteps, int[] prefix) {
        return exhaustive(bound, maxSteps, prefix, 0);
    }

    static Schedule exhaustive(int bound, int maxSteps, int[] prefix, int gomaxprocs) {
        return new Schedule("exhaustive", 0, maxSteps, bound, 0, prefix, gomaxprocs);
    }

    /** Runs this schedule once on the session's controller. */
    ExploreRt.Outcome execute(Runnable main) {
        return execute(main, scheduler());
    }

    ExploreRt.Outcome execute(Runnable main, ExploreRt.Scheduler s) {
        // The M's own generator (what the runtime draws besides select's order) is seeded apart.
        return ExploreRt.runOnce(main, s, SplitMix.mix(seed ^ 0x5E1EC7L), maxSteps, gomaxprocs);
    }

    ExploreRt.Scheduler scheduler() {
        return switch (strategy) {
            case "random" -> new RandomScheduler(seed);
            case "pct" -> new PctScheduler(seed, depth, steps);
            case "exhaustive" -> new DfsScheduler(depth, choices);
            default -> throw new IllegalStateException("unknown strategy " + strategy);
        };
    }

    String token() {
        StringBuilder b = new StringBuilder(VERSION).append(':').append(strategy);
        if (strategy.equals("pct")) {
            b.append(":depth=").append(depth).append(":steps=").append(steps);
        }
        if (strategy.equals("exhaustive")) {
            b.append(":bound=").append(depth).append(":choices=").append(encode(choices));
        } else {
            b.append(":seed=").append(String.format("%016x", seed));
        }
        if (gomaxprocs == 1) {
            b.append(":gomaxprocs=1");
        }
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
        Schedule s = switch (strategy) {
            case "random" -> new Schedule(strategy, seed(kv), positive(kv, "maxSteps"), 0, 0);
            case "pct" -> {
                int depth = positive(kv, "depth");
                int steps = positive(kv, "steps");
                yield new Schedule(strategy, seed(kv), positive(kv, "maxSteps"), depth, steps);
            }
            case "exhaustive" -> {
                int bound = nonNegative(kv, "bound");
                int[] choices = decode(field(kv, "choices", false));
                yield exhaustive(bound, positive(kv, "maxSteps"), choices);
            }
            default -> throw new IllegalArgumentException("schedule token names an unknown strategy \"" + strategy
                    + "\" (known: random, pct, exhaustive)");
        };
        String procs = kv.remove("gomaxprocs");
        if (procs != null && !procs.equals("1")) {
            throw new IllegalArgumentException("schedule token field gomaxprocs is not 1: \"" + procs
                    + "\" (only runs under gomaxprocs(1) record it)");
        }
        if (!kv.isEmpty()) {
            throw new IllegalArgumentException("schedule token has unknown fields " + kv.keySet());
        }
        return procs != null ? s.gomaxprocs(1) : s;
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

    private static long seed(Map<String, String> kv) {
        return Long.parseUnsignedLong(field(kv, "seed", true), 16);
    }

    private static int nonNegative(Map<String, String> kv, String key) {
        String v = field(kv, key, false);
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("schedule token field " + key + " is not a non-negative integer: \"" + v + "\"");
    }

    /** Choice positions, base 36, zero runs of 3 or more as -k- ("-" alone: none). */
    static String encode(int[] positions) {
        int n = positions.length;
        while (n > 0 && positions[n - 1] == 0) {
            n--; // trailing defaults are implied
        }
        if (n == 0) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; ) {
            int p = positions[i];
            if (p == 0) {
                int j = i;
                while (j < n && positions[j] == 0) {
                    j++;
                }
                if (j - i >= 3) {
                    b.append('-').append(j - i).append('-');
                    i = j;
                    continue;
                }
            }
            if (p >= 36) {
                throw new IllegalStateException("choice position " + p + " beyond base 36");
            }
            b.append(Character.forDigit(p, 36));
            i++;
        }
        return b.toString();
    }

    static int[] decode(String s) {
        if (s.equals("-")) {
            return new int[0];
        }
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '-') {
                int end = s.indexOf('-', i + 1);
                int k;
                try {
                    k = end < 0 ? -1 : Integer.parseInt(s.substring(i + 1, end));
                } catch (NumberFormatException e) {
                    k = -1;
                }
                if (k < 3) {
                    throw new IllegalArgumentException("schedule token field choices has a bad run of zeros at " + i
                            + ": \"" + abbreviate(s) + "\"");
                }
                for (int j = 0; j < k; j++) {
                    out.add(0);
                }
                i = end + 1;
                continue;
            }
            int d = Character.digit(c, 36);
            if (d < 0 || Character.isUpperCase(c)) {
                throw new IllegalArgumentException("schedule token field choices has a bad character '" + c + "' at " + i);
            }
            out.add(d);
            i++;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
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

    /**
     * Explore.random(): a uniform pick among the runnable goroutines at every step (under
     * gomaxprocs(1), among go on and preempt: a preemption with probability 1/2 at every
     * scheduling point, a uniform walk over the choices Go's single P leaves).
     */
    static final class RandomScheduler implements ExploreRt.Scheduler {
        private final SplitMix rng;

        RandomScheduler(long seed) {
            rng = new SplitMix(seed);
        }

        @Override
        public int next(long[] goids, int n, long prev) {
            return n == 1 ? 0 : rng.nextInt(n);
        }

        @Override
        public int random(int n) {
            return rng.nextInt(n);
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
     *
     * <p>Under gomaxprocs(1) the same rule acts on the only choice there is: offered the
     * running goroutine and the one the P's queues would run if it were preempted, PCT
     * preempts when the latter has the higher priority; a change point drops the priority
     * of the goroutine about to run, as always (so at a preemption point it flips the
     * decision). That is PCT restricted to the schedules one P can produce: the highest
     * priority runs as far as Go's queues allow. PCT's bound assumes any thread can be
     * scheduled at any step, so it does not carry over as such: the queues may keep the
     * highest priority waiting behind others.
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
        public int random(int n) {
            return rng.nextInt(n);
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

    /**
     * Explore.exhaustive(bound): one run of a depth-first search over the choice points
     * (loom's and CHESS's), with at most bound preemptions per run. At a choice point the
     * alternatives are ordered canonically: the goroutine that ran last first (no
     * preemption), then the other runnable ones in runnable order, each a preemption, allowed
     * while the run has used fewer than bound; when the last one blocked or ended, every
     * runnable goroutine, free. Under gomaxprocs(1) the alternatives are go on (0) and
     * preempt (1, counted against the bound). Select's draws and the order of tied timers
     * are choice points without a cost. The run
     * follows prefix (positions in that order), then the first alternative; it records, for
     * each choice point, the position taken and how many there were, from which
     * {@link #nextPrefix} derives the next run of the search.
     */
    static final class DfsScheduler implements ExploreRt.Scheduler {
        private final int bound;
        private final int[] prefix;
        private int preemptions;
        private int[] taken = new int[64];
        private int[] count = new int[64];
        private int len;

        DfsScheduler(int bound, int[] prefix) {
            this.bound = bound;
            this.prefix = prefix;
        }

        private int choose(int alternatives) {
            int pos = 0;
            if (len < prefix.length) {
                pos = prefix[len];
                if (pos >= alternatives) {
                    throw new IllegalArgumentException("schedule token does not fit this program: choice " + (len + 1)
                            + " takes alternative " + pos + " of " + alternatives);
                }
            }
            if (len == taken.length) {
                taken = java.util.Arrays.copyOf(taken, len * 2);
                count = java.util.Arrays.copyOf(count, len * 2);
            }
            taken[len] = pos;
            count[len] = alternatives;
            len++;
            return pos;
        }

        @Override
        public int next(long[] goids, int n, long prev) {
            int prevIdx = -1;
            for (int i = 0; i < n; i++) {
                if (goids[i] == prev) {
                    prevIdx = i;
                    break;
                }
            }
            if (prevIdx < 0) {
                return choose(n); // free: the last goroutine blocked or ended
            }
            int pos = choose(preemptions < bound ? n : 1);
            if (pos == 0) {
                return prevIdx;
            }
            preemptions++;
            int other = pos - 1; // the pos-th runnable goroutine other than prev
            return other < prevIdx ? other : other + 1;
        }

        @Override
        public int random(int n) {
            return choose(n);
        }

        /** The positions this run took. */
        int[] taken() {
            return java.util.Arrays.copyOf(taken, len);
        }

        /** The next run of the search after this one: the deepest choice point with an untried alternative; null when none is left. */
        int[] nextPrefix() {
            for (int i = len - 1; i >= 0; i--) {
                if (taken[i] + 1 < count[i]) {
                    int[] p = java.util.Arrays.copyOf(taken, i + 1);
                    p[i]++;
                    return p;
                }
            }
            return null;
        }
    }
}
