package dev.gort.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ScopeTest {
    private static Scope scope(String options) {
        Options o = Options.parse(options);
        return new Scope(o.include(), o.exclude());
    }

    @Test
    void neverTheJdkGortOrTheAgent() {
        Scope s = scope("");
        for (String n : new String[] {"java/lang/String", "javax/net/X", "jdk/internal/Y", "sun/misc/Unsafe",
                "com/sun/Z", "dev/gort/Gort", "dev/gort/runtime/Sched", "dev/gort/runtime/hook/Preemption",
                "dev/gort/sync/Mutex", "dev/gort/time/Timer", "dev/gort/agent/Agent", "dev/gort/agent/asm/ClassReader"}) {
            assertFalse(s.instrument(n), n);
        }
        assertTrue(s.instrument("dev/gort/examples/Skynet"), "examples are applications");
        assertTrue(s.instrument("org/h2/Driver"));
        assertFalse(s.instrument(null, "org/h2/Driver"), "the boot loader's classes are the JDK's");
        assertFalse(s.instrument(ClassLoader.getPlatformClassLoader(), "org/h2/Driver"));
        assertTrue(s.instrument(ClassLoader.getSystemClassLoader(), "org/h2/Driver"));
    }

    @Test
    void includeAndExcludeWithNestedClasses() {
        Scope s = scope("include=com.acme.*;org.x.Main,exclude=com.acme.gen.*");
        assertTrue(s.instrument("com/acme/App"));
        assertTrue(s.instrument("com/acme/sub/App$1"));
        assertTrue(s.instrument("org/x/Main"));
        assertTrue(s.instrument("org/x/Main$Inner"), "inner classes follow their class");
        assertTrue(s.instrument("org/x/Main$1"), "and anonymous ones");
        assertFalse(s.instrument("org/x/MainHelper"));
        assertFalse(s.instrument("com/acme/gen/Parser"));
        assertFalse(s.instrument("org/y/Other"));
    }
}
