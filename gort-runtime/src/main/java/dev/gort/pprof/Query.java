package dev.gort.pprof;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A request's query as Go's {@code r.FormValue} reads it ({@code url.ParseQuery}: pairs
 * split on {@code &}, a pair with a {@code ;} or a bad escape skipped, {@code +} a space;
 * the first value of a key; {@code ""} when absent), and Go's number parsers on it, so
 * that the handlers treat odd values exactly as Go's do.
 *
 * <p>Differences from Go: {@code parseFloat} takes decimal forms and Go's spellings of
 * infinity and NaN, not Go's hexadecimal floats or underscores.
 */
final class Query {
    private final Map<String, String> first = new LinkedHashMap<>();

    Query(String raw) {
        if (raw == null) {
            return;
        }
        for (String pair : raw.split("&", -1)) {
            if (pair.isEmpty() || pair.indexOf(';') >= 0) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                first.putIfAbsent(k, v);
            } catch (IllegalArgumentException e) {
                // a bad escape: Go's ParseQuery skips the pair
            }
        }
    }

    /** Go's r.FormValue(key). */
    String value(String key) {
        return first.getOrDefault(key, "");
    }

    private static final Pattern INT = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern FLOAT = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Pattern SPECIAL = Pattern.compile("(?i)[+-]?(inf|infinity)|nan");

    /** Go's strconv.Atoi, error ignored: 0 for a bad number, out of range clamped to int. */
    static int atoi(String s) {
        long v = parseIntOr(s, 0);
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    /** Go's strconv.ParseInt(s, 10, 64) for callers that treat an error as {@code <= 0}: -1 on error. */
    static long parseInt(String s) {
        if (!INT.matcher(s).matches()) {
            return -1;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1; // out of range: Go's ErrRange
        }
    }

    private static long parseIntOr(String s, long bad) {
        if (!INT.matcher(s).matches()) {
            return bad;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return s.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE; // Go's ErrRange value
        }
    }

    /** Go's strconv.ParseFloat(s, 64): null on a syntax error (Go's err != nil). */
    static Double parseFloat(String s) {
        if (SPECIAL.matcher(s).matches()) {
            String l = s.toLowerCase();
            return l.equals("nan") ? Double.NaN : l.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (!FLOAT.matcher(s).matches()) {
            return null;
        }
        double d = Double.parseDouble(s);
        return Double.isInfinite(d) ? null : d; // out of range: Go's ErrRange, an error
    }
}
