package dev.gort.agent;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The transformer never throws: a bad class is left as it was and reported once. */
class GortTransformerTest {
    @Test
    void aClassItCannotReadIsReportedOnceAndLeftAlone() {
        GortTransformer t = new GortTransformer(new Scope(java.util.List.of(), java.util.List.of()),
                Fixtures.instrumenter(""), null, null, null);
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            byte[] garbage = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 99, 1, 2, 3};
            ClassLoader app = ClassLoader.getSystemClassLoader();
            assertNull(t.transform(app, "com/acme/Broken", null, null, garbage));
            assertNull(t.transform(app, "com/acme/Broken", null, null, garbage));
        } finally {
            System.setErr(err);
        }
        String out = buf.toString();
        assertTrue(out.contains("gort-agent: left com.acme.Broken uninstrumented"), out);
        assertEquals(out.indexOf("com.acme.Broken"), out.lastIndexOf("com.acme.Broken"), "once: " + out);
    }

    @Test
    void dumpWritesTransformedClasses() throws Exception {
        Path dir = Files.createTempDirectory("gort-dump");
        GortTransformer t = new GortTransformer(new Scope(java.util.List.of(), java.util.List.of()),
                Fixtures.instrumenter(""), null, dir, null);
        String name = "dev/gort/agent/fixtures/Shapes";
        byte[] out = t.transform(ClassLoader.getSystemClassLoader(), "com/acme/Shapes", null, null, Fixtures.original(name));
        assertNotNull(out);
        assertArrayEquals(out, Files.readAllBytes(dir.resolve("com/acme/Shapes.class")));
        assertNull(t.transform(ClassLoader.getSystemClassLoader(), "java/lang/Fake", null, null, Fixtures.original(name)),
                "never the JDK");
    }

    /** With cache=DIR, a second transformer (the next start) returns the first one's bytes from DIR. */
    @Test
    void cacheHitsReturnTheSameBytes() throws Exception {
        Path dir = Files.createTempDirectory("gort-cache");
        String opts = TransformCache.optionsKey(Options.parse(""), false);
        Scope all = new Scope(java.util.List.of(), java.util.List.of());
        byte[] shapes = Fixtures.original("dev/gort/agent/fixtures/Shapes");
        byte[] plain = Fixtures.original("dev/gort/agent/fixtures/Defaults");
        TransformCache cold = TransformCache.open(dir, new byte[] {1}, opts);
        GortTransformer first = new GortTransformer(all, Fixtures.instrumenter(""), null, null, cold);
        byte[] out = first.transform(ClassLoader.getSystemClassLoader(), "com/acme/Shapes", null, null, shapes);
        byte[] plainOut = first.transform(ClassLoader.getSystemClassLoader(), "com/acme/Defaults", null, null, plain);
        assertNotNull(out);
        cold.flush(10_000);
        assertEquals(2, cold.written.get());
        assertEquals(0, cold.hits.get());

        TransformCache warm = TransformCache.open(dir, new byte[] {1}, opts);
        // an instrumenter with other options shows that the second start takes the cache's bytes
        Instrumenter other = Fixtures.instrumenter("preempt=off,blocking=off");
        assertFalse(java.util.Arrays.equals(out, other.transform(shapes, false)));
        GortTransformer second = new GortTransformer(all, other, null, null, warm);
        assertArrayEquals(out, second.transform(ClassLoader.getSystemClassLoader(), "com/acme/Shapes", null, null, shapes));
        assertArrayEquals(plainOut, second.transform(ClassLoader.getSystemClassLoader(), "com/acme/Defaults", null, null, plain));
        assertEquals(2, warm.hits.get());
        assertEquals(0, warm.written.get());
    }
}
