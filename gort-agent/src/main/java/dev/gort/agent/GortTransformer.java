package dev.gort.agent;

import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's one class file transformer. It never throws: a class it fails to transform
 * is left as it was and reported once on stderr, and the application never sees the
 * failure (docs/api.md, "The java agent").
 */
final class GortTransformer implements ClassFileTransformer {
    /** After this many reports, the rest are counted, not printed (a broken library could flood stderr). */
    private static final int MAX_REPORTS = 50;

    private final Scope scope;
    private final Instrumenter instrumenter;
    private final String mainClass;
    private final Path dump;
    private final TransformCache cache; // null without cache=
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final AtomicInteger reports = new AtomicInteger();

    GortTransformer(Scope scope, Instrumenter instrumenter, String mainClass, Path dump, TransformCache cache) {
        this.scope = scope;
        this.instrumenter = instrumenter;
        this.mainClass = mainClass;
        this.dump = dump;
        this.cache = cache;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null || classBeingRedefined != null) {
            return null;
        }
        boolean isMain = className.equals(mainClass);
        try {
            if (!isMain && !scope.instrument(loader, className)) {
                return null;
            }
            byte[] out = transform(classfileBuffer, isMain);
            if (out != null && dump != null) {
                write(className, out);
            }
            return out;
        } catch (Throwable t) {
            report(className, t);
            return null;
        }
    }

    /** The instrumenter's output (null: unchanged), from the cache when it has it. */
    private byte[] transform(byte[] classfile, boolean isMain) {
        if (cache == null || !cache.on()) {
            return instrumenter.transform(classfile, isMain);
        }
        TransformCache.Key key = cache.key(classfile, isMain);
        byte[] out = cache.get(key);
        if (out != null) {
            return out == TransformCache.UNCHANGED ? null : out;
        }
        out = instrumenter.transform(classfile, isMain); // a failure is reported and not cached
        cache.put(key, out);
        return out;
    }

    private void write(String className, byte[] out) {
        try {
            Path file = dump.resolve(className + ".class");
            Files.createDirectories(file.getParent());
            Files.write(file, out);
        } catch (IOException | RuntimeException e) {
            report(className + " (dump to " + dump + ")", e);
        }
    }

    private void report(String what, Throwable t) {
        if (!reported.add(what)) {
            return;
        }
        int n = reports.incrementAndGet();
        if (n <= MAX_REPORTS) {
            StackTraceElement at = t.getStackTrace().length > 0 ? t.getStackTrace()[0] : null;
            System.err.println("gort-agent: left " + what.replace('/', '.') + " uninstrumented: " + t
                    + (at != null ? " (at " + at + ")" : ""));
        } else if (n == MAX_REPORTS + 1) {
            System.err.println("gort-agent: more classes left uninstrumented; not reporting them");
        }
    }
}
