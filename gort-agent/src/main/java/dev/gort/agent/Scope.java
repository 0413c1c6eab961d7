package dev.gort.agent;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which classes the agent instruments: never the JDK (the boot and platform loaders, or a
 * JDK package name), gort's runtime or the agent itself (the runtime is never preempted:
 * docs/design.md, "The agent"); then, if {@code include} is given, only classes matching it, and never
 * those matching {@code exclude}. Nested and inner classes (and so the classes javac makes
 * for anonymous classes) follow their outermost class; lambdas are methods of their class.
 */
final class Scope {
    private static final List<String> JDK_PREFIXES = List.of("java/", "javax/", "jdk/", "sun/", "com/sun/");
    /** gort's runtime packages (exactly these; dev.gort.examples and others are applications). */
    private static final Set<String> GORT_PACKAGES = Set.of("dev/gort", "dev/gort/runtime", "dev/gort/runtime/hook",
            "dev/gort/sync", "dev/gort/time", "dev/gort/net", "dev/gort/trace", "dev/gort/pprof");

    private final List<Pattern> include;
    private final List<Pattern> exclude;

    Scope(List<Pattern> include, List<Pattern> exclude) {
        this.include = include;
        this.exclude = exclude;
    }

    /** Whether to instrument the class (internal name) defined by loader (null: boot). */
    boolean instrument(ClassLoader loader, String internalName) {
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            return false;
        }
        return instrument(internalName);
    }

    boolean instrument(String internalName) {
        if (isRuntime(internalName)) {
            return false;
        }
        String name = internalName.replace('/', '.');
        int dollar = name.indexOf('$', name.lastIndexOf('.') + 1);
        String outer = dollar > 0 ? name.substring(0, dollar) : name;
        if (!include.isEmpty() && !matches(include, name) && !matches(include, outer)) {
            return false;
        }
        return !matches(exclude, name) && !matches(exclude, outer);
    }

    /** The JDK, gort's runtime, and the agent (with its shaded ASM). */
    static boolean isRuntime(String internalName) {
        for (String p : JDK_PREFIXES) {
            if (internalName.startsWith(p)) {
                return true;
            }
        }
        if (internalName.startsWith("dev/gort/agent/")) {
            return true;
        }
        int slash = internalName.lastIndexOf('/');
        return slash > 0 && GORT_PACKAGES.contains(internalName.substring(0, slash));
    }

    private static boolean matches(List<Pattern> patterns, String name) {
        for (Pattern p : patterns) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }
}
