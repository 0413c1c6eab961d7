package dev.gort.agent;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** cache=DIR's store: keys, intact reads only, atomic writes, and every bad input a warning. */
class TransformCacheTest {
    private static final byte[] BUILD = {1, 2, 3};
    private static final String OPTS = TransformCache.optionsKey(Options.parse(""), false);

    /** Runs body with stderr captured; returns what it printed. */
    private static String stderr(ThrowingRunnable body) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            body.run();
        } finally {
            System.setErr(err);
        }
        return buf.toString();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static Path entry(Path dir, TransformCache.Key key) {
        return dir.resolve(key.name());
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void missThenHitForTransformedAndUnchangedClasses() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache").resolve("c");
        String err = stderr(() -> {
            TransformCache c = TransformCache.open(dir, BUILD, OPTS);
            TransformCache.Key k1 = c.key(new byte[] {10, 11}, false), k2 = c.key(new byte[] {12}, false);
            assertNull(c.get(k1));
            c.put(k1, new byte[] {42, 43});
            c.put(k2, null);
            c.flush(10_000);
            assertArrayEquals(new byte[] {42, 43}, c.get(k1));
            assertSame(TransformCache.UNCHANGED, c.get(k2));
            assertEquals(2, c.hits.get());
            assertEquals(1, c.misses.get());
            // a second run (a new store on the same dir) hits too
            TransformCache again = TransformCache.open(dir, BUILD, OPTS);
            assertArrayEquals(new byte[] {42, 43}, again.get(again.key(new byte[] {10, 11}, false)));
        });
        assertEquals("", err);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals(2, files(dir).size(), "no temporary files left: " + files(dir));
    }

    /** A temporary file a dead JVM left is removed at open once it is an hour old; a young one is kept. */
    @Test
    void staleTemporaryFilesAreRemoved() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        Path stale = Files.write(dir.resolve(".tmp-1-2-3"), new byte[] {1}), young = Files.write(dir.resolve(".tmp-4-5-6"), new byte[] {1});
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
        assertTrue(TransformCache.open(dir, BUILD, OPTS).on());
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(young));
    }

    /** Without flush: the writer thread writes once puts pause. */
    @Test
    void theWriterThreadWritesWhenLoadingPauses() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key k = c.key(new byte[] {5, 6}, false);
        c.put(k, new byte[] {7});
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(entry(dir, k)) && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(entry(dir, k)), "written within 60 s");
        assertArrayEquals(new byte[] {7}, TransformCache.open(dir, BUILD, OPTS).get(k));
    }

    @Test
    void theKeyChangesWithTheBytesTheBuildTheOptionsAndMain() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        byte[] cls = {10, 11, 12};
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key k = c.key(cls, false);
        assertEquals(k.name(), TransformCache.open(dir, BUILD.clone(), OPTS).key(cls.clone(), false).name(), "deterministic");
        List<TransformCache.Key> others = List.of(c.key(new byte[] {10, 11, 13}, false), c.key(cls, true),
                TransformCache.open(dir, new byte[] {1, 2, 4}, OPTS).key(cls, false),
                TransformCache.open(dir, BUILD, TransformCache.optionsKey(Options.parse("preempt=prologue"), false)).key(cls, false),
                TransformCache.open(dir, BUILD, TransformCache.optionsKey(Options.parse("blocking=off"), false)).key(cls, false),
                TransformCache.open(dir, BUILD, TransformCache.optionsKey(Options.parse(""), true)).key(cls, false));
        for (TransformCache.Key o : others) {
            assertNotEquals(k.name(), o.name());
        }
        // options that do not shape the bytecode keep the key
        assertEquals(OPTS, TransformCache.optionsKey(Options.parse("maxprocs=3,include=a.*,dump=/tmp/x,cache=/tmp/y"), false));
        c.put(k, new byte[] {1});
        c.flush(10_000);
        TransformCache otherBuild = TransformCache.open(dir, new byte[] {9}, OPTS);
        assertNull(otherBuild.get(otherBuild.key(cls, false)), "another build misses");
    }

    @Test
    void aTamperedTruncatedOrForeignEntryIsIgnoredAndRewritten() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key k = c.key(new byte[] {1, 2, 3}, false), other = c.key(new byte[] {4}, false);
        byte[] good = TransformCache.encode(k, new byte[] {7, 8, 9});
        List<byte[]> bad = new ArrayList<>();
        byte[] flipped = good.clone();
        flipped[good.length - 6] ^= 1; // a payload byte
        bad.add(flipped);
        bad.add(java.util.Arrays.copyOf(good, good.length - 1)); // truncated
        bad.add(java.util.Arrays.copyOf(good, 10));
        bad.add(new byte[0]);
        bad.add(TransformCache.encode(other, new byte[] {7, 8, 9})); // whole, but another key's
        bad.add(TransformCache.encode(c.key(new byte[] {1, 2, 4}, false), new byte[] {7, 8, 9})); // another class of the same length
        bad.add(TransformCache.encode(c.key(new byte[] {1, 2, 3}, true), new byte[] {7, 8, 9})); // main=
        bad.add(TransformCache.encode(TransformCache.open(dir, new byte[] {9}, OPTS).key(new byte[] {1, 2, 3}, false),
                new byte[] {7, 8, 9})); // another build's
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        bad.add(longer);
        for (byte[] b : bad) {
            Files.write(entry(dir, k), b);
            TransformCache fresh = TransformCache.open(dir, BUILD, OPTS);
            String err = stderr(() -> {
                assertNull(fresh.get(k));
                assertNull(fresh.get(k));
                fresh.put(k, new byte[] {7, 8, 9});
                fresh.flush(10_000);
            });
            assertEquals(1, err.lines().count(), "warned once: " + err);
            assertTrue(err.startsWith("gort-agent: cache " + dir + ": entry " + k.name()), err);
            assertTrue(fresh.on(), "a damaged entry does not turn the cache off");
            assertArrayEquals(good, Files.readAllBytes(entry(dir, k)), "rewritten");
            assertArrayEquals(new byte[] {7, 8, 9}, fresh.get(k));
        }
        assertNull(TransformCache.decode(k, flipped));
    }

    private static Path pack(Path dir) {
        return dir.resolve(TransformPack.name(TransformCache.prefix(BUILD, OPTS)));
    }

    /** One run's entries go into the pack at exit; the next run reads them from there alone. */
    @Test
    void theNextRunReadsThePackWrittenAtExit() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key k1 = c.key(new byte[] {10, 11}, false), k2 = c.key(new byte[] {12}, false);
        c.put(k1, new byte[] {42, 43});
        c.put(k2, null);
        c.atExit(10_000);
        assertTrue(Files.exists(pack(dir)), "pack written: " + files(dir));
        // the entry files are not needed any more: delete them, the pack serves both
        Files.delete(entry(dir, k1));
        Files.delete(entry(dir, k2));
        TransformCache again = TransformCache.open(dir, BUILD, OPTS);
        assertArrayEquals(new byte[] {42, 43}, again.get(k1));
        assertSame(TransformCache.UNCHANGED, again.get(k2));
        assertEquals(2, again.hits.get());
        // a run that used only the pack leaves it as it was
        long before = Files.getLastModifiedTime(pack(dir)).toMillis();
        byte[] bytes = Files.readAllBytes(pack(dir));
        again.writePack();
        assertArrayEquals(bytes, Files.readAllBytes(pack(dir)));
        assertEquals(before, Files.getLastModifiedTime(pack(dir)).toMillis());
        // a run with a new class rewrites it with every entry that run used
        TransformCache third = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key k3 = third.key(new byte[] {13}, false);
        assertArrayEquals(new byte[] {42, 43}, third.get(k1));
        third.put(k3, new byte[] {44});
        third.atExit(10_000);
        Files.delete(entry(dir, k3));
        TransformCache fourth = TransformCache.open(dir, BUILD, OPTS);
        assertArrayEquals(new byte[] {42, 43}, fourth.get(k1));
        assertArrayEquals(new byte[] {44}, fourth.get(k3));
        assertNull(fourth.get(k2), "k2 was not used by the run that wrote this pack, and its file is gone");
        assertEquals(List.of(), files(dir).stream().filter(f -> f.getFileName().toString().startsWith(".tmp-")).toList());
    }

    /**
     * A damaged entry far longer than its class could need (in its file, or in a pack with
     * a matching checksum) is a damaged entry, read no further than that bound: it cannot
     * exhaust the heap of the JVM that is starting.
     */
    @Test
    void aHugeEntryIsDamagedWithoutBeingReadWhole() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key k = c.key(new byte[] {1, 2, 3}, false);
        byte[] huge = new byte[64 << 20];
        byte[] good = TransformCache.encode(k, new byte[] {7});
        System.arraycopy(good, 0, huge, 0, good.length);
        Files.write(entry(dir, k), huge);
        huge = null;
        TransformCache fresh = TransformCache.open(dir, BUILD, OPTS);
        long[] bytes = new long[1];
        String err = stderr(() -> {
            long before = allocated();
            assertNull(fresh.get(k));
            bytes[0] = allocated() - before;
        });
        assertTrue(bytes[0] < 16 << 20, "reading it allocated " + bytes[0] + " bytes");
        assertEquals(1, fresh.damaged.get());
        assertTrue(err.contains("is damaged or foreign"), err);
        assertTrue(TransformCache.maxEntry(k) < 2 << 20, "the bound for a 3-byte class: " + TransformCache.maxEntry(k));
    }

    /**
     * A warm start whose pack holds every class never lists DIR on the way in; at exit it
     * still removes an old temporary a killed JVM left (one as large as a pack, maybe).
     */
    @Test
    void aWarmRunRemovesStaleTemporariesAtExit() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key k = c.key(new byte[] {1, 2}, false);
        c.put(k, new byte[] {3});
        c.atExit(10_000);
        Path stale = Files.write(dir.resolve(".tmp-1-2-3"), new byte[] {1});
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
        TransformCache warm = TransformCache.open(dir, BUILD, OPTS);
        assertArrayEquals(new byte[] {3}, warm.get(k));
        assertTrue(Files.exists(stale), "not listed at start: the pack served everything");
        warm.atExit(10_000);
        assertFalse(Files.exists(stale), "removed at exit");
        assertEquals(1, warm.hits.get());
    }

    /** A damaged pack is one warning: its entries are misses (never a damaged class), and the pack is rewritten. */
    @Test
    void aDamagedPackIsIgnoredAndRewritten() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key k = c.key(new byte[] {1, 2, 3}, false);
        c.put(k, new byte[] {7, 8, 9});
        c.atExit(10_000);
        Files.delete(entry(dir, k));
        byte[] good = Files.readAllBytes(pack(dir));
        List<byte[]> bad = new ArrayList<>();
        // magic, prefix, the index's first name (only the index's checksum sees it: the name
        // is then just another key's), an offset, an entry's checksum
        for (int i : new int[] {0, 9, PACK_HEAD + 2, good.length / 2, good.length - 3}) {
            byte[] b = good.clone();
            b[i] ^= 1;
            bad.add(b);
        }
        bad.add(java.util.Arrays.copyOf(good, good.length - 1)); // truncated
        bad.add(java.util.Arrays.copyOf(good, 20));
        bad.add(new byte[0]);
        for (byte[] b : bad) {
            Files.write(pack(dir), b);
            TransformCache[] opened = new TransformCache[1];
            String err = stderr(() -> {
                TransformCache fresh = opened[0] = TransformCache.open(dir, BUILD, OPTS);
                assertNull(fresh.get(k), "never the damaged bytes");
                fresh.put(k, new byte[] {7, 8, 9});
                fresh.atExit(10_000);
            });
            assertEquals(1, err.lines().count(), "warned once: " + err);
            assertTrue(err.startsWith("gort-agent: cache " + dir + ": "), err);
            assertTrue(opened[0].on(), "a damaged pack does not turn the cache off");
            Files.delete(entry(dir, k));
            TransformCache next = TransformCache.open(dir, BUILD, OPTS);
            assertArrayEquals(new byte[] {7, 8, 9}, next.get(k), "the pack was rewritten");
        }
        // another build's pack is not read (its name differs, and so does its prefix)
        assertNotEquals(TransformPack.name(TransformCache.prefix(BUILD, OPTS)),
                TransformPack.name(TransformCache.prefix(new byte[] {9}, OPTS)));
    }

    /** A pack's magic, prefix, count and index length. */
    private static final int PACK_HEAD = 8 + 24 + 8;

    /** One row of a pack's index: offset is from the start of the entries unless absolute. */
    private record Row(String name, long offset, int length, boolean absolute) {
        Row(String name, long offset, int length) {
            this(name, offset, length, false);
        }
    }

    /**
     * A pack as a writer's bug or an adversary could make it: any count and rows, under a
     * checksum that matches (so only the pack's other checks stand between it and get).
     */
    private static byte[] rawPack(String magic, byte[] prefix, int count, List<Row> rows, byte[] entries) {
        int indexLength = rows.stream().mapToInt(r -> 1 + r.name().length() + 12).sum();
        long data = PACK_HEAD + indexLength + 4;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(PACK_HEAD + indexLength + 4 + entries.length);
        b.put(magic.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(prefix).putInt(count).putInt(indexLength);
        for (Row r : rows) {
            b.put((byte) r.name().length()).put(r.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .putLong(r.absolute() ? r.offset() : data + r.offset()).putInt(r.length());
        }
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b.array(), 0, b.position());
        b.putInt((int) c.getValue()).put(entries);
        return b.array();
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** Bytes the calling thread allocated so far (HotSpot's count). */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    /**
     * A pack whose index checksum matches but whose index cannot be right (a count beyond
     * what the index holds, an entry over the header or past the end, an offset whose end
     * overflows, another build's or format's pack under this one's name) is refused when
     * it is opened, in one warning naming it, without sizing anything by its count: its
     * entries are misses (nothing is read from it), and it is rewritten at exit.
     */
    @Test
    void aPackWhoseIndexCannotBeRightIsRefusedAtOpen() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        byte[] prefix = TransformCache.prefix(BUILD, OPTS);
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key k = c.key(new byte[] {1, 2, 3}, false);
        byte[] e = TransformCache.encode(k, new byte[] {7, 8, 9});
        String n = k.name();
        TransformCache other = TransformCache.open(dir, new byte[] {9}, OPTS);
        byte[] foreign = TransformCache.encode(other.key(new byte[] {1, 2, 3}, false), new byte[] {6});
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("a count of 2^29 + 1", rawPack("gortpak1", prefix, (1 << 29) + 1, List.of(new Row(n, 0, e.length)), e));
        bad.put("a count above the rows", rawPack("gortpak1", prefix, 2, List.of(new Row(n, 0, e.length)), e));
        bad.put("a count below the rows", rawPack("gortpak1", prefix, 1,
                List.of(new Row("x", 0, e.length), new Row(n, 0, e.length)), e));
        bad.put("an entry over the header", rawPack("gortpak1", prefix, 1, List.of(new Row(n, 0, e.length, true)), e));
        bad.put("an entry past the end", rawPack("gortpak1", prefix, 1, List.of(new Row(n, 1, e.length)), e));
        bad.put("a negative length", rawPack("gortpak1", prefix, 1, List.of(new Row(n, 0, -1)), e));
        bad.put("an end that overflows", rawPack("gortpak1", prefix, 1, List.of(new Row(n, Long.MAX_VALUE - 2, 10, true)), e));
        bad.put("another build's pack", rawPack("gortpak1", TransformCache.prefix(new byte[] {9}, OPTS), 1,
                List.of(new Row(n, 0, foreign.length)), foreign));
        bad.put("another format's pack", rawPack("gortpak0", prefix, 1, List.of(new Row(n, 0, e.length)), e));
        for (Map.Entry<String, byte[]> b : bad.entrySet()) {
            Files.write(pack(dir), b.getValue());
            TransformCache[] opened = new TransformCache[1];
            long[] bytes = new long[1];
            String err = stderr(() -> {
                long before = allocated();
                TransformCache fresh = opened[0] = TransformCache.open(dir, BUILD, OPTS);
                bytes[0] = allocated() - before;
                assertNull(fresh.get(k), b.getKey());
                fresh.put(k, new byte[] {7, 8, 9});
                fresh.atExit(10_000);
            });
            assertTrue(bytes[0] < 16 << 20, b.getKey() + ": opening allocated " + bytes[0] + " bytes");
            assertEquals(1, err.lines().count(), b.getKey() + ": warned once: " + err);
            assertTrue(err.startsWith("gort-agent: cache " + dir + ": " + pack(dir).getFileName() + ": "), b.getKey() + ": " + err);
            assertEquals(0, opened[0].damaged.get(), b.getKey() + ": refused at open, no entry read from it");
            assertTrue(opened[0].on(), b.getKey());
            Files.delete(entry(dir, k));
            TransformCache next = TransformCache.open(dir, BUILD, OPTS);
            assertArrayEquals(new byte[] {7, 8, 9}, next.get(k), b.getKey() + ": the pack was rewritten");
        }
    }

    /**
     * An index whose checksum matches but whose rows name the wrong entry (entry A's name on
     * class B's entry, of the same length; two names on one entry) serves neither wrong
     * class: decode compares the class bytes. One warning, a miss, and the right entry
     * rewritten.
     */
    @Test
    void aPackIndexNamingTheWrongEntryNeverServesIt() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        byte[] prefix = TransformCache.prefix(BUILD, OPTS);
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key a = c.key(new byte[] {1, 2, 3}, false), b = c.key(new byte[] {1, 2, 4}, false);
        byte[] ea = TransformCache.encode(a, new byte[] {7}), eb = TransformCache.encode(b, new byte[] {8});
        assertEquals(ea.length, eb.length);
        List<byte[]> packs = List.of(
                rawPack("gortpak1", prefix, 1, List.of(new Row(a.name(), 0, eb.length)), eb), // A's name, B's entry
                rawPack("gortpak1", prefix, 2, List.of(new Row(a.name(), ea.length, eb.length), new Row(b.name(), ea.length, eb.length)),
                        cat(ea, eb)), // both names on B's entry (A's is unreferenced)
                rawPack("gortpak1", prefix, 2, List.of(new Row(a.name(), 0, eb.length), new Row(b.name(), 0, eb.length)), eb));
        for (byte[] p : packs) {
            Files.write(pack(dir), p);
            TransformCache[] opened = new TransformCache[1];
            String err = stderr(() -> {
                TransformCache fresh = opened[0] = TransformCache.open(dir, BUILD, OPTS);
                assertNull(fresh.get(a), "never B's class for A");
                byte[] got = fresh.get(b);
                assertTrue(got == null || java.util.Arrays.equals(new byte[] {8}, got), "B's own, or a miss");
                fresh.put(a, new byte[] {7});
                fresh.atExit(10_000);
            });
            assertEquals(1, err.lines().count(), "warned once: " + err);
            assertTrue(err.contains("entry " + a.name() + " in the pack is damaged or foreign"), err);
            assertEquals(1, opened[0].damaged.get());
            Files.delete(entry(dir, a));
            assertArrayEquals(new byte[] {7}, TransformCache.open(dir, BUILD, OPTS).get(a), "the pack was rewritten");
        }
    }

    /**
     * Class-loading threads read one pack at once (one of them interrupted: a positioned
     * read on a FileChannel would close the channel for all), while another run replaces
     * the pack: every read is whole and the right class's, from the pack this run opened.
     */
    @Test
    void manyThreadsReadOnePackWhileAnotherRunReplacesIt() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        int keys = 64, threads = 4;
        byte[][] classes = new byte[keys][], outs = new byte[keys][];
        TransformCache first = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key[] ks = new TransformCache.Key[keys];
        for (int i = 0; i < keys; i++) {
            classes[i] = ("class " + i).getBytes();
            outs[i] = new byte[500 + i * 101];
            java.util.Arrays.fill(outs[i], (byte) i);
            ks[i] = first.key(classes[i], false);
            first.put(ks[i], outs[i]);
        }
        first.atExit(10_000);
        for (TransformCache.Key k : ks) {
            Files.delete(entry(dir, k)); // the pack alone serves
        }
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean interrupted = t == 0;
                int start = t * 17;
                fs.add(pool.submit((Callable<Integer>) () -> {
                    go.await();
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    int hits = 0;
                    for (int round = 0; round < 100; round++) {
                        for (int j = 0; j < keys; j++) {
                            int i = (start + j) % keys;
                            assertArrayEquals(outs[i], c.get(ks[i]));
                            hits++;
                        }
                    }
                    return hits;
                }));
            }
            String err = stderr(() -> {
                // another run with a class of its own writes a pack of it alone over this
                // one's: before this run reads (deterministic), and again while it reads
                replacePack(dir, (byte) 99);
                go.countDown();
                replacePack(dir, (byte) 98);
                for (Future<Integer> f : fs) {
                    assertEquals(100 * keys, f.get(120, TimeUnit.SECONDS));
                }
            });
            assertEquals("", err);
            assertEquals(0, c.damaged.get());
            assertEquals(0, c.misses.get());
        } finally {
            pool.shutdownNow();
        }
    }

    /** A run that uses one class of its own, b, alone: its pack replaces the one in dir. */
    private static void replacePack(Path dir, byte b) throws Exception {
        TransformCache other = TransformCache.open(dir, BUILD, OPTS);
        TransformCache.Key k = other.key(new byte[] {b}, false);
        other.put(k, new byte[] {b, b});
        other.atExit(10_000);
        try (TransformPack p = TransformPack.open(pack(dir).toString(), TransformCache.prefix(BUILD, OPTS))) {
            assertTrue(p.find(k.name()) != null && p.length(k.name()) > 0, "replaced");
        }
    }

    @Test
    void aFileInsteadOfADirectoryIsOneWarningAndNoCache() throws Exception {
        Path file = Files.createTempFile("gort-cache", ".txt");
        String err = stderr(() -> {
            TransformCache c = TransformCache.open(file, BUILD, OPTS);
            assertFalse(c.on());
            TransformCache.Key k = c.key(new byte[] {1}, false);
            assertNull(c.get(k));
            c.put(k, new byte[] {2});
            assertNull(c.get(k));
            // a path below a file cannot be created either
            assertFalse(TransformCache.open(file.resolve("sub"), BUILD, OPTS).on());
        });
        assertTrue(err.startsWith("gort-agent: cache " + file + ": not a directory; transforming without the cache\n"), err);
        assertEquals(2, err.lines().count(), err);
        assertTrue(err.lines().toList().get(1).endsWith("; transforming without the cache"), err);
        assertEquals(0, Files.size(file));
    }

    @Test
    void aDirectoryOthersCanWriteIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        String err = stderr(() -> assertFalse(TransformCache.open(dir, BUILD, OPTS).on()));
        assertTrue(err.contains("writable by group or others"), err);
    }

    @Test
    void anUnwritableDirectoryIsOneWarningAndNoCache() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        try {
            assumeFalse(Files.isWritable(dir), "running as root: a mode 500 directory is still writable");
            String err = stderr(() -> assertFalse(TransformCache.open(dir, BUILD, OPTS).on()));
            assertTrue(err.contains(": not writable; transforming without the cache"), err);
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** A write that fails (the directory gone, full, turned read-only) turns the cache off after one warning. */
    @Test
    void aWriteThatFailsTurnsTheCacheOff() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        TransformCache c = TransformCache.open(dir, BUILD, OPTS);
        Files.delete(dir);
        Files.writeString(dir, "now a file");
        String err = stderr(() -> {
            c.put(c.key(new byte[] {1}, false), new byte[] {2});
            c.flush(10_000);
            c.put(c.key(new byte[] {3}, false), new byte[] {4});
            c.flush(10_000);
            assertFalse(c.on());
            assertNull(c.get(c.key(new byte[] {1}, false)));
        });
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("gort-agent: cache " + dir + ": ") && err.contains("; transforming without the cache"), err);
        assertEquals("now a file", Files.readString(dir));
    }

    /** Writers racing on the same keys: every read is whole and right, whatever interleaving. */
    @Test
    void concurrentWritersAndReadersOnlyEverSeeWholeEntries() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        int threads = 4, keys = 50;
        byte[][] classes = new byte[keys][];
        byte[][] outs = new byte[keys][];
        for (int i = 0; i < keys; i++) {
            classes[i] = ("class " + i).getBytes();
            outs[i] = new byte[1000 + i * 37];
            java.util.Arrays.fill(outs[i], (byte) i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit((Callable<Integer>) () -> {
                    go.await();
                    int hits = 0;
                    for (int round = 0; round < 20; round++) {
                        TransformCache c = TransformCache.open(dir, BUILD, OPTS); // a new "JVM" each round
                        for (int i = 0; i < keys; i++) {
                            TransformCache.Key k = c.key(classes[i], false);
                            byte[] got = c.get(k);
                            if (got != null) {
                                assertArrayEquals(outs[i], got);
                                hits++;
                            }
                            c.put(k, outs[i]);
                        }
                        c.flush(60_000); // rewrites every entry while the others read them
                        assertTrue(c.on());
                        assertEquals(0, c.damaged.get());
                    }
                    return hits;
                }));
            }
            String err = stderr(() -> {
                go.countDown();
                for (Future<Integer> f : fs) {
                    assertTrue(f.get(120, TimeUnit.SECONDS) > 0);
                }
            });
            assertEquals("", err);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(keys, files(dir).size(), "entries only, no temporary files: " + files(dir));
    }
}
