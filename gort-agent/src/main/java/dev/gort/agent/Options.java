package dev.gort.agent;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The agent's options (docs/api.md, "The java agent"): {@code -javaagent:gort-agent.jar=key=value,...}.
 *
 * <p>Values may themselves hold commas ({@code preempt=prologue,backedge},
 * {@code debug=schedtrace=1000,scheddetail=1}): a token without {@code =} continues the
 * value before it, and so does a {@code key=value} token after {@code debug=} whose key is
 * not an agent option. Every unknown key and bad value is an {@link IllegalArgumentException}
 * naming it; the agent prints it and stops the JVM.
 */
record Options(List<Pattern> include, List<Pattern> exclude, boolean prologue, boolean backedge,
               boolean blocking, Integer maxprocs, String debug, boolean mainGoroutine, Path dump,
               Path trace, Path flight, java.net.InetSocketAddress pprof, Path cache) {

    static final Set<String> KEYS = Set.of("include", "exclude", "preempt", "blocking", "maxprocs", "debug", "main", "dump",
            "trace", "flight", "pprof", "cache");

    /**
     * The options' syntax, compiled when an option needs it: a start without include=,
     * exclude= or debug= compiles no pattern (their Unicode classes cost a starting JVM a
     * millisecond or two).
     */
    private static final class Syntax {
        static final Pattern CLASS_PATTERN = Pattern.compile("[\\p{L}\\p{N}_$.*]+");
        static final Pattern DEBUG_KEY = Pattern.compile("[a-z0-9_]+");
    }

    static Options parse(String args) {
        Map<String, String> kv = split(args == null ? "" : args);
        List<Pattern> include = patterns("include", kv.get("include"));
        List<Pattern> exclude = patterns("exclude", kv.get("exclude"));
        boolean prologue = true, backedge = true;
        String preempt = kv.get("preempt");
        if (preempt != null) {
            prologue = false;
            backedge = false;
            if (!preempt.equals("off")) {
                for (String p : preempt.split(",", -1)) {
                    switch (p) {
                        case "prologue" -> prologue = true;
                        case "backedge" -> backedge = true;
                        default -> throw bad("preempt", preempt, "'off' or a comma-separated list of prologue, backedge");
                    }
                }
            }
        }
        boolean blocking = true;
        String b = kv.get("blocking");
        if (b != null) {
            switch (b) {
                case "on" -> blocking = true;
                case "off" -> blocking = false;
                default -> throw bad("blocking", b, "on or off");
            }
        }
        Integer maxprocs = null;
        String m = kv.get("maxprocs");
        if (m != null) {
            try {
                maxprocs = Integer.parseInt(m);
            } catch (NumberFormatException e) {
                maxprocs = 0;
            }
            if (maxprocs < 1) {
                throw bad("maxprocs", m, "a positive integer");
            }
        }
        String debug = kv.get("debug");
        if (debug != null) {
            checkDebug(debug);
        }
        boolean mainGoroutine = false;
        String main = kv.get("main");
        if (main != null) {
            if (!main.equals("goroutine")) {
                throw bad("main", main, "goroutine");
            }
            mainGoroutine = true;
        }
        Path dump = null;
        String d = kv.get("dump");
        if (d != null) {
            if (d.isEmpty()) {
                throw bad("dump", d, "a directory");
            }
            dump = Path.of(d);
        }
        Path trace = file("trace", kv.get("trace"));
        Path flight = file("flight", kv.get("flight"));
        java.net.InetSocketAddress pprof = hostPort("pprof", kv.get("pprof"));
        // cache=DIR: only an empty or malformed name is a bad option; a DIR the agent cannot
        // use is a warning at start (TransformCache), never a reason to stop the JVM.
        Path cache = null;
        String c = kv.get("cache");
        if (c != null) {
            try {
                cache = c.isEmpty() ? null : Path.of(c).toAbsolutePath();
            } catch (InvalidPathException e) {
                cache = null;
            }
            if (cache == null) {
                throw bad("cache", c, "a directory");
            }
        }
        return new Options(include, exclude, prologue, backedge, blocking, maxprocs, debug, mainGoroutine, dump,
                trace, flight, pprof, cache);
    }

    /** pprof=HOST:PORT ({@code [v6]:PORT} for IPv6; port 0: any free port), checked now as trace= is. */
    private static java.net.InetSocketAddress hostPort(String key, String value) {
        if (value == null) {
            return null;
        }
        String want = "HOST:PORT to listen on, such as 127.0.0.1:6060";
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || !value.substring(colon + 1).matches("[0-9]{1,5}")) {
            throw bad(key, value, want);
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw bad(key, value, want + " ([::1]:6060 for IPv6)");
        }
        int port = Integer.parseInt(value.substring(colon + 1));
        if (host.isEmpty() || port > 65535) {
            throw bad(key, value, want);
        }
        java.net.InetSocketAddress a = new java.net.InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw bad(key, value, want + "; host '" + host + "' is unknown");
        }
        return a;
    }

    /**
     * trace=FILE, flight=FILE: a file in a directory that exists, checked now, so that a
     * typo stops the JVM at start rather than losing the trace at exit or at a death.
     */
    private static Path file(String key, String value) {
        if (value == null) {
            return null;
        }
        Path p;
        try {
            p = Path.of(value).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw bad(key, value, "a file name");
        }
        if (value.isEmpty() || Files.isDirectory(p)) {
            throw bad(key, value, "a file name");
        }
        if (p.getParent() == null || !Files.isDirectory(p.getParent())) {
            throw bad(key, value, "a file in an existing directory");
        }
        return p;
    }

    /** Splits key=value tokens, joining continuation tokens (see the class comment). */
    private static Map<String, String> split(String args) {
        Map<String, String> kv = new LinkedHashMap<>();
        String last = null;
        if (args.isBlank()) {
            return kv;
        }
        for (String tok : args.split(",", -1)) {
            int eq = tok.indexOf('=');
            String key = eq < 0 ? null : tok.substring(0, eq);
            boolean continues = last != null
                    && (eq < 0 || (last.equals("debug") && !KEYS.contains(key)));
            if (continues) {
                kv.put(last, kv.get(last) + "," + tok);
                continue;
            }
            if (eq < 0) {
                throw new IllegalArgumentException("malformed option '" + tok + "' (want key=value; keys: " + keys() + ")");
            }
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' in '" + tok + "' (known: " + keys() + ")");
            }
            if (kv.containsKey(key)) {
                throw new IllegalArgumentException("option '" + key + "' given twice");
            }
            kv.put(key, tok.substring(eq + 1));
            last = key;
        }
        return kv;
    }

    private static String keys() {
        return String.join(", ", new java.util.TreeSet<>(KEYS));
    }

    /** include/exclude: class-name globs separated by ';' ({@code *} matches any characters). */
    private static List<Pattern> patterns(String key, String value) {
        List<Pattern> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String p : value.split(";", -1)) {
            if (!Syntax.CLASS_PATTERN.matcher(p).matches()) {
                throw bad(key, value, "class name patterns such as a.b.* separated by ';' (bad: '" + p + "')");
            }
            StringBuilder re = new StringBuilder();
            for (String part : p.split("\\*", -1)) {
                if (!re.isEmpty()) {
                    re.append(".*");
                }
                re.append(Pattern.quote(part));
            }
            out.add(Pattern.compile(re.toString()));
        }
        return out;
    }

    /** debug: GODEBUG syntax, key=value pairs separated by ','; gort's keys take integers. */
    private static void checkDebug(String value) {
        for (String kv : value.split(",", -1)) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || !Syntax.DEBUG_KEY.matcher(kv.substring(0, eq)).matches()) {
                throw bad("debug", value, "GODEBUG settings such as schedtrace=1000,scheddetail=1 (bad: '" + kv + "')");
            }
            String k = kv.substring(0, eq), v = kv.substring(eq + 1);
            boolean number = v.matches("[0-9]+");
            boolean ok = switch (k) {
                case "schedtrace" -> number;
                case "scheddetail", "asyncpreemptoff" -> v.equals("0") || v.equals("1");
                default -> true; // as Go, unknown GODEBUG keys are ignored
            };
            if (!ok) {
                throw bad("debug", value, k + (k.equals("schedtrace") ? " in milliseconds" : " 0 or 1") + " (bad: '" + kv + "')");
            }
        }
    }

    private static IllegalArgumentException bad(String key, String value, String want) {
        return new IllegalArgumentException("bad value '" + value + "' for option '" + key + "' (want " + want + ")");
    }
}
