package dev.gort.tests;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.pprof.Pprof;
import dev.gort.sync.Cond;
import dev.gort.sync.Mutex;
import dev.gort.sync.RWMutex;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The goroutineleak profile: the garbage collector finds goroutines blocked on objects
 * nothing alive can reach; they are reported (id, wait reason, stack, creation site) and
 * reclaimed; goroutines that something alive can still wake are never reported.
 */
class GoroutineLeakTest {
    private static final Pattern LEAKED = Pattern.compile("(?m)^goroutine (\\d+) \\[([^\\]]*) \\(leaked\\)[^\\]]*\\]:$");

    /** The goroutine whose ballast the reclamation check watches. */
    static final java.util.concurrent.atomic.AtomicLong ballastOwner = new java.util.concurrent.atomic.AtomicLong();

    /** Holds what a live root keeps reachable in one test. */
    static volatile Object keep;

    static String leakProfile(int debug) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Pprof.lookup("goroutineleak").writeTo(out, debug);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** goid -> wait reason of the leaked goroutines in a debug=2 goroutineleak profile. */
    static Map<Long, String> leaked(String text) {
        Map<Long, String> out = new java.util.HashMap<>();
        Matcher m = LEAKED.matcher(text);
        while (m.find()) {
            assertNull(out.put(Long.parseLong(m.group(1)), m.group(2)), () -> "reported twice:\n" + text);
        }
        return out;
    }

    // Each blocks forever on something only its own stack (and other leaked goroutines) holds.

    static void leakReceiving(Chan<Long> ids, WeakReference<?>[] ballast) {
        Chan<Integer> mine = Chan.make();
        byte[] big = new byte[1 << 20];
        ballast[0] = new WeakReference<>(big);
        ids.send(Gort.goid());
        mine.recv();
        keepAlive(big);
    }

    static void leakSending(Chan<Long> ids) {
        Chan<Integer> mine = Chan.make();
        ids.send(Gort.goid());
        mine.send(1);
    }

    static void leakInSelect(Chan<Long> ids) {
        Chan<Integer> a = Chan.make();
        Chan<Integer> b = Chan.make();
        ids.send(Gort.goid());
        Select.select(Select.recv(a, null), Select.send(b, 1, null));
    }

    static void leakOnNilChan(Chan<Long> ids) {
        ids.send(Gort.goid());
        Chan.<Integer>nil().recv();
    }

    static void leakOnMutex(Chan<Long> ids, Mutex mu) {
        ids.send(Gort.goid());
        mu.lock();
    }

    static void leakOnWaitGroup(Chan<Long> ids) {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        ids.send(Gort.goid());
        wg.await();
    }

    static void leakOnCond(Chan<Long> ids) {
        Mutex mu = new Mutex();
        Cond c = new Cond(mu);
        mu.lock();
        ids.send(Gort.goid());
        c.await();
    }

    static void leakOnRWMutex(Chan<Long> ids) {
        RWMutex rw = new RWMutex();
        rw.rLock();
        ids.send(Gort.goid());
        rw.lock(); // waits for its own reader: sync.RWMutex.Lock (a second writer would wait on the inner Mutex)
    }

    static void keepAlive(Object o) {
        if (o.hashCode() == 42 && System.nanoTime() == 0) {
            System.out.println(o);
        }
    }

    @Test
    void leakedGoroutinesAreReportedAndReclaimed() {
        Gort.run(() -> {
            Chan<Long> ids = Chan.make(16);
            WeakReference<?>[] ballast = new WeakReference<?>[1];
            java.util.Set<Long> earlier = leaked(leakProfile(2)).keySet(); // other tests' leaks
            int leaksBefore = Pprof.lookup("goroutineleak").count();
            int before = Gort.numGoroutine();
            Gort.go(() -> {
                ballastOwner.set(Gort.goid());
                leakReceiving(ids, ballast);
            });
            Gort.go(() -> leakSending(ids));
            Gort.go(() -> leakInSelect(ids));
            Gort.go(() -> leakOnNilChan(ids));
            Gort.go(() -> leakOnWaitGroup(ids));
            Gort.go(() -> leakOnCond(ids));
            Gort.go(() -> leakOnRWMutex(ids));
            // A mutex held by a leaked goroutine: both leak together.
            Gort.go(() -> {
                Mutex mu = new Mutex();
                mu.lock();
                Gort.go(() -> leakOnMutex(ids, mu));
                leakReceiving(ids, new WeakReference<?>[1]);
            });
            Map<Long, String> want = new java.util.HashMap<>();
            for (int i = 0; i < 9; i++) {
                want.put(ids.recv(), "");
            }

            // The goroutines are on their way to their parks: wait until each is blocked.
            PprofTest.await(Map.of("GoroutineLeakTest.leak", 9));
            assertEquals(before + 9, Gort.numGoroutine());

            awaitLeaked(want.keySet());
            String text = leakProfile(2);
            Map<Long, String> found = leaked(text);
            found.keySet().removeAll(earlier);
            // Sound: nothing but this test's leaked goroutines is new; complete: all of them.
            assertTrue(want.keySet().containsAll(found.keySet()), () -> "reported goroutines that did not leak:\n" + text);
            assertEquals(want.keySet(), found.keySet(), text);
            int n = found.size();
            assertEquals(leaksBefore + n, Pprof.lookup("goroutineleak").count());
            List<String> reasons = new ArrayList<>(List.of("chan receive", "chan receive", "chan send", "select",
                    "chan receive (nil chan)", "sync.WaitGroup.Wait", "sync.Cond.Wait", "sync.RWMutex.Lock", "sync.Mutex.Lock"));
            for (String r : found.values()) {
                assertTrue(reasons.remove(r), () -> "unexpected wait reason " + r + " in " + found);
            }
            // Each record has its stack (where it leaked) and creation site.
            for (String block : text.split("\n\n")) {
                Matcher m = LEAKED.matcher(block);
                if (m.find() && want.containsKey(Long.parseLong(m.group(1)))) {
                    assertTrue(block.contains("dev.gort.tests.GoroutineLeakTest.leak"), block);
                    assertTrue(Pattern.compile("(?m)^created by dev\\.gort\\.tests\\.GoroutineLeakTest\\.\\S+ in goroutine \\d+$")
                            .matcher(block).find(), block);
                }
            }
            // Reclaimed: gone from numGoroutine and the goroutine profile, memory freed.
            assertEquals(before + want.size() - n, Gort.numGoroutine());
            String all = PprofTest.profile(2);
            for (long id : found.keySet()) {
                assertFalse(PprofTest.goroutines(all).containsKey(id), "goroutine " + id + " is still listed:\n" + all);
            }
            if (found.containsKey(ballastOwner.get())) {
                waitUntilCleared(ballast[0]);
            }
            // A later profile still lists the leaks found (and may add one missed before).
            Map<Long, String> again = leaked(leakProfile(2));
            again.keySet().removeAll(earlier);
            assertTrue(again.entrySet().containsAll(found.entrySet()), again + " lacks some of " + found);
            assertTrue(want.keySet().containsAll(again.keySet()), again.toString());
        });
    }

    /**
     * A goroutine whose syscall ends with no P free (exitsyscallNoP: it goes to the global
     * queue, its M goes idle) and which then leaks: the idle M, asleep for as long as no
     * work needs it, must not keep the goroutine reachable. (Its M slept under frames that
     * held the goroutine, which an interpreted frame keeps live: about one run of
     * leakedGoroutinesAreReportedAndReclaimed in five missed a leak that way.) One P, so the
     * goroutine cannot find a P of its own; the detection runs on a plain thread, so no
     * hand-off wakes the idle M before the collection.
     */
    @Test
    void aGoroutineBackFromASyscallWithoutAPIsFoundLeaked() {
        int procs = Gort.gomaxprocs(1);
        try {
            Gort.run(() -> {
                Chan<Long> ids = Chan.make(1);
                CountDownLatch inSyscall = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                AtomicReference<Thread> m = new AtomicReference<>();
                Gort.go(() -> {
                    try {
                        Gort.syscall(() -> {
                            m.set(Thread.currentThread());
                            inSyscall.countDown();
                            release.await();
                        });
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    leakSending(ids);
                });
                // Running again on the only P: the goroutine is in its syscall, its P handed off.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (inSyscall.getCount() > 0) {
                    assertTrue(System.nanoTime() < deadline, "the goroutine never entered its syscall");
                    Gort.gosched();
                }
                release.countDown();
                // Keep the P (no scheduling call) until the goroutine's M has stopped: the
                // goroutine waits in the global queue.
                while (!stopped(m.get())) {
                    assertTrue(System.nanoTime() < deadline, "the syscall's M did not stop");
                    Thread.onSpinWait();
                }
                // Parks until the goroutine has sent its id and blocked (one P).
                long id = ids.recv();
                // Sending its id readied main, which may run before the goroutine blocks.
                PprofTest.await(Map.of("aGoroutineBackFromASyscallWithoutAPIsFoundLeaked", 1));
                // Up to 5 detections, as awaitLeaked: one may miss a leak while a P that runs
                // another goroutine still holds a stale run-queue slot (GoroutineLeak). The idle
                // M this test is about stays idle through all of them.
                Chan<String> result = Chan.make(1);
                Thread detector = new Thread(() -> {
                    String t = leakProfile(2);
                    for (int i = 1; i < 5 && !leaked(t).containsKey(id); i++) {
                        t = leakProfile(2);
                    }
                    result.send(t);
                }, "leak-detector");
                detector.start();
                String text = result.recv();
                assertTrue(leaked(text).containsKey(id), () -> "goroutine " + id + " not found leaked:\n" + text);
            });
        } finally {
            Gort.gomaxprocs(procs);
        }
    }

    /** Whether thread t (an M) is asleep in the scheduler's stopm. */
    private static boolean stopped(Thread t) {
        if (t.getState() != Thread.State.WAITING) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals("dev.gort.runtime.Proc") && e.getMethodName().equals("stopm")) {
                return true;
            }
        }
        return false;
    }

    static void waitUntilCleared(WeakReference<?> ref) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!ref.refersTo(null)) {
            assertTrue(System.nanoTime() < deadline, "the leaked goroutine's memory was not reclaimed");
            System.gc();
            Gort.gosched();
        }
    }

    static void blockOn(Chan<Integer> c, Chan<Integer> done) {
        done.send(c.recv());
    }

    @Test
    void neverReportsAGoroutineThatSomethingAliveCanWake() throws Exception {
        Chan<Integer> done = Chan.make(16);
        Chan<Integer> byStatic = Chan.make();
        Chan<Integer> byThread = Chan.make();
        Chan<Integer> byTimer = Chan.make(1);
        CountDownLatch threadMayGo = new CountDownLatch(1);
        Thread plain = new Thread(() -> {
            try {
                threadMayGo.await();
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
            byThread.send(2);
        });
        plain.start();
        keep = byStatic;
        AtomicReference<Map<Long, String>> found = new AtomicReference<>();
        Gort.run(() -> {
            java.util.Set<Long> earlier = leaked(leakProfile(2)).keySet(); // other tests' leaks
            Chan<Integer> byMain = Chan.make();
            Chan<Integer> bySleeper = Chan.make();
            Mutex held = new Mutex();
            held.lock();
            Gort.go(() -> blockOn(byMain, done));
            Gort.go(() -> blockOn(byStatic, done));
            Gort.go(() -> blockOn(byThread, done));
            Gort.go(() -> blockOn(bySleeper, done));
            Gort.go(() -> {
                Time.sleep(Duration.ofMillis(300));
                bySleeper.send(4);
            });
            // A select whose other case is a timer's channel: the timer will fire.
            Gort.go(() -> Select.select(Select.recv(Chan.<Integer>make(), null),
                    Select.recv(Time.after(Duration.ofMillis(300)), v -> done.send(5))));
            Gort.go(() -> {
                held.lock();
                done.send(6);
            });
            Gort.go(() -> blockOn(byTimer, done));
            Time.afterFunc(Duration.ofMillis(300), () -> byTimer.send(7));
            PprofTest.await(Map.of("GoroutineLeakTest.blockOn", 5));
            Map<Long, String> now = leaked(leakProfile(2));
            now.keySet().removeAll(earlier);
            found.set(now);
            byMain.send(1);
            keep = null;
            held.unlock();
            byStatic.send(3);
            threadMayGo.countDown();
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                got.add(done.recv());
            }
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), got.stream().sorted().toList());
        });
        plain.join(10_000);
        assertTrue(found.get().isEmpty(), "reported goroutines something alive could wake: " + found.get());
    }

    @Test
    void aRunsMainGoroutineIsNeverReclaimed() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> died = new AtomicReference<>();
        AtomicInteger mainGoid = new AtomicInteger();
        Thread t = new Thread(() -> {
            try {
                Gort.run(() -> {
                    mainGoid.set((int) Gort.goid());
                    Gort.go(() -> {
                        while (!stop.get()) {
                            Time.sleep(Duration.ofMillis(5));
                        }
                    });
                    Chan.<Integer>nil().recv(); // blocked forever: only a deadlock ends this run
                });
            } catch (Throwable e) {
                died.set(e);
            }
        });
        t.start();
        Gort.run(() -> {
            PprofTest.await(Map.of("aRunsMainGoroutineIsNeverReclaimed", 1));
            Map<Long, String> found = leaked(leakProfile(2));
            assertFalse(found.containsKey((long) mainGoid.get()), "the run's main goroutine was reported: " + found);
            assertTrue(PprofTest.goroutines(PprofTest.profile(2)).containsKey((long) mainGoid.get()));
        });
        stop.set(true);
        t.join(30_000);
        assertInstanceOf(FatalError.class, died.get(), "the run ends by the deadlock it is");
        assertTrue(died.get().getMessage().contains("deadlock"), died.get().getMessage());
    }

    static void pingPong(Chan<Integer> in, Chan<Integer> out) {
        for (Integer v; (v = in.recv()) != null; ) {
            out.send(v + 1);
        }
    }

    @Test
    void detectionUnderChurnFindsTheLeaksAndOnlyThem() {
        Gort.run(() -> {
            AtomicBoolean stop = new AtomicBoolean();
            WaitGroup wg = new WaitGroup();
            AtomicInteger rounds = new AtomicInteger();
            for (int p = 0; p < 8; p++) {
                Chan<Integer> a = Chan.make();
                Chan<Integer> b = Chan.make();
                wg.go(() -> pingPong(a, b));
                wg.go(() -> {
                    int v = 0;
                    while (!stop.get()) {
                        a.send(v);
                        v = b.recv();
                        rounds.incrementAndGet();
                        if ((v & 63) == 0) {
                            Gort.go(() -> {}); // short-lived goroutines, created and exiting
                        }
                    }
                    a.close();
                });
            }
            Chan<Long> ids = Chan.make(1024);
            List<Long> leakedIds = new ArrayList<>();
            List<Long> reported = new ArrayList<>(leaked(leakProfile(2)).keySet()); // other tests' leaks
            int others = reported.size();
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 20; i++) {
                    Gort.go(() -> leakSending(ids));
                    leakedIds.add(ids.recv());
                }
                PprofTest.await(Map.of("GoroutineLeakTest.leakSending", 20));
                reported.addAll(newlyLeaked(reported));
            }
            stop.set(true);
            wg.await();
            reported.addAll(newlyLeaked(reported));
            if (!reported.containsAll(leakedIds)) { // a late one: see awaitLeaked
                awaitLeaked(leakedIds);
                reported.addAll(newlyLeaked(reported));
            }
            assertTrue(rounds.get() > 0);
            List<Long> mine = reported.subList(others, reported.size());
            assertTrue(leakedIds.containsAll(mine), () -> "reported goroutines that did not leak: " + mine);
            assertEquals(leakedIds.size(), mine.size(), () -> "found " + mine + " of " + leakedIds);
        });
    }

    /**
     * Takes leak profiles until each of ids is reported, at most 5 (a detection may miss a
     * leak while a busy P has not yet dropped its stale run-queue slots: GoroutineLeak);
     * returns the last profile's leaks.
     */
    static Map<Long, String> awaitLeaked(java.util.Collection<Long> ids) {
        Map<Long, String> found = leaked(leakProfile(2));
        for (int i = 1; i < 5 && !found.keySet().containsAll(ids); i++) {
            found = leaked(leakProfile(2));
        }
        return found;
    }

    /** The leaks a new detection adds to those already reported. */
    static List<Long> newlyLeaked(List<Long> reported) {
        List<Long> out = new ArrayList<>();
        for (long id : leaked(leakProfile(2)).keySet()) {
            if (!reported.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    @Test
    void protoAndLegacyTextAreReadByGosPprof() throws Exception {
        TraceCheck.requireGo();
        Path proto = Files.createTempFile("gort-goroutineleak", ".pb.gz");
        try {
            Gort.run(() -> {
                Chan<Long> ids = Chan.make(4);
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Gort.go(() -> leakOnNilChan(ids));
                    mine.add(ids.recv());
                }
                PprofTest.await(Map.of("GoroutineLeakTest.leakOnNilChan", 3));
                assertTrue(awaitLeaked(mine).keySet().containsAll(mine), "not all of " + mine + " found");
                try (var out = Files.newOutputStream(proto)) {
                    Pprof.lookup("goroutineleak").writeTo(out, 0);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                String legacy = leakProfile(1);
                assertTrue(legacy.startsWith("goroutineleak profile: total "), legacy);
            });
            String out = PprofTest.goToolPprofRaw(proto);
            assertTrue(out.contains("goroutineleak/count"), out);
            assertTrue(out.contains("dev.gort.tests.GoroutineLeakTest.leakOnNilChan GoroutineLeakTest.java:"), out);
        } finally {
            Files.deleteIfExists(proto);
        }
    }
}
