package dev.gort.agent;

import java.util.Arrays;

/**
 * A growable byte array written big-endian, for the fast path's output. Not
 * {@code ByteArrayOutputStream}: its writes are synchronized, a monitor per byte, which the
 * interpreter pays in full at start-up, when the fast path runs cold.
 */
final class ByteOut {
    private byte[] buf;
    private int count;

    ByteOut(int size) {
        buf = new byte[Math.max(16, size)];
    }

    private void room(int n) {
        if (count + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(2 * buf.length, count + n));
        }
    }

    void u1(int v) {
        room(1);
        buf[count++] = (byte) v;
    }

    void u2(int v) {
        room(2);
        buf[count++] = (byte) (v >>> 8);
        buf[count++] = (byte) v;
    }

    void u4(int v) {
        room(4);
        buf[count++] = (byte) (v >>> 24);
        buf[count++] = (byte) (v >>> 16);
        buf[count++] = (byte) (v >>> 8);
        buf[count++] = (byte) v;
    }

    void write(byte[] b, int off, int len) {
        room(len);
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    /** All of b; nothing for null. */
    void bytes(byte[] b) {
        if (b != null) {
            write(b, 0, b.length);
        }
    }

    void patch2(int at, int v) {
        buf[at] = (byte) (v >>> 8);
        buf[at + 1] = (byte) v;
    }

    void patch4(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    int size() {
        return count;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, count);
    }
}
