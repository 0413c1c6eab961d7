package dev.gort.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The CPU time of an M's thread, for sysmon's test of a goroutine stuck where the thread
 * state does not show it ({@link Syscall#claimStuck}, {@link ClassInits}). A thread waiting
 * in the VM (for a class initialization) or in native code is RUNNABLE but uses no CPU.
 *
 * <p>Read through {@code ThreadMXBean.getThreadCpuTime} (the thread's CPU clock: ~1 us a
 * read on Linux). The bean is looked up on first use, by sysmon (~20 ms, once), so a
 * program whose initializers are all fast never pays for it. Without java.management, or
 * on a JVM that cannot measure threads, every read answers -1 and nothing is judged stuck.
 * Sysmon's thread only.
 */
final class ThreadCpu {
    private ThreadCpu() {}

    private static ThreadMXBean bean;
    private static boolean unavailable;

    /** CPU nanoseconds t has used, or -1 if unknown. */
    static long time(Thread t) {
        ThreadMXBean b = bean;
        if (b == null) {
            if (unavailable) {
                return -1;
            }
            try {
                b = ManagementFactory.getThreadMXBean();
                if (!b.isThreadCpuTimeSupported()) {
                    unavailable = true;
                    return -1;
                }
                if (!b.isThreadCpuTimeEnabled()) {
                    b.setThreadCpuTimeEnabled(true);
                }
            } catch (RuntimeException | LinkageError e) {
                unavailable = true;
                return -1;
            }
            bean = b;
        }
        try {
            return b.getThreadCpuTime(t.threadId());
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
