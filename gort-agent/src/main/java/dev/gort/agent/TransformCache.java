package dev.gort.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's {@code cache=DIR} (docs/api.md, "The java agent"): transformed class files
 * kept across runs, so that a warm start skips ASM (whose cold run is most of the agent's
 * start-up cost, bench/RESULTS.md) and only reads one small file per class.
 *
 * <p><b>Key.</b> SHA-256 over the agent's build (the SHA-256 of its jar's bytes: every build
 * is 0.1.0-SNAPSHOT, so the version string says nothing), the options that shape the
 * output ({@link #optionsKey}), whether the class is the {@code main=goroutine} class, and
 * the class file's bytes. The output is a function of these alone: the instrumenter reads
 * nothing but the class file (no class loading, no frames computed from the hierarchy), so
 * neither the class's name nor its loader needs to be in the key.
 *
 * <p><b>Entries.</b> One file per key, named by the key in hex: a magic, the key again (a
 * file copied or renamed from another key is foreign), a kind (transformed, or unchanged:
 * the next start skips the analysis too), the payload's length, the payload, and a SHA-256
 * of everything before it. A read that finds anything else (short, tampered, foreign) is a
 * miss: the class is transformed and the entry rewritten; a damaged class is never
 * returned. Writes go to a temporary file in DIR, moved over the entry with
 * {@code ATOMIC_MOVE}, so a reader (another JVM filling the same cache) sees the whole old
 * entry or the whole new one; two writers of one key write the same bytes.
 *
 * <p><b>Trust.</b> The hash catches damage, not an adversary (who can recompute it): the
 * protection is that DIR is the user's own. It is created {@code rwx------}, and an
 * existing DIR that group or others can write is refused.
 *
 * <p><b>Failures.</b> No cache problem stops the JVM or fails a class: the first one is
 * one line on stderr ({@code gort-agent: cache DIR: reason; transforming without the
 * cache}); a problem with DIR itself (not a directory, unwritable, full) turns the cache
 * off for the rest of the run, a damaged entry only costs that class its hit.
 */
final class TransformCache {
    /** What {@link #get} returns for a class the agent leaves as it was. */
    static final byte[] UNCHANGED = new byte[0];

    private static final byte[] MAGIC = "gortcls1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int KEY = 32, HASH = 32;
    private static final int HEADER = MAGIC.length + KEY + 1 + 4;
    private static final byte KIND_UNCHANGED = 0, KIND_TRANSFORMED = 1;

    private final Path dir;
    private final byte[] prefix;
    private volatile boolean on;
    private final AtomicBoolean warned = new AtomicBoolean();
    final AtomicInteger hits = new AtomicInteger(), misses = new AtomicInteger(), written = new AtomicInteger(),
            damaged = new AtomicInteger();

    private TransformCache(Path dir, byte[] prefix, boolean on) {
        this.dir = dir;
        this.prefix = prefix;
        this.on = on;
    }

    /**
     * Opens (creating) the cache in dir for an agent build and options key. Never throws: a
     * dir it cannot use gives a cache that is off, after the one warning.
     */
    static TransformCache open(Path dir, byte[] build, String optionsKey) {
        MessageDigest md = sha256();
        md.update(build);
        md.update((byte) 0);
        md.update(optionsKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        TransformCache c = new TransformCache(dir, md.digest(), false);
        String problem = prepare(dir);
        if (problem != null) {
            c.warn(problem);
        } else {
            c.on = true;
        }
        return c;
    }

    /** Whether the cache is in use (false once a problem with DIR was reported). */
    boolean on() {
        return on;
    }

    /** Null if DIR is usable (created if missing), else why not. */
    private static String prepare(Path dir) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(dir)) {
                boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
                FileAttribute<?>[] attrs = posix
                        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                        : new FileAttribute<?>[0];
                try {
                    Files.createDirectories(dir, attrs);
                } catch (FileAlreadyExistsException e) {
                    // another JVM made it first: checked below
                }
            }
            if (!Files.isDirectory(dir)) {
                return "not a directory";
            }
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
                if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
                    return "writable by group or others (want a directory only its owner can write, such as mode 700)";
                }
            }
            if (!Files.isWritable(dir)) {
                return "not writable";
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return reason(e);
        }
    }

    /** The key of one class file (hex, the entry's file name is this). */
    byte[] key(byte[] classfile, boolean isMain) {
        MessageDigest md = sha256();
        md.update(prefix);
        md.update((byte) (isMain ? 1 : 0));
        md.update(classfile);
        return md.digest();
    }

    /**
     * The cached output for key: the transformed class file, {@link #UNCHANGED}, or null on
     * a miss (no entry, a damaged one, or the cache is off).
     */
    byte[] get(byte[] key) {
        if (!on) {
            return null;
        }
        byte[] e;
        try {
            e = Files.readAllBytes(entry(key));
        } catch (NoSuchFileException ex) {
            misses.incrementAndGet();
            return null;
        } catch (IOException | RuntimeException ex) {
            misses.incrementAndGet();
            once("cannot read " + entry(key).getFileName() + ": " + reason(ex) + "; transforming its class again");
            return null;
        }
        byte[] out = decode(key, e);
        if (out == null) {
            misses.incrementAndGet();
            damaged.incrementAndGet();
            once("entry " + entry(key).getFileName() + " is damaged or foreign; transforming its class again and"
                    + " rewriting the entry");
            return null;
        }
        hits.incrementAndGet();
        return out;
    }

    /** Stores out (null: the class is left unchanged) under key; never throws. */
    void put(byte[] key, byte[] out) {
        if (!on) {
            return;
        }
        byte[] e = encode(key, out);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, ".tmp-", "");
            Files.write(tmp, e);
            Files.move(tmp, entry(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            written.incrementAndGet();
        } catch (AtomicMoveNotSupportedException ex) {
            off("cannot replace files atomically there");
        } catch (IOException | RuntimeException ex) {
            off(reason(ex));
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException | RuntimeException ignored) {
                    // a stray temporary file costs only space; entries are never read from it
                }
            }
        }
    }

    private void off(String why) {
        on = false;
        warn(why);
    }

    private Path entry(byte[] key) {
        return dir.resolve(HexFormat.of().formatHex(key));
    }

    static byte[] encode(byte[] key, byte[] out) {
        byte[] payload = out == null ? UNCHANGED : out;
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length + HASH);
        b.put(MAGIC).put(key).put(out == null ? KIND_UNCHANGED : KIND_TRANSFORMED).putInt(payload.length).put(payload);
        MessageDigest md = sha256();
        md.update(b.array(), 0, b.position());
        b.put(md.digest());
        return b.array();
    }

    /** The entry's output if it is whole and for key; null if not. */
    static byte[] decode(byte[] key, byte[] e) {
        if (e.length < HEADER + HASH) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(e);
        byte[] magic = new byte[MAGIC.length], k = new byte[KEY];
        b.get(magic).get(k);
        byte kind = b.get();
        int n = b.getInt();
        if (!Arrays.equals(magic, MAGIC) || !MessageDigest.isEqual(k, key) || n < 0 || n != e.length - HEADER - HASH
                || (kind != KIND_UNCHANGED && kind != KIND_TRANSFORMED) || (kind == KIND_UNCHANGED && n != 0)) {
            return null;
        }
        MessageDigest md = sha256();
        md.update(e, 0, HEADER + n);
        if (!MessageDigest.isEqual(md.digest(), Arrays.copyOfRange(e, HEADER + n, e.length))) {
            return null;
        }
        return kind == KIND_UNCHANGED ? UNCHANGED : Arrays.copyOfRange(e, HEADER, HEADER + n);
    }

    /** The first cache problem of the run, on stderr; the rest are silent. */
    private void warn(String why) {
        once(why + "; transforming without the cache");
    }

    private void once(String what) {
        if (warned.compareAndSet(false, true)) {
            System.err.println("gort-agent: cache " + dir + ": " + what);
        }
    }

    /** "N hits, M misses, ..." for gort.agent.cachestats. */
    String stats() {
        return "gort-agent: cache " + dir + ": " + hits + " hits, " + misses + " misses (" + damaged + " damaged), "
                + written + " written" + (on ? "" : ", off");
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        String kind = e.getClass().getSimpleName();
        return m == null ? kind : kind + " " + m;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** The agent's build: the SHA-256 of the file's bytes. */
    static byte[] hashFile(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (var in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    /**
     * The options that shape a transformed class: preemption checks (and whether
     * asyncpreemptoff drops the back-edge ones, from debug= or GODEBUG), blocking. Left
     * out: include/exclude (they choose which classes reach the instrumenter, not what it
     * writes), main= (in the key per class), and the options that do not touch bytecode
     * (maxprocs, debug's other settings, dump, trace, flight, pprof, cache).
     */
    static String optionsKey(Options o, boolean asyncPreemptOff) {
        return "prologue=" + o.prologue() + ",backedge=" + o.backedge() + ",blocking=" + o.blocking()
                + ",asyncpreemptoff=" + asyncPreemptOff;
    }
}
