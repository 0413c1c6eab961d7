package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.time.Time;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Run by JmxJfrIT under the agent (gort on the boot class path) and a JFR recording started on
 * the command line: blocks in a wrapped JDK call, in the JDK unseen, and on a channel; reads
 * the MXBean from a plain thread that stays alive; then deadlocks (Gort.main: status 2), which
 * must still be reported.
 */
public final class JmxJfrUnderAgent {
    private JmxJfrUnderAgent() {}

    static void sleepInAWrappedCall() throws InterruptedException {
        Object lock = new Object();
        synchronized (lock) {
            lock.wait(60); // the agent wraps Object.wait as a blocking syscall
        }
    }

    static void waitOnAChannel(Chan<Integer> c) {
        c.recv();
    }

    static void parkedForTheDump(Chan<Integer> c) {
        c.recv();
    }

    public static void main(String[] args) throws Exception {
        Gort.run(() -> {
            try {
                sleepInAWrappedCall();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            Chan<Integer> c = Chan.make();
            Gort.go(() -> {
                Time.sleep(Duration.ofMillis(60));
                c.send(1);
            });
            waitOnAChannel(c);
            Chan<Integer> never = Chan.make();
            Gort.go(() -> parkedForTheDump(never)); // left behind: in the dump, and in the deadlock
        });
        System.out.println("the runtime's classes are the boot loader's: " + (Gort.class.getClassLoader() == null));

        MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.gort:type=Runtime");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!mbs.isRegistered(name) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        CountDownLatch read = new CountDownLatch(1);
        Thread client = new Thread(() -> {
            try {
                String dump = (String) mbs.invoke(name, "goroutineDump", new Object[] {2}, new String[] {"int"});
                System.out.println("Gomaxprocs=" + mbs.getAttribute(name, "Gomaxprocs") + " NumGoroutine="
                        + mbs.getAttribute(name, "NumGoroutine") + " dump: " + dump.contains("JmxJfrUnderAgent.parkedForTheDump"));
            } catch (Exception e) {
                System.out.println("JMX failed: " + e);
            }
            read.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE); // alive until the JVM exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jmx-client");
        client.setDaemon(true);
        client.start();
        read.await();
        System.out.flush();
        Gort.main(() -> Chan.<Integer>make().recv());
    }
}
