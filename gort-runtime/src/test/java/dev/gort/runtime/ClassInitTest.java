package dev.gort.runtime;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.sync.WaitGroup;
import dev.gort.tests.JavaProcess;
import dev.gort.time.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Static initializers (ClassInits): goroutines waiting inside the VM for another's class
 * initialization give their Ps up, so the initializer, and whatever it waits for, can run;
 * a true cycle is reported as a deadlock. Each test has classes of its own: a class is
 * initialized once per JVM. Without the agent here (the hooks are called by hand where a
 * test needs them); gort-agent's ClassInitIT runs the same programs under the agent.
 */
class ClassInitTest {

    /** What Init1's initializer waits on, apart from it (touching them must not initialize Init1). */
    static final class Wire1 {
        static final Chan<Integer> started = Chan.make(1);
        static final Chan<Integer> value = Chan.make();
    }

    /** An initializer that says it started, then waits for a value on a channel. */
    static final class Init1 {
        static final int VALUE;

        static {
            Wire1.started.send(1);
            VALUE = Wire1.value.recv();
        }
    }

    /**
     * The initializer parks on a channel (pinned: its P is handed off), three goroutines touch
     * the class and wait inside the VM holding the only P, and the sender sleeps on a timer
     * of that P first. Hung for good before gort knew about initializers: nothing took the
     * waiter's P (its thread is RUNNABLE), so neither the timer nor the sender ever ran.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anInitializerWaitingOnAChannelIsNotStarvedByItsWaiters() {
        int[] seen = new int[4];
        runWithProcs(1, () -> {
            WaitGroup wg = new WaitGroup();
            wg.go(() -> seen[0] = Init1.VALUE);
            Wire1.started.recv(); // the initializer has begun; it parks next
            for (int i = 1; i < seen.length; i++) {
                int k = i;
                wg.go(() -> seen[k] = Init1.VALUE); // each waits inside the VM, holding the P
            }
            wg.go(() -> {
                Time.sleep(Duration.ofMillis(20)); // a timer on the P the waiters hold
                Wire1.value.send(42);
            });
            wg.await();
        });
        assertArrayEquals(new int[] {42, 42, 42, 42}, seen);
        countsSettle();
    }

    static final class Wire2 {
        static final Chan<Integer> started = Chan.make(1);
        static final Chan<Integer> value = Chan.make();
    }

    static final class Init2 {
        static final int VALUE;

        static {
            Wire2.started.send(1);
            VALUE = Wire2.value.recv();
        }
    }

    /** The same with two Ps and eight waiters: both Ps are held by waiters. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void eightWaitersOnTwoPs() {
        AtomicInteger sum = new AtomicInteger();
        runWithProcs(2, () -> {
            WaitGroup wg = new WaitGroup();
            wg.go(() -> sum.addAndGet(Init2.VALUE));
            Wire2.started.recv();
            for (int i = 0; i < 8; i++) {
                wg.go(() -> sum.addAndGet(Init2.VALUE));
            }
            wg.go(() -> {
                Time.sleep(Duration.ofMillis(20));
                Wire2.value.send(5);
            });
            wg.await();
        });
        assertEquals(9 * 5, sum.get());
        countsSettle();
    }

    /** An initializer bracketed by the hooks, as the agent does, that sleeps as Thread.sleep does under it. */
    static final class Init3 {
        static final int DEPTH_INSIDE;
        static final int VALUE;

        static {
            HookRt.clinitEnter(Init3.class);
            try {
                DEPTH_INSIDE = HookRt.clinitDepth();
                HookRt.sleep(100_000_000); // the agent's Thread.sleep
                VALUE = 7;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                HookRt.clinitExit(Init3.class);
            }
        }
    }

    /**
     * The program with the agent's hooks: inside an initializer Thread.sleep sleeps
     * the thread (a blocking syscall: the P is handed off), the other goroutine waits for the
     * class holding the only P, and the sleeper needs a P back to finish.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void withTheHooksASleepingInitializerGetsAPBack() {
        int[] seen = new int[2];
        int[] depthAfter = new int[1];
        runWithProcs(1, () -> {
            WaitGroup wg = new WaitGroup();
            wg.go(() -> seen[0] = Init3.VALUE);
            wg.go(() -> seen[1] = Init3.VALUE);
            wg.await();
            depthAfter[0] = HookRt.clinitDepth();
        });
        assertArrayEquals(new int[] {7, 7}, seen);
        assertEquals(1, Init3.DEPTH_INSIDE);
        assertEquals(0, depthAfter[0]);
        countsSettle();
    }

    /** The hooks on a plain thread do nothing (its initializer needs no P). */
    @Test
    void onAPlainThreadTheHooksDoNothing() {
        int before = ClassInits.active.get();
        HookRt.clinitEnter(String.class);
        assertEquals(-1, HookRt.clinitDepth());
        assertEquals(before, ClassInits.active.get());
        HookRt.clinitExit(String.class);
        assertEquals(before, ClassInits.active.get());
    }

    /**
     * Nested initializers count once; an exit pops its class and whatever its lost exits
     * left above it; an exit without an entry is ignored; leaving the last one restores a
     * preemption request deferred meanwhile (Go's releasem).
     */
    @Test
    void nestingAndLostExits() {
        dev.gort.runtime.hook.Preemption.init(); // as the agent does: the flag is the runtime's to raise
        int[] depths = new int[6];
        int[] active = new int[3];
        boolean[] raised = new boolean[1];
        runWithProcs(1, () -> {
            int base = ClassInits.active.get();
            G gp = Park.getg();
            ClassInits.enter(gp, Integer.class);
            ClassInits.enter(gp, Long.class);
            depths[0] = gp.inits().depth;
            active[0] = ClassInits.active.get() - base;
            ClassInits.exit(gp, Long.class);
            depths[1] = gp.inits().depth;
            ClassInits.exit(gp, Short.class); // never entered: ignored
            depths[2] = gp.inits().depth;
            ClassInits.enter(gp, Byte.class);
            ClassInits.enter(gp, Character.class); // its exit is lost
            ClassInits.exit(gp, Byte.class);
            depths[3] = gp.inits().depth;
            active[1] = ClassInits.active.get() - base;
            gp.preempt = true; // a request sysmon made meanwhile: the initializer could not act
            dev.gort.runtime.hook.Preemption.requested = 0;
            ClassInits.exit(gp, Integer.class);
            raised[0] = dev.gort.runtime.hook.Preemption.requested != 0;
            gp.preempt = false;
            depths[4] = gp.inits() == null ? 0 : -1;
            active[2] = ClassInits.active.get() - base;
            ClassInits.exit(gp, Integer.class); // once more: ignored
            depths[5] = gp.inits() == null ? 0 : -1;
        });
        assertArrayEquals(new int[] {2, 1, 1, 1, 0, 0}, depths);
        assertArrayEquals(new int[] {1, 1, 0}, active);
        assertTrue(raised[0], "leaving the last initializer re-raised the deferred request");
    }

    /** The dump lines the deadlock detector reads (HotSpot's Thread.print). */
    @Test
    void threadDumpLinesAreRead() {
        String dump = """
                "gort-m0" #22 [20066] daemon prio=5 os_prio=0 cpu=13.50ms elapsed=3.00s tid=0x1 nid=20066 waiting on condition  [0x0]
                   java.lang.Thread.State: WAITING (parking)
                \tat jdk.internal.misc.Unsafe.park(java.base@25.0.3/Native Method)

                "gort-m1" #24 [20068] daemon prio=5 os_prio=0 cpu=0.30ms elapsed=2.98s tid=0x2 nid=20068 in Object.wait()  [0x0]
                   java.lang.Thread.State: RUNNABLE
                \tat repro.SlowInit.lambda$main$1(SlowInit.java:21)
                \t- waiting on the Class initialization monitor for repro.SlowInit$Slow
                \tat repro.SlowInit$$Lambda/0x0000000011045c00.run(Unknown Source)
                """;
        assertEquals(Map.of("gort-m1", "repro.SlowInit$Slow"), ClassInits.parseInitWaits(dump));
    }

    /** The JVM's own dump, live: a plain thread waiting for another's initialization is named in it. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theJvmsDumpNamesAThreadWaitingForAnInitialization() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Gate.inside = inside;
        Gate.release = release;
        Thread initializer = new Thread(() -> Gated.touch(), "test-initializer");
        initializer.start();
        inside.await();
        Thread waiter = new Thread(() -> Gated.touch(), "test-init-waiter");
        waiter.start();
        try {
            waitUntil("the waiter shows in the dump", () -> {
                Map<String, String> w = ClassInits.initWaits();
                return w != null && Gated.class.getName().equals(w.get("test-init-waiter"));
            });
        } finally {
            release.countDown();
            initializer.join();
            waiter.join();
        }
    }

    static final class Gate {
        static volatile java.util.concurrent.CountDownLatch inside;
        static volatile java.util.concurrent.CountDownLatch release;
    }

    static final class Gated {
        static {
            Gate.inside.countDown();
            try {
                Gate.release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        static void touch() {}
    }

    /**
     * True cycles, in a fresh JVM each (their threads stay blocked in the VM for good): an
     * initializer waiting for a goroutine that waits for that initialization dies with Go's
     * deadlock report, naming the class, instead of hanging silently.
     */
    @Test
    void aCycleThroughAChannelIsADeadlock() {
        JavaProcess.Result r = JavaProcess.run(60, JavaProcess.ADD_EXPORTS.split(" ")[0],
                JavaProcess.ADD_EXPORTS.split(" ")[1], "-Dgort.maxprocs=1", "-cp", JavaProcess.testClassPath(),
                dev.gort.tests.ClassInitCycle.class.getName());
        assertEquals(2, r.exit(), r::describe);
        String err = r.err();
        assertTrue(err.startsWith("fatal error: all goroutines are asleep - deadlock!\n"), err);
        assertTrue(err.contains("goroutine 1 [chan receive]:\ndev.gort.tests.ClassInitCycle$K.<clinit>(...)\n"),
                "the initializer's stack, from its own frames (the runtime's, and the JDK's park under them, hidden): " + err);
        assertTrue(err.contains(" [class initialization]:\ndev.gort.tests.ClassInitCycle.lambda$"), err);
        assertTrue(err.contains("waiting for the initialization of dev.gort.tests.ClassInitCycle$K by goroutine 1\n"), err);
        assertEquals("", r.out());
    }

    /** The stuck goroutines leave their syscalls at their next runtime call; no initializer is left. */
    private static void countsSettle() {
        waitUntil("no goroutine left stuck or in an implicit syscall, no initializer",
                () -> Syscall.nstuck.get() == 0 && Syscall.nimplicit.get() == 0 && ClassInits.active.get() == 0);
        assertEquals(0, Syscall.nawake.get());
    }
}
