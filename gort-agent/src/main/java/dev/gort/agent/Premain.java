package dev.gort.agent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;

/**
 * The agent's start, loaded from the bootstrap class path ({@link Agent} put the agent jar
 * there): parse the options, open the JDK's continuations to gort, pass {@code maxprocs},
 * {@code debug} and {@code trace} on as gort's system properties, set up {@code flight}
 * ({@link FlightOnDeath}) and {@code pprof} ({@link PprofOnStart}), and install the transformer.
 */
public final class Premain {
    private Premain() {}

    /** jar: the agent jar ({@link Agent} found it), which the cache's key fingerprints. */
    public static void start(String args, Instrumentation inst, java.io.File jar) {
        Options options;
        String mainClass = null;
        try {
            options = Options.parse(args);
            if (options.dump() != null) {
                Files.createDirectories(options.dump());
            }
            if (options.mainGoroutine()) {
                mainClass = mainClass();
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("gort-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        openContinuations(inst);
        if (options.maxprocs() != null) {
            System.setProperty("gort.maxprocs", Integer.toString(options.maxprocs()));
        }
        if (options.debug() != null) {
            System.setProperty("gort.debug", options.debug());
        }
        if (options.trace() != null) {
            System.setProperty("gort.trace", options.trace().toString());
        }
        if (options.flight() != null) {
            FlightOnDeath.install(options.flight());
        }
        if (options.pprof() != null) {
            PprofOnStart.install(options.pprof());
        }
        // The injected checks' flag hands itself to the runtime when its class initializes:
        // do it now, before any goroutine can be asked to yield.
        dev.gort.runtime.hook.Preemption.init();
        Instrumenter instrumenter = new Instrumenter(options, dev.gort.runtime.HookRt.asyncPreemptOff());
        Scope scope = new Scope(options.include(), options.exclude());
        TransformCache cache = options.cache() == null ? null : openCache(options, jar);
        inst.addTransformer(new GortTransformer(scope, instrumenter, mainClass, options.dump(), cache), false);
    }

    /**
     * cache=DIR, keyed by this agent jar's bytes. Never stops the JVM: a cache it cannot
     * use is one warning and a run without it. At exit, the entries not yet written are
     * written; {@code -Dgort.agent.cachestats=true} then prints its hits and misses (for
     * tests and measurements).
     */
    static TransformCache openCache(Options options, java.io.File jar) {
        byte[] build;
        try {
            if (!jar.isFile()) {
                throw new IOException("not loaded from a jar: " + jar);
            }
            build = TransformCache.fingerprint(jar);
        } catch (IOException | RuntimeException e) {
            System.err.println("gort-agent: cache " + options.cache() + ": cannot tell the agent's build (" + e.getMessage()
                    + "); transforming without the cache");
            return null;
        }
        TransformCache cache = TransformCache.open(options.cache(), build,
                TransformCache.optionsKey(options, dev.gort.runtime.HookRt.asyncPreemptOff()));
        Runtime.getRuntime().addShutdownHook(new CacheAtExit(cache, Boolean.getBoolean("gort.agent.cachestats")));
        return cache;
    }

    /**
     * At exit: writes what the writer thread has not written yet, then the pack of the
     * entries this run used. A class, not a lambda: a lambda's bootstrap costs a starting
     * JVM ~3 ms.
     */
    private static final class CacheAtExit extends Thread {
        private final TransformCache cache;
        private final boolean stats;

        CacheAtExit(TransformCache cache, boolean stats) {
            super("gort-agent cache flush");
            this.cache = cache;
            this.stats = stats;
        }

        @Override
        public void run() {
            cache.atExit(10_000);
            if (stats) {
                System.err.println(cache.stats());
            }
        }
    }

    /** Exports jdk.internal.vm to wherever gort's runtime is loaded from: boot, and the class path. */
    static void openContinuations(Instrumentation inst) {
        Set<Module> gort = new HashSet<>();
        gort.add(Premain.class.getModule());
        gort.add(dev.gort.runtime.HookRt.class.getModule());
        gort.add(ClassLoader.getSystemClassLoader().getUnnamedModule());
        Module base = Object.class.getModule();
        inst.redefineModule(base, Set.of(), Map.of("jdk.internal.vm", gort), Map.of(), Set.of(), Map.of());
    }

    /** The application's main class (internal name), from the launcher's command line. */
    static String mainClass() throws IOException {
        String cmd = System.getProperty("sun.java.command", "").trim();
        String first = cmd.isEmpty() ? "" : cmd.split("\\s+")[0];
        if (first.endsWith(".jar")) {
            try (JarFile jar = new JarFile(first)) {
                String main = jar.getManifest() == null ? null : jar.getManifest().getMainAttributes().getValue("Main-Class");
                if (main == null) {
                    throw new IllegalArgumentException("main=goroutine: " + first + " names no Main-Class");
                }
                first = main;
            }
        }
        int slash = first.indexOf('/');
        if (slash >= 0 && !first.endsWith(".jar")) {
            first = first.substring(slash + 1); // -m module/class
        }
        if (first.isEmpty()) {
            throw new IllegalArgumentException("main=goroutine: cannot tell the application's main class");
        }
        return first.replace('.', '/');
    }
}
