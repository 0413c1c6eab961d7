package dev.gort.runtime;

/**
 * Checks, before any class that links against {@code jdk.internal.vm} is touched, that
 * the JDK's continuations are open to gort, and otherwise fails with a message naming
 * the exact flag to add.
 *
 * <p>Access comes from one of: {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}
 * on the command line, {@code Add-Exports: java.base/jdk.internal.vm} in the manifest of
 * the main jar of {@code java -jar}, or gort's java agent (which opens the package with
 * {@code Instrumentation.redefineModule}). Without it, linking {@link ContinuationStack} would throw
 * an {@link IllegalAccessError} that names neither gort nor the fix.
 *
 * <p>Rejected: checking in a static initializer and throwing there. A failed class
 * initialization turns every later use into an opaque {@code NoClassDefFoundError};
 * here every use gets the same clear message, and a later grant (an agent attached
 * at run time) is noticed.
 */
final class VmAccess {
    private static volatile boolean granted = isGranted();

    private VmAccess() {}

    private static boolean isGranted() {
        return Object.class.getModule().isExported("jdk.internal.vm", VmAccess.class.getModule());
    }

    /** Throws {@link IllegalStateException} naming the missing flag unless access is granted. */
    static void check() {
        if (!granted && !(granted = isGranted())) {
            throw new IllegalStateException(message());
        }
    }

    static String message() {
        Module me = VmAccess.class.getModule();
        String target = me.isNamed() ? me.getName() : "ALL-UNNAMED";
        return "gort runs goroutines on the JDK's continuations (jdk.internal.vm.Continuation), "
                + "which this JVM does not export to gort. Add this flag to the java command line: "
                + "--add-exports java.base/jdk.internal.vm=" + target
                + " (for an executable jar, the manifest line 'Add-Exports: java.base/jdk.internal.vm'"
                + " does the same; or run under -javaagent:gort-agent.jar)";
    }
}
