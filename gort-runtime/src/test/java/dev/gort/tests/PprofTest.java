package dev.gort.tests;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.pprof.Pprof;
import dev.gort.sync.Mutex;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The goroutine profile (Go's runtime/pprof "goroutine"): exact counts and wait reasons of
 * goroutines parked at known places, creation sites across nested creation, the proto read
 * by Go's own pprof, and capture under churn.
 */
class PprofTest {
    private static final Pattern HEADER = Pattern.compile("(?m)^goroutine (\\d+) \\[([^\\]]*)\\]:$");

    static String profile(int debug) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Pprof.lookup("goroutine").writeTo(out, debug);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** goid -> the goroutine's block of text, from a debug=2 profile; fails on a goid seen twice. */
    static Map<Long, String> goroutines(String text) {
        Map<Long, String> byId = new HashMap<>();
        for (String block : text.split("\n\n")) {
            Matcher m = HEADER.matcher(block);
            assertTrue(m.find() && m.start() == 0, () -> "a goroutine block starts with its header: " + block + "\n--- in ---\n" + text);
            long id = Long.parseLong(m.group(1));
            assertNull(byId.put(id, block), () -> "goroutine " + id + " reported twice:\n" + text);
        }
        return byId;
    }

    static void blockedReceiving(Chan<Integer> c) {
        c.recv();
    }

    static void blockedSending(Chan<Integer> c) {
        c.send(1);
    }

    static void blockedInSelect(Chan<Integer> a, Chan<Integer> b) {
        Select.select(Select.recv(a, null), Select.recv(b, null));
    }

    static void blockedLocking(Mutex mu) {
        mu.lock();
    }

    /** The state in a goroutine block's header. */
    static String state(String block) {
        Matcher m = HEADER.matcher(block);
        assertTrue(m.find(), block);
        return m.group(2);
    }

    /**
     * Polls (10 s) until the debug=2 profile has, for each marker, the given number of
     * goroutines whose block contains it (other test classes may leave goroutines behind:
     * the profile, like Go's, is the whole JVM's), counting only blocked ones (a goroutine
     * may be on its way to its park still: running, linking its first call). Returns the last
     * profile.
     */
    static String await(Map<String, Integer> want) {
        return await(want, true);
    }

    /** As {@link #await(Map)}; with {@code parked}, only goroutines blocked (not running or runnable) count. */
    static String await(Map<String, Integer> want, boolean parked) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (;;) {
            String text = profile(2);
            Map<Long, String> gs = goroutines(text);
            boolean ok = true;
            for (var e : want.entrySet()) {
                long n = gs.values().stream().filter(b -> b.contains(e.getKey())
                        && !(parked && (state(b).equals("running") || state(b).equals("runnable")))).count();
                ok &= n == e.getValue();
            }
            if (ok || System.nanoTime() > deadline) {
                return text;
            }
            Gort.gosched();
        }
    }

    @Test
    void exactCountsAndWaitReasonsOfParkedGoroutines() {
        Gort.run(() -> {
            Chan<Integer> never = Chan.make();
            Chan<Integer> sendTo = Chan.make();
            Chan<Integer> sa = Chan.make();
            Mutex mu = new Mutex();
            mu.lock();
            for (int i = 0; i < 3; i++) {
                Gort.go(() -> blockedReceiving(never));
            }
            for (int i = 0; i < 2; i++) {
                Gort.go(() -> blockedSending(sendTo));
            }
            Gort.go(() -> blockedInSelect(sa, Chan.make()));
            Gort.go(() -> blockedLocking(mu));
            Map<String, String> stateOf = Map.of(
                    "dev.gort.tests.PprofTest.blockedReceiving(...)\n\tPprofTest.java:", "chan receive",
                    "dev.gort.tests.PprofTest.blockedSending(...)\n\tPprofTest.java:", "chan send",
                    "dev.gort.tests.PprofTest.blockedInSelect(...)\n\tPprofTest.java:", "select",
                    "dev.gort.tests.PprofTest.blockedLocking(...)\n\tPprofTest.java:", "sync.Mutex.Lock");
            Map<String, Integer> want = Map.of(
                    "dev.gort.tests.PprofTest.blockedReceiving(...)\n\tPprofTest.java:", 3,
                    "dev.gort.tests.PprofTest.blockedSending(...)\n\tPprofTest.java:", 2,
                    "dev.gort.tests.PprofTest.blockedInSelect(...)\n\tPprofTest.java:", 1,
                    "dev.gort.tests.PprofTest.blockedLocking(...)\n\tPprofTest.java:", 1);
            String text = await(want);
            Map<Long, String> gs = goroutines(text);
            assertTrue(text.startsWith("goroutine " + Gort.goid() + " [running]:\n"), "the caller first, running:\n" + text);
            assertTrue(gs.get(Gort.goid()).contains("dev.gort.tests.PprofTest.lambda$exactCountsAndWaitReasonsOfParkedGoroutines$"), text);
            Map<String, Integer> found = new HashMap<>();
            for (String b : gs.values()) {
                for (var e : stateOf.entrySet()) {
                    if (b.contains(e.getKey())) {
                        found.merge(e.getKey(), 1, Integer::sum);
                        assertEquals(e.getValue(), state(b), b);
                        assertFalse(b.contains("dev.gort.runtime."), b);
                        assertTrue(b.contains("\ncreated by dev.gort.tests.PprofTest.lambda$exactCountsAndWaitReasonsOfParkedGoroutines$")
                                && b.contains(" in goroutine " + Gort.goid() + "\n\tPprofTest.java:"), b);
                    }
                }
            }
            assertEquals(want, found, text);

            String counts = profile(1);
            Matcher total = Pattern.compile("^goroutine profile: total (\\d+)\n").matcher(counts);
            assertTrue(total.find(), counts);
            int sum = 0;
            Matcher sample = Pattern.compile("(?m)^(\\d+) @( 0x[0-9a-f]+)+$").matcher(counts);
            while (sample.find()) {
                sum += Integer.parseInt(sample.group(1));
            }
            assertEquals(Integer.parseInt(total.group(1)), sum, counts);
            assertTrue(sum >= 8, counts);
            assertTrue(Pattern.compile("(?m)^3 @( 0x[0-9a-f]+)+\n#\t0x[0-9a-f]+\t+dev\\.gort\\.Chan\\.recv\\+0x0\t+Chan\\.java:\\d+\n"
                    + "#\t0x[0-9a-f]+\t+dev\\.gort\\.tests\\.PprofTest\\.blockedReceiving\\+0x0\t+PprofTest\\.java:\\d+\n").matcher(counts).find(), counts);
            assertTrue(Pattern.compile("(?m)^2 @( 0x[0-9a-f]+)+\n#\t0x[0-9a-f]+\t+dev\\.gort\\.Chan\\.send\\+0x0").matcher(counts).find(), counts);
            assertTrue(Gort.numGoroutine() >= 8);
            assertTrue(Pprof.lookup("goroutine").count() >= 8);
            // let them all go
            mu.unlock();
            never.close();
            sendTo.recv();
            sendTo.recv();
            sa.close();
        });
    }

    @Test
    void createdByNamesTheCreatorAcrossNestedCreation() {
        Gort.run(() -> {
            Chan<Long> ids = Chan.make(2);
            Chan<Integer> never = Chan.make();
            long main = Gort.goid();
            Gort.go(() -> outer(ids, never));
            long outer = ids.recv();
            long inner = ids.recv();
            String text = await(Map.of("dev.gort.tests.PprofTest.outer(...)", 1, "dev.gort.tests.PprofTest.inner(...)", 1));
            Map<Long, String> gs = goroutines(text);
            String o = gs.get(outer);
            String i = gs.get(inner);
            assertNotNull(o, text);
            assertNotNull(i, text);
            assertTrue(o.contains("\ncreated by dev.gort.tests.PprofTest.lambda$createdByNamesTheCreatorAcrossNestedCreation$")
                    && (o + "\n").contains(" in goroutine " + main + "\n\tPprofTest.java:" + lineOf("Gort.go(() -> outer(ids, never));") + "\n"), o);
            assertTrue((i + "\n").contains("\ncreated by dev.gort.tests.PprofTest.outer in goroutine " + outer
                    + "\n\tPprofTest.java:" + lineOf("Gort.go(() -> inner(ids, never));") + "\n"), i);
            assertTrue(i.contains("dev.gort.tests.PprofTest.inner(...)\n"), i);
            assertFalse(gs.get(main).contains("created by"), "a run's main goroutine has no creator, as Go's main");
            never.close();
        });
    }

    /**
     * WaitGroup.go starts the goroutine itself (Go 1.25's WaitGroup.Go): it is the creator,
     * as Go prints "created by sync.(*WaitGroup).Go", whoever called it first (its lambda
     * class is shared by every caller).
     */
    @Test
    void waitGroupGoIsTheCreatorOfItsGoroutines() {
        Gort.run(() -> {
            Chan<Long> ids = Chan.make(2);
            Chan<Integer> never = Chan.make();
            dev.gort.sync.WaitGroup wg = new dev.gort.sync.WaitGroup();
            wg.go(() -> {
                ids.send(Gort.goid());
                blockedReceiving(never);
            });
            long id = ids.recv();
            String text = await(Map.of("dev.gort.tests.PprofTest.blockedReceiving(...)", 1));
            String g = goroutines(text).get(id);
            assertNotNull(g, text);
            assertTrue(g.contains("\ncreated by dev.gort.sync.WaitGroup.go in goroutine " + Gort.goid() + "\n"), g);
            never.close();
            wg.await();
        });
    }

    static void outer(Chan<Long> ids, Chan<Integer> never) {
        ids.send(Gort.goid());
        Gort.go(() -> inner(ids, never));
        never.recv();
    }

    static void inner(Chan<Long> ids, Chan<Integer> never) {
        ids.send(Gort.goid());
        never.recv();
    }

    /** The line of this file's source that contains s (the test's own source). */
    static int lineOf(String s) {
        try {
            List<String> lines = Files.readAllLines(Path.of("src/test/java/dev/gort/tests/PprofTest.java"));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(s) && !lines.get(i).contains("lineOf(")) {
                    return i + 1;
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no line has " + s);
    }

    @Test
    void deadlockReportsNameEachGoroutinesCreator() {
        AtomicLong main = new AtomicLong();
        try (StderrCapture err = new StderrCapture()) {
            assertThrows(dev.gort.FatalError.class, () -> Gort.run(() -> {
                main.set(Gort.goid());
                Chan<Integer> c = Chan.make();
                Gort.go(() -> blockedSending(c)); // the deadlocked sender
                Chan.<Integer>make().recv();
            }));
            String report = err.text();
            assertTrue(report.contains("dev.gort.tests.PprofTest.blockedSending(...)\n\tPprofTest.java:"), report);
            assertTrue(report.contains("\ncreated by dev.gort.tests.PprofTest.lambda$deadlockReportsNameEachGoroutinesCreator$")
                    && report.contains(" in goroutine " + main.get() + "\n\tPprofTest.java:"
                    + lineOf("Gort.go(() -> blockedSending(c)); // the deadlocked sender") + "\n"), report);
        }
    }

    @Test
    void gortStackIsTheCallersTracebackAndWithAllEveryonesAfterIt() {
        Gort.run(() -> {
            long main = Gort.goid();
            String mine = Gort.stack(false);
            assertTrue(mine.startsWith("goroutine " + main + " [running]:\ndev.gort.tests.PprofTest.lambda$gortStackIsTheCallersTracebackAndWithAllEveryonesAfterIt$"), mine);
            assertFalse(mine.contains("created by"), "a run's main goroutine has no creator: " + mine);
            assertFalse(mine.contains("\n\n"), "one goroutine: " + mine);
            Chan<String> child = Chan.make(1);
            Chan<Integer> never = Chan.make();
            Gort.go(() -> {
                child.send(Gort.stack(false));
                Gort.lockOSThread();
                blockedReceiving(never);
            });
            String c = child.recv();
            assertTrue(c.matches("(?s)goroutine \\d+ \\[running]:\n.*\ncreated by dev\\.gort\\.tests\\.PprofTest\\.lambda\\$gortStackIsTheCallersTracebackAndWithAllEveryonesAfterIt\\$\\d+ in goroutine "
                    + main + "\n\tPprofTest\\.java:\\d+\n"), c);
            await(Map.of("dev.gort.tests.PprofTest.blockedReceiving(...)\n\tPprofTest.java:", 1));
            String all = Gort.stack(true);
            assertTrue(all.startsWith("goroutine " + main + " [running]:\n"), all);
            Map<Long, String> gs = goroutines(all);
            assertTrue(gs.values().stream().anyMatch(b -> b.startsWith("goroutine ") && b.contains(" [chan receive, locked to thread]:\n")
                    && b.contains("dev.gort.tests.PprofTest.blockedReceiving(...)")), "LockOSThread shows: " + all);
            never.close();
        });
    }

    @Test
    void aRunningGoroutineIsReadFromItsThreadWithoutWaiting() {
        // The spinner never yields (no agent): it needs a P of its own.
        org.junit.jupiter.api.Assumptions.assumeTrue(Gort.gomaxprocs(0) >= 2, "needs GOMAXPROCS >= 2");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong spins = new AtomicLong();
        Gort.run(() -> {
            Gort.go(() -> spin(stop, spins));
            while (spins.get() == 0) {
                Gort.gosched();
            }
            try {
                String text = await(Map.of("dev.gort.tests.PprofTest.spin(...)", 1), false);
                boolean found = false;
                for (String b : goroutines(text).values()) {
                    if (b.contains("dev.gort.tests.PprofTest.spin(...)")) {
                        assertTrue(b.startsWith("goroutine ") && b.contains(" [running]:\n"), b);
                        found = true;
                    }
                }
                assertTrue(found, text);
            } finally {
                stop.set(true);
            }
        });
    }

    /** A compute loop with no runtime call (no agent here): it never yields to anyone. */
    static void spin(AtomicBoolean stop, AtomicLong spins) {
        long x = 88172645463325252L;
        while (!stop.get()) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            spins.lazySet(x | 1);
        }
    }

    @Test
    void lookupKnowsEachProfileByName() throws IOException {
        assertNull(Pprof.lookup("nonsense"));
        assertNull(Pprof.lookup(null));
        assertEquals(List.of("block", "goroutine", "goroutineleak", "mutex", "threadcreate"), Pprof.profiles().stream().map(Pprof.Profile::name).toList());
        Gort.run(() -> {}); // the runtime has started: it has Ms
        Pprof.Profile tc = Pprof.lookup("threadcreate");
        assertTrue(tc.count() >= 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tc.writeTo(out, 1);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("threadcreate profile: total "), text);
        assertTrue(text.contains("\tdev.gort.runtime.Proc.newm+0x0\t"), "created by the runtime's newm, as Go's: " + text);
    }

    @Test
    void aStreamThatThrowsPropagatesAndLeavesTheRuntimeAsItWas() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("broken");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("broken");
            }
        };
        Gort.run(() -> {
            Chan<Integer> never = Chan.make();
            Gort.go(() -> blockedReceiving(never));
            await(Map.of("dev.gort.tests.PprofTest.blockedReceiving(...)", 1));
            for (int debug : new int[] {0, 1, 2}) {
                IOException e = assertThrows(IOException.class, () -> Pprof.lookup("goroutine").writeTo(broken, debug), "debug=" + debug);
                assertEquals("broken", e.getMessage());
            }
            // The next capture works, and finds the goroutine once.
            assertEquals(1, goroutines(profile(2)).values().stream().filter(b -> b.contains("PprofTest.blockedReceiving(...)")).count());
            never.close();
        });
    }

    @Test
    void protoAndLegacyTextAreReadByGosPprof() throws Exception {
        TraceCheck.requireGo();
        Path proto = Files.createTempFile("gort-goroutine", ".pb.gz");
        Path text = Files.createTempFile("gort-goroutine", ".txt");
        try {
            Gort.run(() -> {
                Chan<Integer> never = Chan.make();
                for (int i = 0; i < 5; i++) {
                    Gort.go(() -> blockedReceiving(never));
                }
                await(Map.of("dev.gort.tests.PprofTest.blockedReceiving(...)", 5));
                try (OutputStream out = Files.newOutputStream(proto); OutputStream t = Files.newOutputStream(text)) {
                    Pprof.lookup("goroutine").writeTo(out, 0);
                    Pprof.lookup("goroutine").writeTo(t, 1);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                never.close();
            });
            String out = goToolPprofRaw(proto);
            assertTrue(out.contains("goroutine/count"), out);
            assertTrue(out.contains("Period: 1"), out);
            assertTrue(Pattern.compile("(?m)^\\s+5: (\\d+ )+$").matcher(out).find(), "a sample of 5 goroutines: " + out);
            assertTrue(out.contains("dev.gort.tests.PprofTest.blockedReceiving PprofTest.java:"), out);
            String legacy = goToolPprofRaw(text);
            assertTrue(legacy.contains("goroutine/count"), legacy);
            assertTrue(Pattern.compile("(?m)^\\s+5: (\\d+ )+$").matcher(legacy).find(), "the same sample from the text: " + legacy);
        } finally {
            Files.deleteIfExists(proto);
            Files.deleteIfExists(text);
        }
    }

    /** {@code go tool pprof -raw FILE}'s output; fails unless it exits 0. */
    static String goToolPprofRaw(Path file) throws Exception {
        Process p = new ProcessBuilder("go", "tool", "pprof", "-raw", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(TraceCheck.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), () -> "go tool pprof -raw " + file + ":\n" + out);
        return out;
    }

    @Test
    void debugLevelsGoDoesNotDefineAreReadAsGoReadsThem() {
        Gort.run(() -> {
            byte[] neg = bytes(-1);
            assertEquals(0x1f, neg[0] & 0xff, "negative: the proto, gzipped");
            assertEquals(0x8b, neg[1] & 0xff);
            assertTrue(new String(bytes(7), StandardCharsets.UTF_8).startsWith("goroutine " + Gort.goid() + " [running]:\n"),
                    "above 2: tracebacks, as 2");
        });
    }

    static byte[] bytes(int debug) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Pprof.lookup("goroutine").writeTo(out, debug);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    @Test
    void captureUnderChurnMissesNoLongLivedGoroutineAndReportsNoneTwice() {
        int stable = 5000; // more than 2 * GoroutineProfile.CHUNK: the capture walks in parallel
        int rounds = Integer.getInteger("gort.stress.rounds", 30);
        AtomicBoolean stop = new AtomicBoolean();
        Gort.run(() -> {
            Chan<Integer> never = Chan.make();
            Chan<Long> ids = Chan.make(stable + 2);
            for (int i = 0; i < stable; i++) {
                Gort.go(() -> {
                    ids.send(Gort.goid());
                    blockedReceiving(never);
                });
            }
            // Long-lived goroutines that run during the capture: one yielding, one parking and
            // waking (each must be recorded once, before it next runs or from its thread).
            Chan<Long> yielder = Chan.make(1);
            Chan<Long> receiver = Chan.make(1);
            Gort.go(() -> {
                yielder.send(Gort.goid());
                while (!stop.get()) {
                    Gort.gosched();
                }
            });
            Chan<Integer> ping = Chan.make();
            Gort.go(() -> {
                receiver.send(Gort.goid());
                while (ping.recv() != null) {
                    // until the sender closes it
                }
            });
            Gort.go(() -> {
                while (!stop.get()) {
                    ping.send(1);
                }
                ping.close();
            });
            // Churn: goroutines created, parking briefly and exiting all the time.
            for (int c = 0; c < 2; c++) {
                Gort.go(() -> {
                    while (!stop.get()) {
                        Chan<Integer> done = Chan.make();
                        for (int k = 0; k < 8; k++) {
                            Gort.go(() -> done.send(1));
                        }
                        for (int k = 0; k < 8; k++) {
                            done.recv();
                        }
                    }
                });
            }
            List<Long> lived = new ArrayList<>();
            for (int i = 0; i < stable; i++) {
                lived.add(ids.recv());
            }
            lived.add(yielder.recv());
            lived.add(receiver.recv());
            try {
                for (int r = 0; r < rounds; r++) {
                    String text = profile(2);
                    Map<Long, String> gs = goroutines(text); // fails on a goroutine seen twice
                    for (int k = 0; k < lived.size(); k++) {
                        long id = lived.get(k);
                        int role = k;
                        assertTrue(gs.containsKey(id), () -> "goroutine " + id + " (" + (role < stable ? "parked" : role == stable ? "yielding" : "ping receiver")
                                + ") lived throughout; " + gs.size() + " goroutines in\n" + text);
                    }
                }
            } finally {
                stop.set(true);
                never.close();
            }
        });
    }
}
