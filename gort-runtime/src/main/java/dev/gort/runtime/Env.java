package dev.gort.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Configuration read once at start, as Go reads its environment: {@code GOMAXPROCS} and
 * {@code GODEBUG}, overridden by the system properties {@code gort.maxprocs} and
 * {@code gort.debug}. A malformed value is never silently ignored: one line on stderr
 * names the variable and the value, and the default is used. Unknown GODEBUG keys are
 * ignored, as Go ignores them.
 */
final class Env {
    private Env() {}

    /** GODEBUG settings gort understands. */
    record Debug(long schedtraceMillis, boolean scheddetail, boolean asyncpreemptoff) {}

    /** GOMAXPROCS: the property, else the environment, else the number of CPUs. */
    static int maxprocs() {
        return maxprocs(System.getenv("GOMAXPROCS"), System.getProperty("gort.maxprocs"));
    }

    static int maxprocs(String env, String prop) {
        int fromProp = positive(prop);
        if (fromProp > 0) {
            return fromProp; // the environment is not used, so not judged either
        }
        int fromEnv = positive(env);
        int used = fromEnv > 0 ? fromEnv : Runtime.getRuntime().availableProcessors();
        // Each warning names the value actually used, which the next source decides.
        if (fromEnv < 0) {
            warn("GOMAXPROCS=" + quote(env) + " is not a positive integer; using " + used);
        }
        if (fromProp < 0) {
            warn("gort.maxprocs=" + quote(prop) + " is not a positive integer; using " + used);
        }
        return used;
    }

    /** value as a positive int; 0 if unset, -1 if malformed. */
    private static int positive(String value) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(value.trim());
            return n > 0 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static volatile Debug settings;

    /** The GODEBUG settings of this JVM, read once (so a malformed one is reported once). */
    static Debug settings() {
        Debug d = settings;
        if (d == null) {
            synchronized (Env.class) {
                d = settings;
                if (d == null) {
                    settings = d = debug();
                }
            }
        }
        return d;
    }

    /** GODEBUG: the environment's settings, each overridden by the property's. */
    static Debug debug() {
        return debug(System.getenv("GODEBUG"), System.getProperty("gort.debug"));
    }

    static Debug debug(String env, String prop) {
        Map<String, String> kv = new LinkedHashMap<>();
        parseInto(kv, "GODEBUG", env);
        parseInto(kv, "gort.debug", prop);
        long schedtrace = setting(kv, "schedtrace", 0L, "a number of milliseconds", v -> {
            long ms = Long.parseLong(v);
            if (ms < 0) {
                throw new NumberFormatException();
            }
            return ms;
        });
        boolean scheddetail = setting(kv, "scheddetail", false, "0 or 1", Env::bit);
        boolean asyncpreemptoff = setting(kv, "asyncpreemptoff", false, "0 or 1", Env::bit);
        return new Debug(schedtrace, scheddetail, asyncpreemptoff);
    }

    private static boolean bit(String v) {
        return switch (v) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new NumberFormatException();
        };
    }

    /** key=value pairs separated by commas; the source name is kept for warnings. */
    private static void parseInto(Map<String, String> kv, String source, String s) {
        if (s == null || s.isBlank()) {
            return;
        }
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                warn(source + " setting " + quote(p) + " is not key=value; ignored");
                continue;
            }
            kv.put(p.substring(0, eq).trim(), source + "\u0000" + p.substring(eq + 1).trim());
        }
    }

    private static <T> T setting(Map<String, String> kv, String key, T def, String want, Function<String, T> parse) {
        String sv = kv.get(key);
        if (sv == null) {
            return def;
        }
        int z = sv.indexOf('\u0000');
        String source = sv.substring(0, z);
        String v = sv.substring(z + 1);
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            warn(source + " setting " + key + "=" + quote(v) + " is malformed (want " + want + "); using the default");
            return def;
        }
    }

    /**
     * An integer system property in [min, max]; def when unset. A malformed or out-of-range
     * value is reported (naming the property and the value used) and def is used.
     */
    static int intProperty(String name, int def, int min, int max) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        warn(name + "=" + quote(v) + " is not an integer in [" + min + ", " + max + "]; using " + def);
        return def;
    }

    private static String quote(String v) {
        return "\"" + v + "\"";
    }

    static void warn(String msg) {
        System.err.println("gort: " + msg);
    }
}
