package dev.gort.examples.redis;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads client commands in RESP2 (the Redis protocol): a multibulk array of bulk strings,
 * {@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}, or an inline command, {@code GET k\r\n}.
 *
 * <p>A buffered reader of its own: one {@code read} on the connection fills the buffer
 * with as many pipelined commands as the client sent, and {@link #readCommand} parses them
 * one by one from memory. Only when the buffer holds no complete command does it read the
 * connection again, and just before that it flushes the replies written so far: that is
 * the one flush per batch that makes pipelining pay (Go's idiom is
 * {@code if r.Buffered() == 0 { w.Flush() }}; flushing before every blocking read is the
 * same rule, also right when a partial command is buffered).
 *
 * <p>Errors are Redis's (networking.c, processMultibulkBuffer/processInlineBuffer): a
 * {@link ProtocolException} carries its "Protocol error: ..." text; the server replies
 * with it and drops the connection, as Redis does.
 */
final class RespReader {
    /** Where the bytes come from: a Conn's or a socket stream's read (-1 at end of stream). */
    interface Source {
        int read(byte[] b, int off, int len) throws IOException;
    }

    /** Input a Redis server rejects; the message is Redis's, without the "ERR " prefix. */
    static final class ProtocolException extends IOException {
        ProtocolException(String message) {
            super("Protocol error: " + message);
        }
    }

    /** Redis's PROTO_INLINE_MAX_SIZE: the longest inline command or count line. */
    static final int INLINE_MAX = 64 * 1024;
    /** Redis's limit on a multibulk count (1024 * 1024 arguments). */
    static final int MULTIBULK_MAX = 1024 * 1024;
    /** Redis's default proto-max-bulk-len, 512 MB. */
    static final long BULK_MAX = 512L * 1024 * 1024;

    private final Source in;
    private final RespWriter pending;
    private byte[] buf = new byte[16 * 1024];
    private int pos;
    private int lim;

    /** Reads from in; flushes pending before each read that may block. */
    RespReader(Source in, RespWriter pending) {
        this.in = in;
        this.pending = pending;
    }

    /**
     * The next command's arguments (at least one), or null at the end of the stream
     * between commands.
     *
     * @throws ProtocolException on malformed input
     * @throws EOFException if the stream ends inside a command
     */
    List<byte[]> readCommand() throws IOException {
        for (;;) {
            if (pos == lim && !fill()) {
                return null;
            }
            List<byte[]> args = buf[pos] == '*' ? readMultibulk() : readInline();
            if (!args.isEmpty()) {
                return args;
            }
            // "*0\r\n", "*-1\r\n" and empty inline lines are skipped, as Redis does.
        }
    }

    private List<byte[]> readMultibulk() throws IOException {
        int end = lineEnd("too big mbulk count string");
        long n = parseCount(pos + 1, end);
        if (n == Long.MIN_VALUE || n > MULTIBULK_MAX) {
            throw new ProtocolException("invalid multibulk length");
        }
        skipLine(end);
        List<byte[]> args = new ArrayList<>((int) Math.max(n, 0));
        for (long i = 0; i < n; i++) {
            if (pos == lim && !fill()) {
                throw new EOFException("end of stream inside a command");
            }
            if (buf[pos] != '$') {
                throw new ProtocolException("expected '$', got '" + (char) (buf[pos] & 0xff) + "'");
            }
            end = lineEnd("too big bulk count string");
            long len = parseCount(pos + 1, end);
            if (len < 0 || len > BULK_MAX) {
                throw new ProtocolException("invalid bulk length");
            }
            skipLine(end);
            args.add(readBulk((int) len));
        }
        return args;
    }

    /** len bytes and the CRLF after them (not checked: Redis skips two bytes too). */
    private byte[] readBulk(int len) throws IOException {
        // Grows as the data arrives: a declared length is not a reason to allocate it.
        byte[] b = new byte[Math.min(len, 1 << 20)];
        int n = 0;
        while (n < len) {
            if (pos == lim && !fill()) {
                throw new EOFException("end of stream inside a bulk string");
            }
            if (n == b.length) {
                b = Arrays.copyOf(b, (int) Math.min(len, 2L * b.length));
            }
            int k = Math.min(lim - pos, b.length - n); // b.length <= len
            System.arraycopy(buf, pos, b, n, k);
            pos += k;
            n += k;
        }
        for (int crlf = 0; crlf < 2; crlf++) {
            if (pos == lim && !fill()) {
                throw new EOFException("end of stream inside a bulk string");
            }
            pos++;
        }
        return b;
    }

    /** Redis's inline protocol: arguments split on spaces (without Redis's quoting). */
    private List<byte[]> readInline() throws IOException {
        int end = lineEnd("too big inline request");
        int stop = end > pos && buf[end - 1] == '\r' ? end - 1 : end;
        List<byte[]> args = new ArrayList<>();
        int i = pos;
        while (i < stop) {
            while (i < stop && (buf[i] == ' ' || buf[i] == '\t')) {
                i++;
            }
            int start = i;
            while (i < stop && buf[i] != ' ' && buf[i] != '\t') {
                i++;
            }
            if (i > start) {
                args.add(Arrays.copyOfRange(buf, start, i));
            }
        }
        pos = end + 1;
        return args;
    }

    /**
     * The index of the '\n' ending the line at pos, reading more as needed; a line longer
     * than INLINE_MAX is the protocol error named by tooBig.
     */
    private int lineEnd(String tooBig) throws IOException {
        int scanned = pos;
        for (;;) {
            for (int i = scanned; i < lim; i++) {
                if (buf[i] == '\n') {
                    return i;
                }
            }
            if (lim - pos >= INLINE_MAX) {
                throw new ProtocolException(tooBig);
            }
            scanned = lim - pos; // fill may move the buffered bytes to 0
            if (!fill()) {
                throw new EOFException("end of stream inside a command");
            }
            scanned += pos;
        }
    }

    /** Moves past the line ending at the '\n' at end. */
    private void skipLine(int end) {
        pos = end + 1;
    }

    /**
     * The decimal number in buf[from, end) (a trailing '\r' excluded), or Long.MIN_VALUE if
     * it is not one: Redis's string2ll (an optional '-', no '+', no leading zeros).
     */
    private long parseCount(int from, int end) {
        if (end > from && buf[end - 1] == '\r') {
            end--;
        }
        return Ints.parse(buf, from, end);
    }

    /**
     * Reads more bytes after the buffered ones, compacting or growing the buffer when it is
     * full; flushes the pending replies first, since the read may block. False at end of
     * stream.
     */
    private boolean fill() throws IOException {
        if (pos > 0 && (pos == lim || lim == buf.length)) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        pending.flush();
        for (;;) {
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) {
                return false;
            }
            if (n > 0) {
                lim += n;
                return true;
            }
        }
    }

    @Override
    public String toString() {
        return "RespReader[" + (lim - pos) + " bytes buffered: "
                + new String(buf, pos, Math.min(lim - pos, 64), StandardCharsets.ISO_8859_1) + "]";
    }
}
