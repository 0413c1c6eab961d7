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
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The agent's {@code cache=DIR} (docs/api.md, "The java agent"): transformed class files
 * kept across runs, so that a warm start skips ASM (whose cold run is most of the agent's
 * start-up cost, bench/RESULTS.md) and only reads one small file per class.
 *
 * <p><b>Key.</b> The agent's build (a fingerprint of its jar's bytes: every build is
 * 0.1.0-SNAPSHOT, so the version string says nothing), the options that shape the output
 * ({@link #optionsKey}), whether the class is the {@code main=goroutine} class, and the class
 * file's bytes. The output is a function of these alone: the instrumenter reads nothing but
 * the class file (no class loading, no frames computed from the hierarchy), so neither the
 * class's name nor its loader is part of it. The build and options make one 24-byte
 * {@code prefix} at start (the length, CRC32C and CRC32 of each); an entry is named by
 * CRC32C and CRC32 of the prefix and the class bytes, and holds the prefix and the class
 * bytes themselves, compared exactly on read: a hit is never a collision, whatever the name.
 *
 * <p>Rejected: a SHA-256 of each class file as the key, and of the whole jar as the build.
 * At start SHA-256 runs interpreted (its intrinsic needs C2): 60 ms for the 700 KB jar and
 * 50 ms for H2's 540 start-up classes, a third of the time a warm cache exists to save,
 * against 3 ms and 0.2 ms for the CRCs (intrinsics in the interpreter too). The jar's
 * fingerprint is its length, CRC32C and CRC32: two builds that differ yet agree on all three
 * are a 2^-64 accident, not a risk worth 60 ms per start. Even one SHA-256 of the build and
 * options at start cost ~10 ms of a warm start: {@code MessageDigest.getInstance} loads the
 * JDK's security providers and reads their configuration. The options key gets the jar's
 * treatment instead.
 *
 * <p>Also kept off a warm start: the process id in temporary files' names (looked up at
 * the first write: {@code ProcessHandle} costs a few ms to start), and string
 * concatenation by {@code invokedynamic} (the agent is compiled with
 * {@code -XDstringConcat=inline}: each call site's bootstrap costs more at start than all
 * its later uses).
 *
 * <p><b>Entries.</b> One file per key: a magic, the prefix, main, a kind (transformed, or
 * unchanged: the next start skips the analysis too), the lengths, the class bytes, the
 * output, and a CRC32C of everything before it. A read that finds anything else (short,
 * tampered, another key's) is a miss: the class is transformed and the entry rewritten; a
 * damaged class is never returned. Writes go to a temporary file in DIR, moved over the
 * entry with {@code ATOMIC_MOVE}, so a reader (another JVM filling the same cache) sees
 * the whole old entry or the whole new one; two writers of one key write the same bytes.
 * A writer thread does the writing, off the class-loading thread ({@link #put}). An entry
 * longer than its class could need is damaged and never read whole ({@link #maxEntry}).
 *
 * <p><b>Pack.</b> At exit, the entries a run used also go into one file, which the next
 * start reads instead of one file per class ({@link TransformPack}, {@link #writePack}).
 * Its entries are checked as the files' are; DIR itself is listed only when a class is
 * looked up outside the pack, or at exit.
 *
 * <p><b>Trust.</b> The checksum catches damage, not an adversary (who could recompute any
 * hash): the protection is that DIR is the user's own. It is created {@code rwx------}, and
 * an existing DIR that group or others can write is refused.
 *
 * <p><b>Failures.</b> No cache problem stops the JVM or fails a class: the first one is
 * one line on stderr ({@code gort-agent: cache DIR: reason; transforming without the
 * cache}); a problem with DIR itself (not a directory, unwritable, full) turns the cache
 * off for the rest of the run, a damaged entry only costs that class its hit.
 */
final class TransformCache {
    /** What {@link #get} returns for a class the agent leaves as it was. */
    static final byte[] UNCHANGED = new byte[0];

    private static final byte[] MAGIC = "gortcls3".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int PREFIX = 24, CHECK = 4;
    /** magic, prefix, main, kind, class length, output length. */
    private static final int HEADER = MAGIC.length + PREFIX + 1 + 1 + 4 + 4;
    private static final byte KIND_UNCHANGED = 0, KIND_TRANSFORMED = 1;

    /** One class's key: its entry's file name, and what the entry must hold to be a hit. */
    record Key(String name, byte[] prefix, boolean isMain, byte[] classfile) {}

    private final Path dir;
    private final String dirName; // dir + '/', for java.io
    private String tmpPrefix; // made at the first write (writeLock)
    private final Object writeLock = new Object();
    private final AtomicInteger temps = new AtomicInteger();
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger(); // queued or being written
    private final AtomicBoolean writer = new AtomicBoolean(); // running
    private final AtomicInteger puts = new AtomicInteger();
    /**
     * The entries in DIR at open, and those written since: a class without one is a miss
     * without a system call (a FileNotFoundException per class cost a cold H2 start 30-40
     * ms). An entry another JVM writes meanwhile is a miss this run.
     */
    private final Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean listed; // names holds DIR's listing (list())
    private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong(); // bytes
    private final byte[] prefix;
    /** The pack of the last run's entries ({@link TransformPack}); null if none or unusable. */
    private volatile TransformPack pack;
    /**
     * The names of the entries this run used (hits and puts), in order, each once: the next
     * pack. The value says where the entry was read from: the pack (true) or its file.
     */
    private final java.util.Map<String, Boolean> used = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    /** Whether this run used an entry the pack lacks (or the pack is unusable): then a new pack is written at exit. */
    private volatile boolean packStale;
    private volatile boolean on;
    private final AtomicBoolean warned = new AtomicBoolean();
    final AtomicInteger hits = new AtomicInteger(), misses = new AtomicInteger(), written = new AtomicInteger(),
            damaged = new AtomicInteger();

    private TransformCache(Path dir, byte[] prefix) {
        this.dir = dir;
        this.dirName = dir.toString() + java.io.File.separator;
        this.prefix = prefix;
    }

    /**
     * Opens (creating) the cache in dir for an agent build and options key. Never throws: a
     * dir it cannot use gives a cache that is off, after the one warning.
     */
    static TransformCache open(Path dir, byte[] build, String optionsKey) {
        TransformCache c = new TransformCache(dir, prefix(build, optionsKey));
        String problem = prepare(dir);
        if (problem != null) {
            c.warn(problem);
            return c;
        }
        c.on = true;
        c.openPack();
        if (c.pack == null) {
            c.list(); // every class will be looked up among the files
        }
        return c;
    }

    private void openPack() {
        String name = TransformPack.name(prefix);
        try {
            pack = TransformPack.open(dirName + name, prefix);
        } catch (IOException | RuntimeException e) {
            packStale = true;
            once(name + ": " + reason(e) + "; reading the entries one by one, and rewriting it");
        }
    }

    /**
     * Lists DIR into {@link #names}, once, when a class is first looked up outside the pack
     * (a warm start whose pack holds every class never lists DIR: 540 names for H2).
     */
    private void list() {
        if (listed) {
            return;
        }
        synchronized (names) {
            if (listed) {
                return;
            }
            String[] all = new java.io.File(dir.toString()).list();
            if (all == null) {
                off("cannot list it");
            } else {
                names.addAll(Arrays.asList(all));
                removeStaleTemporaries(dir, all);
            }
            listed = true;
        }
    }

    /**
     * Temporary files a JVM left when it died mid-write, once they are an hour old (a
     * younger one may be another JVM's, being written). Best effort: entries are never read
     * from them.
     */
    private static void removeStaleTemporaries(Path dir, String[] names) {
        long old = System.currentTimeMillis() - 3_600_000;
        for (String n : names) {
            if (n.startsWith(".tmp-")) {
                java.io.File f = new java.io.File(dir.toString(), n);
                if (f.lastModified() < old) {
                    f.delete();
                }
            }
        }
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

    /** The key of one class file. */
    Key key(byte[] classfile, boolean isMain) {
        CRC32C c = new CRC32C();
        c.update(prefix);
        c.update(isMain ? 1 : 0);
        c.update(classfile);
        CRC32 d = new CRC32();
        d.update(classfile);
        String name = hex8((int) c.getValue()) + hex8((int) d.getValue()) + "-" + Integer.toHexString(classfile.length);
        return new Key(name, prefix, isMain, classfile);
    }

    private static String hex8(int v) {
        char[] c = new char[8];
        for (int i = 7; i >= 0; i--, v >>>= 4) {
            c[i] = Character.forDigit(v & 0xf, 16);
        }
        return new String(c);
    }

    /**
     * The cached output for key: the transformed class file, {@link #UNCHANGED}, or null on
     * a miss (no entry, a damaged one, or the cache is off).
     */
    byte[] get(Key key) {
        if (!on) {
            return null;
        }
        TransformPack p = pack;
        long[] inPack = p == null ? null : p.find(key.name());
        boolean packed = inPack != null;
        if (!packed) {
            list();
        }
        if (!packed && !names.contains(key.name())) {
            misses.incrementAndGet();
            return null;
        }
        byte[] e;
        try {
            e = packed ? p.read(inPack, maxEntry(key)) : read(key);
        } catch (NoSuchFileException | java.io.FileNotFoundException ex) {
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
            once("entry " + entry(key).getFileName() + (packed ? " in the pack" : "") + " is damaged or foreign;"
                    + " transforming its class again and rewriting the entry");
            return null;
        }
        hits.incrementAndGet();
        used(key.name(), packed);
        return out;
    }

    private void used(String name, boolean packed) {
        used.putIfAbsent(name, packed);
        if (!packed) {
            packStale = true;
        }
    }

    /**
     * Stores out (null: the class is left unchanged) under key; never throws. The file is
     * written later by a writer thread: creating and renaming a file costs ~250 us here
     * (H2's 540: 250 ms, a fifth of a cold start). The writer is not woken per entry: each
     * wake-up preempted the loading thread (the scheduler runs the woken thread first), which
     * cost the loading thread 150-200 ms over H2's start. It writes once class loading pauses
     * ({@link #QUIET_MILLIS} without a new entry) or the queue holds {@link #MAX_QUEUED} bytes;
     * {@link #flush} (at exit) writes what is still queued.
     */
    void put(Key key, byte[] out) {
        if (!on) {
            return;
        }
        byte[] e = encode(key, out);
        used(key.name(), false);
        pending.incrementAndGet();
        queued.addAndGet(e.length);
        puts.incrementAndGet();
        queue.add(new Pending(key.name(), e));
        if (writer.compareAndSet(false, true)) {
            Thread t = new Thread(this::writeLoop, "gort-agent cache writer");
            t.setDaemon(true);
            t.start();
        }
    }

    static final long QUIET_MILLIS = 100;
    static final long MAX_QUEUED = 32 << 20;
    /** The writer thread ends after this many quiet rounds with nothing queued (a later put starts another). */
    private static final int IDLE_ROUNDS = 10;

    private record Pending(String name, byte[] entry) {}

    private void writeLoop() {
        int seen = -1, idle = 0;
        for (;;) {
            java.util.concurrent.locks.LockSupport.parkNanos(QUIET_MILLIS * 1_000_000);
            int now = puts.get();
            if (now != seen && queued.get() < MAX_QUEUED) {
                seen = now; // still loading: wait for a pause
                idle = 0;
                continue;
            }
            boolean wrote = false;
            for (Pending p; (p = queue.poll()) != null; wrote = true) {
                writeOne(p);
            }
            if (!wrote && ++idle >= IDLE_ROUNDS) {
                writer.set(false);
                if (queue.isEmpty() || !writer.compareAndSet(false, true)) {
                    return;
                }
            }
        }
    }

    /**
     * Writes every queued entry, and waits (up to timeoutMillis) for the one the writer
     * thread may be writing. At exit, and for tests.
     */
    void flush(long timeoutMillis) {
        for (Pending p; (p = queue.poll()) != null; ) {
            writeOne(p);
        }
        long end = System.nanoTime() + timeoutMillis * 1_000_000;
        synchronized (pending) {
            while (pending.get() > 0 && System.nanoTime() < end) {
                try {
                    pending.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** What the agent does with the cache at exit: {@link #flush}, then {@link #writePack}. */
    void atExit(long timeoutMillis) {
        flush(timeoutMillis);
        writePack();
    }

    /**
     * At exit, after {@link #flush}: if this run used an entry the pack lacks, writes a new
     * pack of every entry it used ({@link TransformPack}), atomically. Never throws; a
     * failure is one warning, and the entry files still serve the next run. Either way DIR
     * is listed by then, so a warm start that never listed it still removes the
     * temporaries a killed JVM left ({@link #removeStaleTemporaries}).
     */
    void writePack() {
        if (!on) {
            return;
        }
        list(); // if the start did not: it also removes stale temporaries, off the start's path
        if (!packStale) {
            return;
        }
        TransformPack p = pack;
        java.util.List<TransformPack.Source> entries = new java.util.ArrayList<>();
        java.util.List<java.util.Map.Entry<String, Boolean>> list;
        synchronized (used) {
            list = new java.util.ArrayList<>(used.entrySet());
        }
        for (java.util.Map.Entry<String, Boolean> u : list) {
            String name = u.getKey();
            int inPack = p == null || !u.getValue() ? -1 : p.length(name);
            if (inPack >= 0) {
                entries.add(new PackSource(name, inPack, () -> p.read(name, Integer.MAX_VALUE)));
            } else if (names.contains(name)) {
                java.io.File f = new java.io.File(dirName + name);
                long n = f.length();
                if (n > 0 && n < Integer.MAX_VALUE) {
                    entries.add(new PackSource(name, (int) n, () -> java.nio.file.Files.readAllBytes(f.toPath())));
                }
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        Path tmp = dir.resolve(tmpPrefix() + temps.incrementAndGet());
        try {
            try (java.io.OutputStream o = new java.io.BufferedOutputStream(
                    Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16)) {
                TransformPack.write(o, prefix, entries);
            }
            closePack(); // read from no more; and a file held open cannot be replaced on every OS
            Files.move(tmp, dir.resolve(TransformPack.name(prefix)), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException | RuntimeException ex) {
            once("cannot write the pack: " + reason(ex));
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException | RuntimeException ignored) {
                    // a stray temporary file costs only space
                }
            }
        }
    }

    /** Stops reading the pack (at exit, before it is replaced); a class loaded later reads its file. */
    private void closePack() {
        TransformPack p = pack;
        pack = null;
        if (p != null) {
            try {
                p.close();
            } catch (IOException ignored) {
                // only a file descriptor, and the JVM is exiting
            }
        }
    }

    private interface Bytes {
        byte[] get() throws IOException;
    }

    private record PackSource(String name, int length, Bytes reader) implements TransformPack.Source {
        @Override
        public byte[] bytes() throws IOException {
            return reader.get();
        }
    }

    private void writeOne(Pending p) {
        queued.addAndGet(-p.entry().length);
        try {
            if (on) {
                write(p);
            }
        } finally {
            if (pending.decrementAndGet() == 0) {
                synchronized (pending) {
                    pending.notifyAll();
                }
            }
        }
    }

    private String tmpPrefix() {
        synchronized (writeLock) {
            if (tmpPrefix == null) {
                tmpPrefix = ".tmp-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()) + "-";
            }
            return tmpPrefix;
        }
    }

    private void write(Pending p) {
        Path tmp = null;
        try {
            // Not Files.createTempFile: its SecureRandom names cost a cold JVM more than the
            // writes. pid, start time and a counter are unique on this host; CREATE_NEW makes
            // a clash (a shared file system) an error, not a shared file.
            tmp = dir.resolve(tmpPrefix() + temps.incrementAndGet());
            try (java.io.OutputStream o = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                o.write(p.entry());
            } catch (IOException ex) {
                if (ex instanceof FileAlreadyExistsException) {
                    tmp = null; // someone else's
                }
                throw ex;
            }
            Files.move(tmp, dir.resolve(p.name()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            names.add(p.name());
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

    /**
     * The entry's bytes. java.io rather than Files.readAllBytes: at start its path is warm
     * (the JDK's own class loading uses it): H2's 540 entries took 38 ms to read and check
     * through NIO, 22 ms through FileInputStream.
     */
    private byte[] read(Key key) throws IOException {
        try (java.io.FileInputStream in = new java.io.FileInputStream(dirName + key.name())) {
            return in.readNBytes(maxEntry(key) + 1); // longer: decode finds it damaged
        }
    }

    /**
     * The longest entry key's class can have: its class file and an output at most 8 times
     * as long plus 1 MB (the instrumenter adds a few bytes per method, loop and call site).
     * A damaged entry claiming more is never read whole, so it cannot exhaust the heap.
     */
    static int maxEntry(Key key) {
        long n = key.classfile().length;
        return (int) Math.min(Integer.MAX_VALUE - 16, HEADER + CHECK + 9 * n + (1 << 20));
    }

    private Path entry(Key key) {
        return dir.resolve(key.name());
    }

    static byte[] encode(Key key, byte[] out) {
        byte[] payload = out == null ? UNCHANGED : out;
        ByteBuffer b = ByteBuffer.allocate(HEADER + key.classfile().length + payload.length + CHECK);
        b.put(MAGIC).put(key.prefix()).put((byte) (key.isMain() ? 1 : 0)).put(out == null ? KIND_UNCHANGED : KIND_TRANSFORMED)
                .putInt(key.classfile().length).putInt(payload.length).put(key.classfile()).put(payload);
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, b.position());
        b.putInt((int) c.getValue());
        return b.array();
    }

    /** The entry's output if it is whole and for key (the same prefix, main and class bytes); null if not. */
    static byte[] decode(Key key, byte[] e) {
        if (e.length < HEADER + CHECK) {
            return null;
        }
        // Plain array reads, not a ByteBuffer: at start this runs interpreted, 540 times for H2.
        int at = MAGIC.length + PREFIX;
        byte main = e[at], kind = e[at + 1];
        int n = intAt(e, at + 2), m = intAt(e, at + 6);
        int len = key.classfile().length;
        if (!Arrays.equals(e, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                || !Arrays.equals(e, MAGIC.length, MAGIC.length + PREFIX, key.prefix(), 0, PREFIX) || main != (key.isMain() ? 1 : 0)
                || n != len || m < 0 || (long) HEADER + n + m + CHECK != e.length
                || (kind != KIND_UNCHANGED && kind != KIND_TRANSFORMED) || (kind == KIND_UNCHANGED && m != 0)) {
            return null;
        }
        CRC32C c = new CRC32C();
        c.update(e, 0, HEADER + n + m);
        if ((int) c.getValue() != intAt(e, HEADER + n + m)
                || !Arrays.equals(e, HEADER, HEADER + n, key.classfile(), 0, len)) {
            return null;
        }
        return kind == KIND_UNCHANGED ? UNCHANGED : Arrays.copyOfRange(e, HEADER + n, HEADER + n + m);
    }

    /** The big-endian int at e[i..i+3] (as ByteBuffer writes it). */
    private static int intAt(byte[] e, int i) {
        return (e[i] & 0xff) << 24 | (e[i + 1] & 0xff) << 16 | (e[i + 2] & 0xff) << 8 | (e[i + 3] & 0xff);
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

    /**
     * The entries' prefix: the build's and the options key's lengths, CRC32Cs and CRC32s
     * (the build is itself a fingerprint, {@link #fingerprint}).
     */
    static byte[] prefix(byte[] build, String optionsKey) {
        ByteBuffer b = ByteBuffer.allocate(PREFIX);
        crcs(b, build);
        crcs(b, optionsKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return b.array();
    }

    private static void crcs(ByteBuffer b, byte[] bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes);
        CRC32 d = new CRC32();
        d.update(bytes);
        b.putInt(bytes.length).putInt((int) c.getValue()).putInt((int) d.getValue());
    }

    /**
     * The agent's build: the jar's length, CRC32C and CRC32 (see the class comment for why
     * not SHA-256). Read through java.io, whose path is warm at start: 2.4 ms for the 700 KB
     * jar here, against 5.2 ms through {@code Files.newInputStream}.
     */
    static byte[] fingerprint(java.io.File file) throws IOException {
        CRC32C c = new CRC32C();
        CRC32 d = new CRC32();
        long n = 0;
        byte[] buf = new byte[1 << 18];
        try (java.io.FileInputStream in = new java.io.FileInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; n += r) {
                c.update(buf, 0, r);
                d.update(buf, 0, r);
            }
        }
        return ByteBuffer.allocate(16).putLong(n).putInt((int) c.getValue()).putInt((int) d.getValue()).array();
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
