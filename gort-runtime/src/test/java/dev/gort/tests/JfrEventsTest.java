package dev.gort.tests;

import dev.gort.Chan;
import dev.gort.FatalError;
import dev.gort.Gort;
import dev.gort.time.Time;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.SettingDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * gort's JFR events, recorded with the JDK's own Recording and read back with its
 * RecordingFile: each event with its fields and stack, the defaults it declares, and a
 * deadlock still reported while JFR records and a JMX client reads the runtime.
 */
class JfrEventsTest {
    static final String[] EVENTS = {"dev.gort.SchedulerSummary", "dev.gort.SyscallBlocked", "dev.gort.GoroutineBlocked",
            "dev.gort.Handoff", "dev.gort.Fatal"};

    @TempDir
    Path dir;

    @BeforeAll
    static void startRuntime() {
        Gort.numGoroutine(); // the runtime, hence its JFR listener, is there before the recordings
    }

    /** A recording of every dev.gort event, with no threshold, the summary every 100 ms (stacks: the events' own defaults). */
    static Recording recording() {
        Recording r = new Recording();
        for (String e : EVENTS) {
            r.enable(e).withThreshold(Duration.ZERO);
        }
        r.enable("dev.gort.SchedulerSummary").withPeriod(Duration.ofMillis(100));
        return r;
    }

    List<RecordedEvent> dump(Recording r, String name) throws IOException {
        Path f = dir.resolve(name + ".jfr");
        r.dump(f);
        return RecordingFile.readAllEvents(f);
    }

    static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }

    static boolean hasFrame(RecordedEvent e, String type, String method) {
        return e.getStackTrace() != null && e.getStackTrace().getFrames().stream().anyMatch(f -> isFrame(f, type, method));
    }

    static boolean isFrame(RecordedFrame f, String type, String method) {
        return f.getMethod().getType().getName().equals(type) && f.getMethod().getName().equals(method);
    }

    static String stack(RecordedEvent e) {
        return e.getStackTrace() == null ? "(no stack)" : e.getStackTrace().getFrames().stream()
                .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName())
                .collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    static void blockInSyscall() throws InterruptedException {
        Gort.syscall(() -> Thread.sleep(100));
    }

    static void blockInTheJdk() throws InterruptedException {
        Thread.sleep(100); // no Gort.syscall, no agent: sysmon sees the M's thread TIMED_WAITING
    }

    static void blockedInRecv(Chan<Integer> c) {
        c.recv();
    }

    @Test
    void theEventsDeclareCategoryThresholdsAndPeriod() {
        try (Recording r = new Recording()) { // JFR up: the runtime registers its events
            Map<String, EventType> types = FlightRecorder.getFlightRecorder().getEventTypes().stream()
                    .filter(t -> t.getName().startsWith("dev.gort."))
                    .collect(Collectors.toMap(EventType::getName, t -> t));
            assertEquals(new java.util.TreeSet<>(List.of(EVENTS)), new java.util.TreeSet<>(types.keySet()));
            for (EventType t : types.values()) {
                assertEquals(List.of("gort"), t.getCategoryNames(), t.getName());
                assertNotNull(t.getLabel(), t.getName());
                assertNotNull(t.getDescription(), t.getName());
            }
            assertEquals("20 ms", setting(types.get("dev.gort.SyscallBlocked"), "threshold"));
            assertEquals("20 ms", setting(types.get("dev.gort.GoroutineBlocked"), "threshold"));
            assertEquals("0 ms", setting(types.get("dev.gort.Handoff"), "threshold"));
            assertEquals("1 s", setting(types.get("dev.gort.SchedulerSummary"), "period"));
            assertEquals("true", setting(types.get("dev.gort.SyscallBlocked"), "stackTrace"));
        }
    }

    private static String setting(EventType t, String name) {
        return t.getSettingDescriptors().stream().filter(s -> s.getName().equals(name)).map(SettingDescriptor::getDefaultValue)
                .findFirst().orElseThrow(() -> new AssertionError(t.getName() + " has no " + name + " setting"));
    }

    @Test
    void aSyscallLongerThanTheThresholdIsRecordedWithItsStackAndItsHandoff() throws Exception {
        AtomicLong goid = new AtomicLong();
        List<RecordedEvent> events;
        try (Recording r = recording()) {
            r.start();
            Gort.run(() -> {
                goid.set(Gort.goid());
                try {
                    blockInSyscall();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            r.stop();
            events = dump(r, "syscall");
        }
        List<RecordedEvent> sys = named(events, "dev.gort.SyscallBlocked").stream()
                .filter(e -> e.getLong("goid") == goid.get()).toList();
        assertEquals(1, sys.size(), () -> "one syscall of goroutine " + goid + ": " + events);
        RecordedEvent e = sys.get(0);
        assertTrue(e.getDuration().toMillis() >= 90, "duration " + e.getDuration());
        assertFalse(e.getBoolean("implicit"));
        assertTrue(hasFrame(e, JfrEventsTest.class.getName(), "blockInSyscall"), stack(e));
        // sysmon took the P (it never lets one sit in a syscall 10 ms)
        assertTrue(e.getBoolean("handedOff"), e.toString());
        List<RecordedEvent> handoffs = named(events, "dev.gort.Handoff").stream()
                .filter(h -> h.getLong("goid") == goid.get()).toList();
        assertEquals(1, handoffs.size(), () -> "the hand-off of goroutine " + goid + "'s P: " + events);
        RecordedEvent h = handoffs.get(0);
        assertFalse(h.getBoolean("implicit"));
        int proc = h.getInt("proc");
        assertTrue(proc >= 0 && proc < Gort.gomaxprocs(0), "P " + proc);
        assertTrue(h.getDuration("seenInSyscall").toNanos() > 0, h.toString());
        assertTrue(h.getStartTime().isAfter(e.getStartTime()) && h.getStartTime().isBefore(e.getEndTime()),
                "the hand-off happens during the syscall: " + h + e);
    }

    @Test
    void aBlockInTheJdkThatSysmonFoundIsAnImplicitSyscall() throws Exception {
        AtomicLong goid = new AtomicLong();
        List<RecordedEvent> events;
        try (Recording r = recording()) {
            r.start();
            Gort.run(() -> {
                goid.set(Gort.goid());
                try {
                    blockInTheJdk();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                Gort.gosched(); // a runtime entry: the goroutine leaves the implicit syscall
            });
            r.stop();
            events = dump(r, "implicit");
        }
        List<RecordedEvent> sys = named(events, "dev.gort.SyscallBlocked").stream()
                .filter(e -> e.getLong("goid") == goid.get()).toList();
        assertEquals(1, sys.size(), () -> "one syscall of goroutine " + goid + ": " + events);
        RecordedEvent e = sys.get(0);
        assertTrue(e.getBoolean("implicit"), e.toString());
        // From sysmon's claim (a tick or so after the block began) to the goroutine's return.
        assertTrue(e.getDuration().toMillis() >= 50, "duration " + e.getDuration());
        assertTrue(hasFrame(e, JfrEventsTest.class.getName(), "lambda$aBlockInTheJdkThatSysmonFoundIsAnImplicitSyscall$0")
                || hasFrame(e, JfrEventsTest.class.getName(), "lambda$aBlockInTheJdkThatSysmonFoundIsAnImplicitSyscall$1"), stack(e));
    }

    @Test
    void aGoroutineBlockedLongerThanTheThresholdIsRecordedWithItsWaitReasonAndStack() throws Exception {
        AtomicLong goid = new AtomicLong();
        List<RecordedEvent> events;
        try (Recording r = recording()) {
            r.start();
            Gort.run(() -> {
                Chan<Integer> c = Chan.make();
                Chan<Long> id = Chan.make(1);
                Chan<Boolean> done = Chan.make();
                Gort.go(() -> {
                    id.send(Gort.goid());
                    blockedInRecv(c);
                    done.send(true);
                });
                goid.set(id.recv());
                Time.sleep(Duration.ofMillis(100));
                c.send(1);
                done.recv();
            });
            r.stop();
            events = dump(r, "blocked");
        }
        List<RecordedEvent> blocked = named(events, "dev.gort.GoroutineBlocked").stream()
                .filter(e -> e.getLong("goid") == goid.get() && e.getString("waitReason").equals("chan receive")).toList();
        assertFalse(blocked.isEmpty(), () -> "goroutine " + goid + "'s chan receive: " + events);
        RecordedEvent e = blocked.stream().max(java.util.Comparator.comparing(RecordedEvent::getDuration)).orElseThrow();
        assertTrue(e.getDuration().toMillis() >= 90, "duration " + e.getDuration());
        assertTrue(hasFrame(e, JfrEventsTest.class.getName(), "blockedInRecv"), stack(e));
        // main's sleep is a wait too
        assertTrue(named(events, "dev.gort.GoroutineBlocked").stream().anyMatch(x -> x.getString("waitReason").equals("sleep")
                && x.getDuration().toMillis() >= 90), events::toString);
    }

    @Test
    void theDefaultThresholdLeavesShortWaitsOut() throws Exception {
        AtomicLong goid = new AtomicLong();
        List<RecordedEvent> events;
        try (Recording r = new Recording()) {
            r.enable("dev.gort.GoroutineBlocked"); // the declared threshold: 20 ms
            r.start();
            Gort.run(() -> {
                goid.set(Gort.goid());
                Chan<Integer> ping = Chan.make();
                Gort.go(() -> {
                    for (int i = 0; i < 100; i++) {
                        ping.send(i);
                    }
                });
                for (int i = 0; i < 100; i++) {
                    ping.recv(); // short waits
                }
                Time.sleep(Duration.ofMillis(60)); // one long one
            });
            r.stop();
            events = dump(r, "threshold");
        }
        List<RecordedEvent> mine = named(events, "dev.gort.GoroutineBlocked").stream()
                .filter(e -> e.getLong("goid") == goid.get()).toList();
        assertEquals(List.of("sleep"), mine.stream().map(e -> e.getString("waitReason")).toList(), mine::toString);
    }

    @Test
    void theSchedulerSummaryIsPeriodic() throws Exception {
        List<RecordedEvent> events;
        try (Recording r = recording()) {
            r.start();
            Gort.run(() -> {
                for (int i = 0; i < 10; i++) {
                    Gort.go(() -> {});
                }
            });
            RuntimeMXBeanTest.awaitTrue(() -> {
                try {
                    return named(dump(r, "summary-wait"), "dev.gort.SchedulerSummary").size() >= 3;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, "three scheduler summaries, 100 ms apart");
            r.stop();
            events = dump(r, "summary");
        }
        List<RecordedEvent> s = named(events, "dev.gort.SchedulerSummary");
        RecordedEvent last = s.get(s.size() - 1);
        assertEquals(Gort.gomaxprocs(0), last.getInt("gomaxprocs"));
        assertTrue(last.getLong("goroutinesCreated") >= 11, last.toString());
        assertTrue(last.getLong("contextSwitches") >= 11, last.toString());
        assertTrue(last.getLong("threads") >= 1, last.toString());
        int idle = last.getInt("idleProcs");
        assertTrue(idle >= 0 && idle <= Gort.gomaxprocs(0), last.toString());
        for (String f : List.of("goroutines", "spinningThreads", "globalRunQueue", "localRunQueues", "preemptions",
                "steals", "handoffs")) {
            assertTrue(last.hasField(f), f);
        }
        assertNull(last.getStackTrace(), "the summary declares no stack (@StackTrace(false))");
    }

    /**
     * The JMX and JFR threads leave deadlock detection on: a goroutine dump run on a plain
     * thread that stays alive, and JFR's periodic thread, must not count as plain threads
     * that used gort (a live one would postpone every verdict). The verdict is a JFR event too.
     */
    @Test
    void aDeadlockIsReportedWhileTheMxBeanIsReadAndJfrRecords() throws Exception {
        var mbs = RuntimeMXBeanTest.server();
        List<RecordedEvent> events;
        CountDownLatch dumped = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Object> dump = new AtomicReference<>();
        Thread jmxClient = new Thread(() -> {
            try {
                dump.set(mbs.invoke(RuntimeMXBeanTest.NAME, "goroutineDump", new Object[] {2}, new String[] {"int"}));
                dump.compareAndSet(null, mbs.getAttribute(RuntimeMXBeanTest.NAME, "NumGoroutine"));
            } catch (Exception e) {
                dump.set(e);
            }
            dumped.countDown();
            try {
                release.await(); // alive until the verdict
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jmx-client");
        jmxClient.setDaemon(true);
        jmxClient.start();
        try (Recording r = recording()) {
            r.start();
            assertTrue(dumped.await(30, TimeUnit.SECONDS));
            assertInstanceOf(String.class, dump.get(), String.valueOf(dump.get()));
            RuntimeMXBeanTest.awaitTrue(() -> {
                try {
                    return !named(dump(r, "periodic-ran"), "dev.gort.SchedulerSummary").isEmpty();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, "JFR's periodic thread has read the runtime");
            PrintStream saved = System.err;
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            System.setErr(new PrintStream(buf, true));
            try {
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Thread run = new Thread(() -> {
                    try {
                        Gort.run(() -> Chan.<Integer>make().recv());
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                });
                run.start();
                run.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(run.isAlive(), "no deadlock verdict while the JMX client thread lives");
                assertInstanceOf(FatalError.class, thrown.get());
                assertEquals("all goroutines are asleep - deadlock!", thrown.get().getMessage());
            } finally {
                System.setErr(saved);
            }
            r.stop();
            events = dump(r, "deadlock");
        } finally {
            release.countDown();
        }
        List<RecordedEvent> fatal = named(events, "dev.gort.Fatal");
        assertEquals(1, fatal.size(), events::toString);
        RecordedEvent f = fatal.get(0);
        assertEquals("fatal error", f.getString("kind"));
        assertEquals("all goroutines are asleep - deadlock!", f.getString("message"));
        assertTrue(f.getString("report").startsWith("fatal error: all goroutines are asleep - deadlock!\n"), f.getString("report"));
        assertTrue(f.getString("report").contains("[chan receive]"), f.getString("report"));
    }
}
