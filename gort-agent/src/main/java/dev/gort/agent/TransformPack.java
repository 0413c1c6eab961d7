package dev.gort.agent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The entries one run of the agent used, in one file of {@link TransformCache}'s DIR, so a
 * warm start opens one file instead of one per class (H2's 540 entry files took ~20 ms to
 * open, read and close, the largest part of the cache's own cost).
 *
 * <p><b>Layout.</b> A magic; the prefix of the build and options it serves; the number of
 * entries and the index's length; the index (per entry: its name, offset and length); a
 * CRC32C of everything so far; then the entries, each exactly as in its own file (with its
 * own checksum and the whole class file, so {@link TransformCache#decode} checks it as it
 * checks a file). Opening reads and checks only the index; an entry is read with one
 * positioned read when its class loads, so a large application's pack is not held in
 * memory.
 *
 * <p><b>Life.</b> Written at exit by a run that transformed a class or read an entry file
 * ({@link TransformCache#flush}), to a temporary file moved over the pack atomically, like
 * an entry; it holds the entries that run used, in the order their classes loaded. The
 * entry files stay: a class the pack lacks is looked up there. A pack that is short,
 * damaged, for another build, or unreadable is ignored (its entries are misses) and
 * replaced at exit; a damaged entry inside it is a miss for that class only.
 */
final class TransformPack implements AutoCloseable {
    private static final byte[] MAGIC = "gortpak1".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_NAME = 255;
    /** An index row's bytes without its name: the name's length, the offset, the length. */
    private static final int ROW = 1 + 8 + 4;

    private final RandomAccessFile file;
    private final Map<String, long[]> index; // name -> {offset, length}

    private TransformPack(RandomAccessFile file, Map<String, long[]> index) {
        this.file = file;
        this.index = index;
    }

    /** The pack's file name in DIR for a prefix (one pack per build and options). */
    static String name(byte[] prefix) {
        CRC32C c = new CRC32C();
        c.update(prefix);
        return ".pack-" + Integer.toHexString((int) c.getValue()) + "-" + prefix.length;
    }

    /**
     * Opens the pack at path for prefix: null if there is none; throws if it is unusable
     * (short, damaged, another build's), with the reason.
     */
    static TransformPack open(String path, byte[] prefix) throws IOException {
        RandomAccessFile f;
        try {
            f = new RandomAccessFile(path, "r");
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
        try {
            int head = MAGIC.length + prefix.length + 8;
            long size = f.length();
            if (size < head + 4) {
                throw new IOException("pack too short");
            }
            byte[] h = new byte[head];
            f.readFully(h);
            ByteBuffer b = ByteBuffer.wrap(h);
            byte[] magic = new byte[MAGIC.length], p = new byte[prefix.length];
            b.get(magic).get(p);
            int count = b.getInt(), indexLength = b.getInt();
            if (!java.util.Arrays.equals(magic, MAGIC) || !java.util.Arrays.equals(p, prefix)) {
                throw new IOException("pack of another format or build");
            }
            // count is bounded by the index's length before anything is sized by it: an index
            // whose checksum matches yet whose count is huge (a writer's bug, a crafted file)
            // would otherwise make the map below allocate up to 4 GB at start (an
            // OutOfMemoryError out of premain: the JVM does not start).
            if (count < 0 || indexLength < 0 || (long) head + indexLength + 4 > size || count > indexLength / ROW) {
                throw new IOException("pack index out of bounds");
            }
            byte[] idx = new byte[indexLength + 4];
            f.readFully(idx);
            CRC32C c = new CRC32C();
            c.update(h);
            c.update(idx, 0, indexLength);
            if ((int) c.getValue() != ByteBuffer.wrap(idx, indexLength, 4).getInt()) {
                throw new IOException("pack index damaged");
            }
            long data = head + indexLength + 4L;
            Map<String, long[]> index = new HashMap<>(count * 2);
            ByteBuffer ib = ByteBuffer.wrap(idx, 0, indexLength);
            for (int i = 0; i < count; i++) {
                int n = ib.get() & 0xff;
                byte[] name = new byte[n];
                ib.get(name);
                long off = ib.getLong();
                int len = ib.getInt();
                if (off < data || len < 0 || off > size - len) { // not off + len > size: it overflows
                    throw new IOException("pack entry out of bounds");
                }
                index.put(new String(name, StandardCharsets.US_ASCII), new long[] {off, len});
            }
            if (ib.hasRemaining()) {
                throw new IOException("pack index longer than its count");
            }
            return new TransformPack(f, index);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e instanceof IOException io ? io : new IOException("pack damaged: " + e);
        }
    }

    /** Where the named entry is ({offset, length}, for {@link #read(long[], int)}), or null. */
    long[] find(String name) {
        return index.get(name);
    }

    /**
     * The entry's bytes, unchecked (the caller decodes them); null if the pack lacks it;
     * empty (a damaged entry to the caller) if it is longer than max.
     */
    byte[] read(String name, int max) throws IOException {
        long[] at = index.get(name);
        return at == null ? null : read(at, max);
    }

    /** {@link #read(String, int)} of an entry {@link #find} found. */
    byte[] read(long[] at, int max) throws IOException {
        if (at[1] > max) {
            return new byte[0];
        }
        byte[] e = new byte[(int) at[1]];
        synchronized (file) {
            file.seek(at[0]);
            file.readFully(e);
        }
        return e;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** What {@link #write} needs of one entry: its name and length, and how to read it. */
    interface Source {
        String name();

        int length();

        byte[] bytes() throws IOException;
    }

    /**
     * Writes a pack of these entries to out, streaming them one at a time (a large
     * application's pack is never whole in memory). Throws if an entry's bytes are not the
     * length announced (its file changed meanwhile): the caller then drops the pack.
     */
    static void write(java.io.OutputStream out, byte[] prefix, java.util.List<? extends Source> entries) throws IOException {
        int indexLength = 0;
        for (Source e : entries) {
            if (e.name().length() > MAX_NAME) {
                throw new IOException("entry name too long: " + e.name());
            }
            indexLength += ROW + e.name().length();
        }
        int head = MAGIC.length + prefix.length + 8;
        ByteBuffer b = ByteBuffer.allocate(head + indexLength + 4);
        b.put(MAGIC).put(prefix).putInt(entries.size()).putInt(indexLength);
        long off = head + indexLength + 4L;
        for (Source e : entries) {
            b.put((byte) e.name().length()).put(e.name().getBytes(StandardCharsets.US_ASCII)).putLong(off)
                    .putInt(e.length());
            off += e.length();
        }
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, b.position());
        b.putInt((int) c.getValue());
        out.write(b.array());
        for (Source e : entries) {
            byte[] bytes = e.bytes();
            if (bytes.length != e.length()) {
                throw new IOException("entry " + e.name() + " changed while the pack was written");
            }
            out.write(bytes);
        }
    }

    /** The length of a named entry in this pack, or -1. */
    int length(String name) {
        long[] at = index.get(name);
        return at == null ? -1 : (int) at[1];
    }
}
