package dev.gort.runtime;

/**
 * The platform MXBean {@code dev.gort:type=Runtime} ({@code dev.gort.pprof.RuntimeMXBean},
 * what JConsole and JMC show): registered once per runtime, on a daemon thread of its own,
 * so the start never waits for it and never fails because of it (a failure is one line on
 * stderr). Go has no counterpart; its expvar and runtime/metrics play the part.
 *
 * <h2>When</h2>
 * The platform MBean server is costly to create: ~170 ms, and ~0.3 s of CPU with the JIT
 * work it brings (measured on 2 cores, JDK 25). A JVM that uses JMX has paid for it
 * already: if the server exists when the runtime starts, the bean is registered at once.
 * Otherwise it is registered {@link #REGISTER_DELAY_MILLIS} later, so a short program (a
 * tool, a test) pays nothing, and a long-running one, the kind JConsole attaches to, has it
 * after a second. {@code gort.jmx=false} turns it off.
 *
 * <p>The bean lives beside the profiles it serves, in {@code dev.gort.pprof}, which the
 * runtime does not link against: its class registers itself when it is initialized
 * ({@link #BEAN_CLASS}), by name, with the runtime's own loader (the boot loader under the
 * agent). This class names no {@code java.management} type outside the thread's body, so
 * the runtime links on a JDK without the module.
 */
final class Jmx {
    private Jmx() {}

    /** The property that turns registration off ({@code false}) or on ({@code true}, the default). */
    static final String PROPERTY = "gort.jmx";
    /** How long after the start a JVM with no MBean server yet gets one for the bean (see the class comment). */
    static final long REGISTER_DELAY_MILLIS = 1000;
    /** The bean's class; its static initializer registers it. */
    static final String BEAN_CLASS = "dev.gort.pprof.RuntimeBean";

    /** The registration thread, null if there is none (gort.jmx=false, no JMX); tests join it. */
    static volatile Thread thread;

    /** At the runtime's start (once). */
    static void start() {
        String v = System.getProperty(PROPERTY);
        if (v != null && v.trim().equals("false")) {
            return;
        }
        if (v != null && !v.isBlank() && !v.trim().equals("true")) {
            Env.warn(PROPERTY + "=\"" + v + "\" is not true or false; using true");
        }
        if (ModuleLayer.boot().findModule("java.management").isEmpty()) {
            return; // a JDK without JMX: nothing to register with
        }
        Thread t = new Thread(null, Jmx::register, "gort-jmx", 0, false);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private static void register() {
        try {
            if (javax.management.MBeanServerFactory.findMBeanServer(null).isEmpty()) {
                Thread.sleep(REGISTER_DELAY_MILLIS);
            }
            Class.forName(BEAN_CLASS, true, Jmx.class.getClassLoader());
        } catch (InterruptedException e) {
            // the JVM is going down
        } catch (Throwable t) {
            Env.warn("the MXBean dev.gort:type=Runtime is not registered: " + t);
        }
    }
}
