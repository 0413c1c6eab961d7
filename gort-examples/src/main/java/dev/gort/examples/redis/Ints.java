package dev.gort.examples.redis;

/** Redis's string2ll: the only integers Redis accepts, in arguments and stored values. */
final class Ints {
    private Ints() {}

    /** Not a number (no valid input parses to it: Long.MIN_VALUE is rejected). */
    static final long INVALID = Long.MIN_VALUE;

    /**
     * The decimal integer in b[from, to), or INVALID: an optional '-', then digits without
     * a leading zero (except "0" itself), no '+', no spaces, within a long (Long.MIN_VALUE
     * excluded, as a sentinel).
     */
    static long parse(byte[] b, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > 20) {
            return INVALID;
        }
        boolean neg = b[from] == '-';
        int i = neg ? from + 1 : from;
        if (i == to || b[i] < '1' || b[i] > '9') {
            return len == 1 && b[from] == '0' ? 0 : INVALID;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return INVALID;
            }
            if (v > (Long.MAX_VALUE - d) / 10) {
                return INVALID;
            }
            v = v * 10 + d;
        }
        return neg ? -v : v;
    }

    static long parse(byte[] b) {
        return parse(b, 0, b.length);
    }
}
