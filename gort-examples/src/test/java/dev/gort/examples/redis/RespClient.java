package dev.gort.examples.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A test client on a plain java.net.Socket: writes raw bytes or commands, reads one RESP2
 * reply at a time, rendered as a string: "+OK", "-ERR ...", ":1", "$value" (bulk),
 * "$nil", and "[a, b]" for arrays of those.
 */
final class RespClient implements Closeable {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespClient(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        socket = new Socket();
        socket.connect(new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1))), 10_000);
        socket.setSoTimeout(30_000); // a reply that never comes fails the test, not hangs it
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** A command as a RESP array of bulk strings. */
    static byte[] encode(String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (String a : args) {
            byte[] v = a.getBytes(StandardCharsets.ISO_8859_1);
            b.writeBytes(("$" + v.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            b.writeBytes(v);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        return b.toByteArray();
    }

    void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    void sendRaw(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends one command and reads its reply. */
    String call(String... args) throws IOException {
        send(encode(args));
        return reply();
    }

    /** The next reply, rendered. */
    String reply() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by the server");
        }
        String line = line();
        switch (type) {
            case '+', '-', ':' -> {
                return (char) type + line;
            }
            case '$' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return "$nil";
                }
                byte[] v = in.readNBytes(n + 2);
                if (v.length < n + 2) {
                    throw new EOFException("bulk string cut short");
                }
                return "$" + new String(v, 0, n, StandardCharsets.ISO_8859_1);
            }
            case '*' -> {
                int n = Integer.parseInt(line);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(reply());
                }
                return items.toString();
            }
            default -> throw new IOException("not a RESP reply: '" + (char) type + line + "'");
        }
    }

    /**
     * True if the server has closed the connection: the next read sees end of stream, or a
     * reset (a server that closes with unread input in its socket sends RST).
     */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            if ("Connection reset".equals(e.getMessage())) {
                return true;
            }
            throw e;
        }
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new EOFException("reply line cut short: " + b);
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
