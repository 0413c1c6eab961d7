package dev.gort.runtime;

import dev.gort.Gort;

import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;

/**
 * A fresh JVM for {@code dev.gort.tests.JmxRegistrationTest}: starts gort, waits for the runtime's
 * registration thread to finish (it ends once the bean is registered, or has failed), and
 * prints what a JMX client sees. Modes: {@code plain}; {@code server} (the platform MBean
 * server exists before gort starts); {@code taken} (something else holds the bean's name).
 */
public final class JmxProgram {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        ObjectName name = new ObjectName("dev.gort:type=Runtime");
        if (mode.equals("server") || mode.equals("taken")) {
            ManagementFactory.getPlatformMBeanServer();
        }
        if (mode.equals("taken")) {
            ManagementFactory.getPlatformMBeanServer().registerMBean(new StandardMBean((Runnable) () -> {}, Runnable.class), name);
        }
        Gort.run(() -> {});
        // Right after the start: no platform MBean server made for gort's sake yet.
        System.out.println("server-at-start=" + !MBeanServerFactory.findMBeanServer(null).isEmpty());
        Thread jmx = Jmx.thread;
        System.out.println("thread=" + (jmx != null) + (jmx != null ? " daemon=" + jmx.isDaemon() : ""));
        if (jmx != null) {
            jmx.join();
        }
        boolean registered = !MBeanServerFactory.findMBeanServer(null).isEmpty()
                && ManagementFactory.getPlatformMBeanServer().isRegistered(name);
        System.out.println("registered=" + registered);
        if (registered && !mode.equals("taken")) {
            // Gort.run returns once its main goroutine has ended: the count is 0 at once.
            Object n = ManagementFactory.getPlatformMBeanServer().getAttribute(name, "NumGoroutine");
            System.out.println("NumGoroutine=" + n);
        }
    }
}
