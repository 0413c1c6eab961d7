package dev.gort.agent;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class OptionsTest {
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();

    @Test
    void defaults() {
        Options o = Options.parse(null);
        assertTrue(o.prologue() && o.backedge() && o.blocking());
        assertFalse(o.mainGoroutine());
        assertNull(o.maxprocs());
        assertTrue(o.include().isEmpty() && o.exclude().isEmpty());
        assertNull(o.trace());
        assertNull(o.flight());
        assertNull(o.pprof());
        assertNull(o.cache());
    }

    /** cache=DIR: only an empty value is a bad option; a DIR the agent cannot use is a warning later. */
    @Test
    void cacheIsADirectory() {
        assertEquals(TMP.resolve("gort-cache"), Options.parse("cache=" + TMP.resolve("gort-cache")).cache());
        assertEquals(Path.of("rel").toAbsolutePath(), Options.parse("cache=rel").cache());
        assertNotNull(Options.parse("cache=/nonexistent/dir/x").cache());
        rejected("cache=", "'' for option 'cache'", "a directory");
        rejected("preempt=off,cache=", "cache");
    }

    @Test
    void pprofIsHostColonPort() {
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 6060), Options.parse("pprof=127.0.0.1:6060").pprof());
        assertEquals(0, Options.parse("pprof=localhost:0").pprof().getPort());
        assertEquals(new java.net.InetSocketAddress("::1", 6060), Options.parse("pprof=[::1]:6060").pprof());
        rejected("pprof=nonsense", "pprof", "nonsense", "HOST:PORT");
        rejected("pprof=127.0.0.1:", "pprof", "HOST:PORT");
        rejected("pprof=127.0.0.1:70000", "pprof", "HOST:PORT");
        rejected("pprof=:6060", "pprof", "HOST:PORT");
    }

    @Test
    void everyOption() {
        Options o = Options.parse("include=a.b.*;c.D,exclude=a.b.c.*,preempt=prologue,backedge,blocking=off,"
                + "maxprocs=3,debug=schedtrace=1000,scheddetail=1,main=goroutine,dump=/tmp/x,"
                + "trace=" + TMP.resolve("t.trace") + ",flight=" + TMP.resolve("f.trace"));
        assertEquals(2, o.include().size());
        assertTrue(o.include().get(0).matcher("a.b.Foo").matches());
        assertTrue(o.prologue() && o.backedge());
        assertFalse(o.blocking());
        assertEquals(3, o.maxprocs());
        assertEquals("schedtrace=1000,scheddetail=1", o.debug());
        assertTrue(o.mainGoroutine());
        assertEquals(Path.of("/tmp/x"), o.dump());
        assertEquals(TMP.resolve("t.trace"), o.trace());
        assertEquals(TMP.resolve("f.trace"), o.flight());
        Options off = Options.parse("preempt=off");
        assertFalse(off.prologue() || off.backedge());
        assertFalse(Options.parse("preempt=backedge").prologue());
    }

    private static void rejected(String args, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.parse(args));
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage() + " should name " + w);
        }
    }

    @Test
    void badOptionsAreNamed() {
        rejected("bogus=1", "unknown option 'bogus'");
        rejected("preempt=sometimes", "preempt", "sometimes");
        rejected("preempt=off,backedge", "preempt");
        rejected("blocking=maybe", "blocking", "maybe");
        rejected("maxprocs=0", "maxprocs");
        rejected("maxprocs=abc", "maxprocs", "abc");
        rejected("main=thread", "main", "thread");
        rejected("include=a b", "include");
        rejected("debug=schedtrace=x", "debug", "schedtrace=x");
        rejected("debug=oops", "debug", "oops");
        rejected("blocking=on,blocking=off", "twice");
        rejected("justaword", "malformed option 'justaword'");
        rejected("trace=", "trace", "a file name");
        rejected("trace=/nonexistent/dir/x", "trace", "/nonexistent/dir/x", "existing directory");
        rejected("flight=" + TMP, "flight", "a file name");
        rejected("flight=/nonexistent/dir/x", "flight", "existing directory");
    }
}
