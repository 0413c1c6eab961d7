package dev.gort.tests;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.pprof.Pprof;
import dev.gort.sync.Cond;
import dev.gort.sync.Mutex;
import dev.gort.sync.RWMutex;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The block and mutex profiles (Go's runtime.SetBlockProfileRate,
 * SetMutexProfileFraction, pprof's "block" and "mutex"): goroutines blocked at known
 * places for a known time give records whose stacks name the calling method under gort's
 * API frame and whose delay is at least that time; the mutex profile charges the unlocker;
 * nothing is recorded while off; Go's pprof reads both formats.
 *
 * <p>The profiles are the JVM's, shared with every other test: each test blocks at call
 * sites of its own (methods of this class) and looks only for those.
 */
class BlockProfileTest {
    /** How long each test keeps its goroutine blocked, at least. */
    static final long HOLD_NS = TimeUnit.MILLISECONDS.toNanos(40);

    @AfterEach
    void off() {
        Gort.setBlockProfileRate(0);
        Gort.setMutexProfileFraction(0);
    }

    /** One record of the debug=1 text: cycles, count, and its frames' functions, innermost first. */
    record Rec(long cycles, long count, List<String> funcs) {}

    private static final Pattern RECORD = Pattern.compile("(?m)^(\\d+) (\\d+) @( 0x[0-9a-f]+)+$");
    private static final Pattern FRAME = Pattern.compile("^#\\t+0x[0-9a-f]+\\t+(\\S+)\\+0x0\\t+\\S+:\\d+$");

    static String text(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Pprof.lookup(name).writeTo(out, 1);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static List<Rec> records(String text) {
        List<Rec> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = RECORD.matcher(lines[i]);
            if (!m.matches()) {
                continue;
            }
            List<String> funcs = new ArrayList<>();
            for (int j = i + 1; j < lines.length && !lines[j].isEmpty(); j++) {
                Matcher f = FRAME.matcher(lines[j]);
                assertTrue(f.matches(), () -> "a frame line: " + text);
                funcs.add(f.group(1));
            }
            out.add(new Rec(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), funcs));
        }
        return out;
    }

    /** The record whose two innermost frames are api and site (this class's method), or null. */
    static Rec find(String profile, String api, String site) {
        for (Rec r : records(text(profile))) {
            if (r.funcs().size() >= 2 && r.funcs().get(0).equals(api)
                    && r.funcs().get(1).equals("dev.gort.tests.BlockProfileTest." + site)) {
                return r;
            }
        }
        return null;
    }

    static void assertRecorded(String profile, String api, String site, long atLeastNs) {
        Rec r = find(profile, api, site);
        assertNotNull(r, () -> "a " + profile + " record at " + api + " called by " + site + ":\n" + text(profile));
        assertTrue(r.count() >= 1, r::toString);
        assertTrue(r.cycles() >= atLeastNs, () -> r + " blocked at least " + atLeastNs + " ns");
    }

    /** Waits (10 s) until exactly one goroutine is parked in the marker method, by the goroutine profile. */
    static void awaitParked(String site) {
        PprofTest.await(Map.of("dev.gort.tests.BlockProfileTest." + site + "(...)", 1));
    }

    /** Returns when at least HOLD_NS has passed since start. */
    static void holdSince(long start) {
        for (long left; (left = HOLD_NS - (System.nanoTime() - start)) > 0; ) {
            Time.sleep(Duration.ofNanos(left));
        }
    }

    static Object recvSite(Chan<Object> c) {
        return c.recv();
    }

    static void sendSite(Chan<Object> c) {
        c.send("x");
    }

    static void selectSite(Chan<Object> a, Chan<Object> b) {
        Select.select(Select.recv(a, null), Select.recv(b, null));
    }

    static void lockSite(Mutex mu) {
        mu.lock();
    }

    static void unlockSite(Mutex mu) {
        mu.unlock();
    }

    static void rLockSite(RWMutex rw) {
        rw.rLock();
    }

    static void wLockSite(RWMutex rw) {
        rw.lock();
    }

    static void rUnlockSite(RWMutex rw) {
        rw.rUnlock();
    }

    static void condWaitSite(Cond c) {
        c.await();
    }

    static void wgWaitSite(WaitGroup wg) {
        wg.await();
    }

    static Object unprofiledSite(Chan<Object> c) {
        return c.recv();
    }

    @Test
    void settersReturnThePreviousValueAndANegativeFractionOnlyReads() {
        assertEquals(0, Gort.setBlockProfileRate(1));
        assertEquals(1, Gort.setBlockProfileRate(10_000));
        assertEquals(10_000, Gort.setBlockProfileRate(-5)); // <= 0: off, as Go
        assertEquals(0, Gort.setBlockProfileRate(0));
        assertEquals(0, Gort.setMutexProfileFraction(5));
        assertEquals(5, Gort.setMutexProfileFraction(-1));
        assertEquals(5, Gort.setMutexProfileFraction(-100)); // reads, changes nothing
        assertEquals(5, Gort.setMutexProfileFraction(0));
        assertEquals(0, Gort.setMutexProfileFraction(-1));
    }

    @Test
    void lookupListsBlockAndMutexAndCountsTheirRecords() {
        assertEquals(List.of("block", "goroutine", "goroutineleak", "mutex", "threadcreate"),
                Pprof.profiles().stream().map(Pprof.Profile::name).toList());
        assertEquals(records(text("block")).size(), Pprof.lookup("block").count());
        assertEquals(records(text("mutex")).size(), Pprof.lookup("mutex").count());
        assertTrue(text("block").startsWith("--- contention:\ncycles/second=1000000000\n"), text("block"));
        assertTrue(text("mutex").startsWith("--- mutex:\ncycles/second=1000000000\nsampling period=0\n"), text("mutex"));
    }

    @Test
    void aChannelReceiveAndSendAreChargedToTheirCallers() {
        Gort.setBlockProfileRate(1);
        Gort.run(() -> {
            Chan<Object> c = Chan.make();
            Chan<Object> done = Chan.make();
            Gort.go(() -> {
                recvSite(c);
                done.send(true);
            });
            awaitParked("recvSite");
            long start = System.nanoTime();
            holdSince(start);
            c.send(1);
            done.recv();

            Gort.go(() -> {
                sendSite(c);
                done.send(true);
            });
            awaitParked("sendSite");
            holdSince(System.nanoTime());
            c.recv();
            done.recv();
        });
        assertRecorded("block", "dev.gort.Chan.recv", "recvSite", HOLD_NS);
        assertRecorded("block", "dev.gort.Chan.send", "sendSite", HOLD_NS);
    }

    @Test
    void aClosedChannelWakesWithTheDelayRecorded() {
        Gort.setBlockProfileRate(1);
        Gort.run(() -> {
            Chan<Object> c = Chan.make();
            Chan<Object> done = Chan.make();
            Gort.go(() -> {
                assertNull(recvSite(c));
                done.send(true);
            });
            awaitParked("recvSite");
            holdSince(System.nanoTime());
            c.close();
            done.recv();
        });
        assertRecorded("block", "dev.gort.Chan.recv", "recvSite", HOLD_NS);
    }

    @Test
    void aSelectIsChargedToItsCaller() {
        Gort.setBlockProfileRate(1);
        Gort.run(() -> {
            Chan<Object> a = Chan.make();
            Chan<Object> b = Chan.make();
            Chan<Object> done = Chan.make();
            Gort.go(() -> {
                selectSite(a, b);
                done.send(true);
            });
            awaitParked("selectSite");
            holdSince(System.nanoTime());
            b.send(1);
            done.recv();
        });
        assertRecorded("block", "dev.gort.Select.select", "selectSite", HOLD_NS);
    }

    @Test
    void aMutexBlocksTheLockerAndChargesTheUnlocker() {
        Gort.setBlockProfileRate(1);
        Gort.setMutexProfileFraction(1);
        Gort.run(() -> {
            Mutex mu = new Mutex();
            Chan<Object> done = Chan.make();
            mu.lock();
            Gort.go(() -> {
                lockSite(mu);
                mu.unlock();
                done.send(true);
            });
            awaitParked("lockSite");
            holdSince(System.nanoTime());
            unlockSite(mu);
            done.recv();
        });
        assertRecorded("block", "dev.gort.sync.Mutex.lock", "lockSite", HOLD_NS);
        // Go 1.8+: the delay is charged to the caller of Unlock, not to the waiter.
        assertRecorded("mutex", "dev.gort.sync.Mutex.unlock", "unlockSite", HOLD_NS);
        assertNull(find("mutex", "dev.gort.sync.Mutex.lock", "lockSite"), "the waiter is not charged in the mutex profile");
    }

    static void waitThreeSite(Mutex mu) {
        mu.lock();
    }

    static void unlockThreeSite(Mutex mu) {
        mu.unlock();
    }

    /**
     * Go's semrelease1: an unlock that wakes one of N waiters is charged the head's wait
     * plus N-1 times the mean of the head's and the tail's, so contention that holds up
     * many goroutines weighs more. Three waiters queued before the hold: at least 3 holds.
     */
    @Test
    void anUnlockIsChargedForEveryGoroutineItKeptWaiting() {
        Gort.setMutexProfileFraction(1);
        Gort.run(() -> {
            Mutex mu = new Mutex();
            WaitGroup wg = new WaitGroup();
            mu.lock();
            for (int i = 0; i < 3; i++) {
                wg.add(1);
                Gort.go(() -> {
                    waitThreeSite(mu);
                    mu.unlock();
                    wg.done();
                });
            }
            PprofTest.await(Map.of("dev.gort.tests.BlockProfileTest.waitThreeSite(...)", 3));
            holdSince(System.nanoTime());
            unlockThreeSite(mu);
            wg.await();
        });
        assertRecorded("mutex", "dev.gort.sync.Mutex.unlock", "unlockThreeSite", 3 * HOLD_NS);
    }

    @Test
    void anRWMutexBlocksReadersAndWritersAndChargesTheReleaser() {
        Gort.setBlockProfileRate(1);
        Gort.setMutexProfileFraction(1);
        Gort.run(() -> {
            RWMutex rw = new RWMutex();
            Chan<Object> done = Chan.make();
            rw.lock();
            Gort.go(() -> {
                rLockSite(rw);
                rw.rUnlock();
                done.send(true);
            });
            awaitParked("rLockSite");
            holdSince(System.nanoTime());
            rw.unlock();
            done.recv();

            rw.rLock();
            Gort.go(() -> {
                wLockSite(rw);
                rw.unlock();
                done.send(true);
            });
            awaitParked("wLockSite");
            holdSince(System.nanoTime());
            rUnlockSite(rw);
            done.recv();
        });
        assertRecorded("block", "dev.gort.sync.RWMutex.rLock", "rLockSite", HOLD_NS);
        assertRecorded("block", "dev.gort.sync.RWMutex.lock", "wLockSite", HOLD_NS);
        assertRecorded("mutex", "dev.gort.sync.RWMutex.rUnlock", "rUnlockSite", HOLD_NS);
    }

    @Test
    void aCondWaitAndAWaitGroupWaitAreChargedToTheirCallers() {
        Gort.setBlockProfileRate(1);
        Gort.run(() -> {
            Mutex mu = new Mutex();
            Cond cond = new Cond(mu);
            Chan<Object> done = Chan.make();
            Gort.go(() -> {
                mu.lock();
                condWaitSite(cond);
                mu.unlock();
                done.send(true);
            });
            awaitParked("condWaitSite");
            holdSince(System.nanoTime());
            mu.lock();
            cond.signal();
            mu.unlock();
            done.recv();

            WaitGroup wg = new WaitGroup();
            wg.add(1);
            Gort.go(() -> {
                wgWaitSite(wg);
                done.send(true);
            });
            awaitParked("wgWaitSite");
            holdSince(System.nanoTime());
            wg.done();
            done.recv();
        });
        assertRecorded("block", "dev.gort.sync.Cond.await", "condWaitSite", HOLD_NS);
        assertRecorded("block", "dev.gort.sync.WaitGroup.await", "wgWaitSite", HOLD_NS);
    }

    @Test
    void nothingIsRecordedWhileBothRatesAreZero() {
        Gort.setBlockProfileRate(0);
        Gort.setMutexProfileFraction(0);
        Gort.run(() -> {
            Chan<Object> c = Chan.make();
            Chan<Object> done = Chan.make();
            Mutex mu = new Mutex();
            mu.lock();
            Gort.go(() -> {
                unprofiledSite(c);
                lockSite(mu);
                done.send(true);
            });
            awaitParked("unprofiledSite");
            c.send(1);
            awaitParked("lockSite");
            unlockSite(mu);
            done.recv();
        });
        assertNull(find("block", "dev.gort.Chan.recv", "unprofiledSite"), () -> text("block"));
        for (Rec r : records(text("mutex"))) {
            assertFalse(r.funcs().contains("dev.gort.tests.BlockProfileTest.nothingIsRecordedWhileBothRatesAreZero"), r::toString);
        }
    }

    static Object alternateA(Chan<Object> c) {
        return c.recv();
    }

    static Object alternateB(Chan<Object> c) {
        return c.recv();
    }

    /**
     * One goroutine blocking on one channel from two call sites in turn: the site's
     * remembered stack is verified at random intervals, the disagreement found, and from
     * then on every event walks: both call sites get their share.
     */
    @Test
    void twoCallSitesOnOneChannelAreToldApart() {
        Gort.setBlockProfileRate(1);
        int n = 2000;
        Gort.run(() -> {
            Chan<Object> c = Chan.make();
            Chan<Object> ready = Chan.make();
            Gort.go(() -> {
                for (int i = 0; i < n / 2; i++) {
                    ready.send(true);
                    alternateA(c);
                    ready.send(true);
                    alternateB(c);
                }
            });
            for (int i = 0; i < n; i++) {
                ready.recv();
                c.send(i);
            }
        });
        Rec a = find("block", "dev.gort.Chan.recv", "alternateA");
        Rec b = find("block", "dev.gort.Chan.recv", "alternateB");
        assertNotNull(a, () -> text("block"));
        assertNotNull(b, () -> text("block"));
        // Each site blocked at most n/2 times; the receiver may not have parked yet when the
        // value came (then the sender blocked instead), and the first ~64 events of the site
        // may go to the stack seen first. Each must still have a fair share.
        assertTrue(a.count() + b.count() <= n, a + " " + b);
        assertTrue(Math.min(a.count(), b.count()) >= (a.count() + b.count()) / 5, a + " " + b);
    }

    @Test
    void goToolPprofReadsBothProfilesInBothFormats() throws Exception {
        TraceCheck.requireGo();
        aMutexBlocksTheLockerAndChargesTheUnlocker();
        for (String name : new String[] {"block", "mutex"}) {
            Path proto = Files.createTempFile("gort-" + name, ".pb.gz");
            Path text = Files.createTempFile("gort-" + name, ".txt");
            try {
                try (OutputStream out = Files.newOutputStream(proto); OutputStream t = Files.newOutputStream(text)) {
                    Pprof.lookup(name).writeTo(out, 0);
                    Pprof.lookup(name).writeTo(t, 1);
                }
                String site = name.equals("block") ? "lockSite" : "unlockSite";
                for (Path f : new Path[] {proto, text}) {
                    String raw = PprofTest.goToolPprofRaw(f);
                    assertTrue(raw.contains("PeriodType: contentions count"), raw);
                    assertTrue(raw.contains("Period: 1"), raw);
                    assertTrue(raw.contains("contentions/count delay/nanoseconds"), raw);
                    if (f == proto) { // the legacy text's frames are addresses only to pprof (no binary to symbolize)
                        assertTrue(raw.contains("dev.gort.tests.BlockProfileTest." + site + " BlockProfileTest.java:"), raw);
                    }
                    // a sample of at least one contention and HOLD_NS nanoseconds
                    Matcher m = Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\d+): (\\d+ )+$").matcher(raw);
                    boolean found = false;
                    while (m.find()) {
                        found |= Long.parseLong(m.group(1)) >= 1 && Long.parseLong(m.group(2)) >= HOLD_NS;
                    }
                    assertTrue(found, raw);
                }
            } finally {
                Files.deleteIfExists(proto);
                Files.deleteIfExists(text);
            }
        }
    }
}
