package dev.gort.tests;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.pprof.RuntimeMXBean;
import dev.gort.sync.WaitGroup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.JMX;
import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The platform MXBean dev.gort:type=Runtime, read with the JDK's own JMX API: the runtime
 * registers it, its attributes are the scheduler's (counts that match what the test did,
 * counters that move when the scheduler does what they count), its operations write Go's
 * formats (checked with Go's tools), and bad input gets an error naming it.
 */
class RuntimeMXBeanTest {
    static final ObjectName NAME = name();
    private static MBeanServer mbs;

    @TempDir
    Path dir;

    private static ObjectName name() {
        try {
            return new ObjectName("dev.gort:type=Runtime");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The platform server, once the runtime (started here if need be) has registered the bean. */
    static MBeanServer server() {
        Gort.numGoroutine(); // starts the runtime
        MBeanServer s = ManagementFactory.getPlatformMBeanServer();
        awaitTrue(() -> s.isRegistered(NAME), "the runtime registers " + NAME);
        return s;
    }

    @BeforeAll
    static void registered() {
        mbs = server();
        assertEquals(RuntimeMXBean.OBJECT_NAME, NAME.toString());
    }

    /** Polls (30 s: a loaded 2-core machine) until ok; fails with what. */
    static void awaitTrue(BooleanSupplier ok, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    static Object attr(String name) {
        try {
            return mbs.getAttribute(NAME, name);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static long count(String name) {
        return ((Number) attr(name)).longValue();
    }

    static Object invoke(String op, Object[] args, String[] sig) throws Exception {
        return mbs.invoke(NAME, op, args, sig);
    }

    static void parkedForJmx(Chan<Integer> c) {
        c.recv();
    }

    /** xorshift steps the JIT cannot fold. */
    static long busy(long n) {
        long x = 88172645463325252L + n;
        for (long i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    @Test
    void numGoroutineIsTheNumberOfGoroutines() {
        // Other test classes may leave goroutines behind: count from what is there.
        int before = Gort.numGoroutine();
        assertEquals(before, ((Number) attr("NumGoroutine")).intValue());
        int n = 7;
        Chan<Integer> never = Chan.make();
        PprofServerTest.onPlainThread(() -> {
            for (int i = 0; i < n; i++) {
                Gort.go(() -> parkedForJmx(never));
            }
        });
        PprofTest.await(Map.of("RuntimeMXBeanTest.parkedForJmx", n));
        assertEquals(before + n, ((Number) attr("NumGoroutine")).intValue());
        PprofServerTest.onPlainThread(never::close);
        awaitTrue(() -> ((Number) attr("NumGoroutine")).intValue() == before, "the " + n + " goroutines end");
    }

    @Test
    void gomaxprocsIdleProcsAndRunQueueLengthsDescribeTheScheduler() throws Exception {
        int procs = Gort.gomaxprocs(0);
        assertEquals(procs, ((Number) attr("Gomaxprocs")).intValue());
        int[] q = (int[]) attr("RunQueueLengths");
        assertEquals(procs, q.length);
        int idle = ((Number) attr("IdleProcs")).intValue();
        assertTrue(idle >= 0 && idle <= procs, "idle " + idle + " of " + procs);
        int spinning = ((Number) attr("SpinningThreads")).intValue();
        assertTrue(spinning >= 0 && spinning <= procs, "spinning " + spinning);

        // One P, held by a goroutine that spins (no runtime call: nothing preempts it without
        // the agent), with five goroutines queued behind it: four in the ring, one in runnext.
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean queued = new AtomicBoolean();
        Thread runner = new Thread(() -> Gort.run(() -> {
            int old = Gort.gomaxprocs(1);
            try {
                for (int i = 0; i < 5; i++) {
                    Gort.go(() -> {});
                }
                queued.set(true);
                long spins = 0;
                while (!release.get()) {
                    spins += busy(100);
                }
                assertTrue(spins != 42);
            } finally {
                Gort.gomaxprocs(old);
            }
        }));
        runner.start();
        try {
            awaitTrue(queued::get, "the goroutines are queued");
            assertEquals(1, ((Number) attr("Gomaxprocs")).intValue());
            assertArrayEquals(new int[] {4}, (int[]) attr("RunQueueLengths"));
            assertEquals(0, ((Number) attr("IdleProcs")).intValue());
        } finally {
            release.set(true);
            runner.join();
        }
        assertEquals(procs, ((Number) attr("Gomaxprocs")).intValue());
    }

    @Test
    void goroutinesCreatedCountsEachGoroutine() {
        int n = 50;
        long before = count("GoroutinesCreated");
        Gort.run(() -> {
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < n; i++) {
                wg.go(() -> {});
            }
            wg.await();
        });
        long d = count("GoroutinesCreated") - before;
        // main and the n; nothing else in this JVM starts goroutines meanwhile (a stray one may).
        assertTrue(d >= n + 1 && d <= n + 1 + 5, "created " + d + ", want " + (n + 1));
    }

    @Test
    void contextSwitchesCountThePingPong() {
        int rounds = 2000;
        long before = count("ContextSwitches");
        Gort.run(() -> {
            Chan<Integer> ping = Chan.make();
            Chan<Integer> pong = Chan.make();
            Gort.go(() -> {
                for (int i = 0; i < rounds; i++) {
                    pong.send(ping.recv());
                }
            });
            for (int i = 0; i < rounds; i++) {
                ping.send(i);
                pong.recv();
            }
        });
        // Each round trip on unbuffered channels parks at least one of the two, which the
        // scheduler then switches to again (usually both: two switches a round).
        long d = count("ContextSwitches") - before;
        assertTrue(d >= rounds, "context switches " + d + " for " + rounds + " round trips");
    }

    @Test
    void preemptionsCountGoroutinesThatHoggedAP() {
        long before = count("Preemptions");
        Gort.run(() -> {
            // A buffered channel's send and receive never block, but each is a runtime call,
            // where a preemption request (sysmon's, after a 10 ms time slice) is acted on.
            Chan<Integer> c = Chan.make(1);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < end) {
                c.send(1);
                c.recv();
            }
        });
        long d = count("Preemptions") - before;
        assertTrue(d >= 1, "preemptions " + d + " after a goroutine ran 300 ms without blocking");
    }

    @Test
    void stealsCountWorkTakenByAnotherP() {
        long before = count("Steals");
        Gort.run(() -> {
            int old = Gort.gomaxprocs(2);
            try {
                // Many goroutines queued on one P with real work each: the other P's M, woken
                // by wakep, steals half the queue.
                for (int round = 0; round < 20 && count("Steals") == before; round++) {
                    WaitGroup wg = new WaitGroup();
                    for (int i = 0; i < 100; i++) {
                        wg.go(() -> {
                            if (busy(20_000) == 42) {
                                throw new AssertionError();
                            }
                        });
                    }
                    wg.await();
                }
            } finally {
                Gort.gomaxprocs(old);
            }
        });
        long d = count("Steals") - before;
        assertTrue(d >= 1, "steals " + d);
    }

    @Test
    void handoffsCountPsTakenFromABlockingSyscall() {
        long before = count("Handoffs");
        Gort.run(() -> {
            try {
                Gort.syscall(() -> Thread.sleep(100)); // sysmon takes the P after 10 ms at most
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        long d = count("Handoffs") - before;
        assertTrue(d >= 1, "handoffs " + d + " after a 100 ms syscall");
    }

    @Test
    void goroutineDumpIsTheGoroutineProfileText() throws Exception {
        Chan<Integer> never = Chan.make();
        PprofServerTest.onPlainThread(() -> {
            for (int i = 0; i < 3; i++) {
                Gort.go(() -> parkedForJmx(never));
            }
        });
        try {
            PprofTest.await(Map.of("RuntimeMXBeanTest.parkedForJmx", 3));
            String tracebacks = (String) invoke("goroutineDump", new Object[] {2}, new String[] {"int"});
            long shown = PprofTest.goroutines(tracebacks).values().stream()
                    .filter(b -> b.contains("dev.gort.tests.RuntimeMXBeanTest.parkedForJmx(")
                            && PprofTest.state(b).equals("chan receive"))
                    .count();
            assertEquals(3, shown, tracebacks);
            String counts = (String) invoke("goroutineDump", new Object[] {1}, new String[] {"int"});
            assertTrue(counts.startsWith("goroutine profile: total "), counts);
            assertTrue(counts.contains("\n3 @ "), counts);
            assertTrue(counts.contains("dev.gort.tests.RuntimeMXBeanTest.parkedForJmx"), counts);

            RuntimeMBeanException e = assertThrows(RuntimeMBeanException.class,
                    () -> invoke("goroutineDump", new Object[] {0}, new String[] {"int"}));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("debug=0"), e.getCause().getMessage());
        } finally {
            PprofServerTest.onPlainThread(never::close);
        }
    }

    @Test
    void writeProfileWritesWhatGoToolPprofReads() throws Exception {
        TraceCheck.requireGo();
        Chan<Integer> never = Chan.make();
        PprofServerTest.onPlainThread(() -> Gort.go(() -> parkedForJmx(never)));
        try {
            PprofTest.await(Map.of("RuntimeMXBeanTest.parkedForJmx", 1));
            Path f = dir.resolve("goroutine.pb.gz");
            invoke("writeProfile", new Object[] {"goroutine", f.toString(), 0}, new String[] {"java.lang.String", "java.lang.String", "int"});
            String raw = PprofTest.goToolPprofRaw(f);
            assertTrue(raw.contains("dev.gort.tests.RuntimeMXBeanTest.parkedForJmx"), raw);
            Path t = dir.resolve("threadcreate.txt");
            invoke("writeProfile", new Object[] {"threadcreate", t.toString(), 1}, new String[] {"java.lang.String", "java.lang.String", "int"});
            assertTrue(Files.readString(t).startsWith("threadcreate profile: total "), Files.readString(t));
        } finally {
            PprofServerTest.onPlainThread(never::close);
        }
    }

    @Test
    void badProfileNamesAndFilesAreErrorsNamingThem() throws Exception {
        String[] sig = {"java.lang.String", "java.lang.String", "int"};
        RuntimeMBeanException unknown = assertThrows(RuntimeMBeanException.class,
                () -> invoke("writeProfile", new Object[] {"nosuchprofile", dir.resolve("x").toString(), 1}, sig));
        assertInstanceOf(IllegalArgumentException.class, unknown.getCause());
        assertTrue(unknown.getCause().getMessage().contains("\"nosuchprofile\""), unknown.getCause().getMessage());
        assertTrue(unknown.getCause().getMessage().contains("goroutine"), unknown.getCause().getMessage());

        String unwritable = dir.resolve("no/such/dir/profile.pb.gz").toString();
        MBeanException io = assertThrows(MBeanException.class, () -> invoke("writeProfile", new Object[] {"goroutine", unwritable, 0}, sig));
        assertInstanceOf(IOException.class, io.getCause());
        assertTrue(io.getCause().getMessage().contains(unwritable), io.getCause().getMessage());

        // A proxy (what a Java client uses) throws the declared exceptions themselves.
        RuntimeMXBean rt = JMX.newMXBeanProxy(mbs, NAME, RuntimeMXBean.class);
        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class, () -> rt.writeProfile("heapz", "x", 0));
        assertTrue(iae.getMessage().contains("\"heapz\""), iae.getMessage());
        IOException ioe = assertThrows(IOException.class, () -> rt.startTrace(unwritable));
        assertTrue(ioe.getMessage().contains(unwritable), ioe.getMessage());
        rt.stopTrace(); // none running: nothing, as Go's trace.Stop
    }

    @Test
    void startTraceAndStopTraceWriteATraceGoAccepts() throws Exception {
        TraceCheck.requireGo();
        Path f = dir.resolve("jmx.trace");
        invoke("startTrace", new Object[] {f.toString()}, new String[] {"java.lang.String"});
        try {
            IllegalStateException twice = assertThrows(IllegalStateException.class,
                    () -> JMX.newMXBeanProxy(mbs, NAME, RuntimeMXBean.class).startTrace(dir.resolve("other").toString()));
            assertTrue(twice.getMessage().contains(f.toString()), twice.getMessage());
            Gort.run(() -> {
                Chan<Integer> c = Chan.make();
                Gort.go(() -> {
                    for (int i = 0; i < 100; i++) {
                        c.send(i);
                    }
                });
                for (int i = 0; i < 100; i++) {
                    c.recv();
                }
            });
        } finally {
            invoke("stopTrace", new Object[0], new String[0]);
        }
        TraceCheck.Result r = TraceCheck.check(f).assertOk();
        assertTrue(r.count("goroutines") >= 2, r.out());
        // Stopped: a new one may start.
        Path g = dir.resolve("again.trace");
        invoke("startTrace", new Object[] {g.toString()}, new String[] {"java.lang.String"});
        invoke("stopTrace", new Object[0], new String[0]);
        TraceCheck.check(g).assertOk();
    }
}
