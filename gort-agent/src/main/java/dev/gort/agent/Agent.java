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
        start(args, inst, false); // nothing can have loaded gort before the first premain
    }

    /**
     * Entry point for attaching to a running JVM (classes loaded from now on are
     * instrumented). If the application already loaded gort from its class path, that copy
     * is the one: the jar is not put on the bootstrap class path, or the hooks would link to
     * a second runtime.
     */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    private static boolean runtimeLoaded(Instrumentation inst) {
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getName().equals("dev.gort.runtime.Rt")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Puts the jar on the bootstrap class path, then calls Premain. The call is a plain
     * one, not reflection (whose method handles cost a starting JVM ~5 ms): this class's
     * loader asks its parents first, so the reference to Premain, resolved only when the
     * call runs, finds the boot loader's copy once the jar is there, and the jar's own copy
     * through this loader otherwise.
     */
    private static void start(String args, Instrumentation inst, boolean attached) {
        try {
            File jar = new File(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (jar.isFile() && !(attached && runtimeLoaded(inst))) {
                inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
            }
            Premain.start(args, inst, jar);
        } catch (java.io.IOException | java.net.URISyntaxException | RuntimeException | LinkageError e) {
            System.err.println("gort-agent: cannot start: " + e);
            System.exit(2);
        }
    }
}
