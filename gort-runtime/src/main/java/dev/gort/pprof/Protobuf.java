package dev.gort.pprof;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal protocol buffer encoder: Go's runtime/pprof protobuf.go, the same operations
 * under the same names. A nested message is written in place and its length header
 * inserted before it when it ends ({@link #endMessage}), by moving the message's bytes,
 * as Go's does, so no message is built twice.
 *
 * <p>Rejected: a protobuf library (gort-runtime has no dependencies; the profile format
 * needs a dozen lines of encoding).
 */
final class Protobuf {
    private byte[] data = new byte[4096];
    private int len;

    void varint(long x) {
        ensure(10);
        while (Long.compareUnsigned(x, 128) >= 0) {
            data[len++] = (byte) (x | 0x80);
            x >>>= 7;
        }
        data[len++] = (byte) x;
    }

    void length(int tag, int n) {
        varint(((long) tag << 3) | 2);
        varint(n);
    }

    void uint64(int tag, long x) {
        varint((long) tag << 3);
        varint(x);
    }

    void uint64Opt(int tag, long x) {
        if (x != 0) {
            uint64(tag, x);
        }
    }

    void int64(int tag, long x) {
        uint64(tag, x);
    }

    void int64Opt(int tag, long x) {
        if (x != 0) {
            int64(tag, x);
        }
    }

    /** Repeated uint64/int64: packed when more than two, as Go's. */
    void uint64s(int tag, long[] x, int n) {
        if (n > 2) {
            int start = len;
            for (int i = 0; i < n; i++) {
                varint(x[i]);
            }
            insertLength(tag, start);
            return;
        }
        for (int i = 0; i < n; i++) {
            uint64(tag, x[i]);
        }
    }

    void string(int tag, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        length(tag, b.length);
        ensure(b.length);
        System.arraycopy(b, 0, data, len, b.length);
        len += b.length;
    }

    void bool(int tag, boolean x) {
        uint64(tag, x ? 1 : 0);
    }

    void boolOpt(int tag, boolean x) {
        if (x) {
            bool(tag, true);
        }
    }

    /** Go's startMessage: the offset the message starts at. */
    int startMessage() {
        return len;
    }

    /** Go's endMessage: put tag and length in front of the bytes written since start. */
    void endMessage(int tag, int start) {
        insertLength(tag, start);
    }

    private void insertLength(int tag, int start) {
        int n = len - start;
        int end = len;
        length(tag, n);
        int h = len - end; // header bytes, written after the message
        byte[] tmp = Arrays.copyOfRange(data, end, len);
        System.arraycopy(data, start, data, start + h, n);
        System.arraycopy(tmp, 0, data, start, h);
    }

    byte[] data() {
        return data;
    }

    int size() {
        return len;
    }

    private void ensure(int n) {
        if (len + n > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, len + n));
        }
    }
}
