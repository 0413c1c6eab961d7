package dev.gort.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

/**
 * gort's java agent ({@code -javaagent:gort-agent.jar[=options]}): a trampoline. The
 * launcher loads this class with the system class loader; it appends the agent jar (which
 * carries the runtime) to the bootstrap class path and hands over to {@link Premain} loaded
 * from there. So gort's runtime and hooks are loaded once, by the boot loader, where every
 * class loader finds them (loaders that never delegate to the system loader, such as
 * application servers' and plugin loaders, still delegate to the boot loader); an
 * application that has gort on its class path too gets the same copy, since the system
 * loader asks its parents first.
 *
 * <p>Rejected: injecting the hook classes into each class loader that defines an
 * instrumented class (fragile, and a second copy of the runtime's state per loader).
 */
public final class Agent {
    private Agent() {}

    /** Entry point for {@code -javaagent}. */
    public static void premain(String args, Instrumentation inst) {
        start(args, inst);
    }

    /**
     * Entry point for attaching to a running JVM (classes loaded from now on are
     * instrumented). If the application already loaded gort from its class path, that copy
     * is the one: the jar is not put on the bootstrap class path, or the hooks would link to
     * a second runtime.
     */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst);
    }

    private static boolean runtimeLoaded(Instrumentation inst) {
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getName().equals("dev.gort.runtime.Rt")) {
                return true;
            }
        }
        return false;
    }

    private static void start(String args, Instrumentation inst) {
        ClassLoader from = Agent.class.getClassLoader();
        try {
            File jar = new File(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (jar.isFile() && !runtimeLoaded(inst)) {
                inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
                from = null;
            }
            Class.forName("dev.gort.agent.Premain", true, from)
                    .getMethod("start", String.class, Instrumentation.class)
                    .invoke(null, args, inst);
        } catch (ReflectiveOperationException | java.io.IOException | java.net.URISyntaxException | RuntimeException e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            System.err.println("gort-agent: cannot start: " + cause);
            System.exit(2);
        }
    }
}
