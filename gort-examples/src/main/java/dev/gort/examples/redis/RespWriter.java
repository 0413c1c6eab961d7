package dev.gort.examples.redis;

import java.io.IOException;
import java.util.Arrays;

/**
 * Replies in RESP2, written into a byte buffer and sent with one write per
 * {@link #flush}: the reader flushes when it has no complete command left to parse.
 */
final class RespWriter {
    /** Where the bytes go: a Conn's or a socket stream's write (writes all). */
    interface Sink {
        void write(byte[] b, int off, int len) throws IOException;
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NIL = {'$', '-', '1', '\r', '\n'};

    private final Sink out;
    private byte[] buf = new byte[16 * 1024];
    private int n;

    RespWriter(Sink out) {
        this.out = out;
    }

    /** +s */
    void simple(String s) {
        ascii('+', s);
    }

    /** -message (message starts with the error code, ERR or another). */
    void error(String message) {
        ascii('-', message.replace('\r', ' ').replace('\n', ' '));
    }

    /** :v */
    void integer(long v) {
        number(':', v);
    }

    /** $len b */
    void bulk(byte[] b) {
        number('$', b.length);
        put(b, 0, b.length);
        put(CRLF, 0, 2);
    }

    /** $-1, the null bulk string. */
    void nil() {
        put(NIL, 0, NIL.length);
    }

    /** *count, followed by count replies. */
    void array(int count) {
        number('*', count);
    }

    /** Bytes waiting for the next flush. */
    int buffered() {
        return n;
    }

    /** Sends what is buffered, if anything. */
    void flush() throws IOException {
        if (n > 0) {
            int len = n;
            n = 0;
            out.write(buf, 0, len);
        }
    }

    private void ascii(char type, String s) {
        reserve(s.length() + 3);
        buf[n++] = (byte) type;
        for (int i = 0; i < s.length(); i++) {
            buf[n++] = (byte) s.charAt(i);
        }
        buf[n++] = '\r';
        buf[n++] = '\n';
    }

    private void number(char type, long v) {
        reserve(24);
        buf[n++] = (byte) type;
        if (v < 0) {
            buf[n++] = '-';
            v = -v; // never Long.MIN_VALUE: INCR stops at overflow
        }
        int start = n;
        do {
            buf[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        for (int i = start, j = n - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        buf[n++] = '\r';
        buf[n++] = '\n';
    }

    private void put(byte[] b, int off, int len) {
        reserve(len);
        System.arraycopy(b, off, buf, n, len);
        n += len;
    }

    private void reserve(int len) {
        if (buf.length - n < len) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + len));
        }
    }
}
