package dev.gort.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The CPU time of an M's thread, for sysmon's test of a goroutine stuck where the thread
 * state does not show it ({@link Syscall#claimStuck}, {@link ClassInits}). A thread waiting
 * in the VM (for a class initialization) or in native code is RUNNABLE but uses no CPU.
 *
 * <p>Read through {@code ThreadMXBean.getThreadCpuTime} (the thread's CPU clock: ~1 us a
 * read on Linux). The bean is looked up once, on first use, by a thread of its own: the
 * lookup loads and initializes JDK classes for ~20 ms, and sysmon must never wait for a
 * class initialization (one of those classes could be in the middle of its initializer on
 * another thread). Until the bean is there every read answers -1, "unknown", as it does for
 * good without java.management or on a JVM that cannot measure threads: then nothing is
 * judged stuck. A program whose initializers are all fast never looks the bean up.
 */
final class ThreadCpu {
    private ThreadCpu() {}

    /** Set once by the lookup thread; read by sysmon. */
    private static volatile ThreadMXBean bean;
    /** Whether the lookup was started (sysmon's thread only). */
    private static boolean lookedUp;

    /** CPU nanoseconds t has used, or -1 if unknown (yet). */
    static long time(Thread t) {
        ThreadMXBean b = bean;
        if (b == null) {
            if (!lookedUp) {
                lookedUp = true;
                Thread l = new Thread(null, ThreadCpu::lookup, "gort-threadcpu", 0, false);
                l.setDaemon(true);
                l.start();
            }
            return -1;
        }
        try {
            return b.getThreadCpuTime(t.threadId());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static void lookup() {
        try {
            ThreadMXBean b = ManagementFactory.getThreadMXBean();
            if (!b.isThreadCpuTimeSupported()) {
                return;
            }
            if (!b.isThreadCpuTimeEnabled()) {
                b.setThreadCpuTimeEnabled(true);
            }
            bean = b;
        } catch (RuntimeException | LinkageError e) {
            // No java.management, or no thread CPU clocks: nothing is judged stuck.
        }
    }
}
