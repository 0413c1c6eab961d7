package dev.gort.runtime;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/** GOMAXPROCS/GODEBUG and their properties: malformed values get one stderr line and the default. */
class EnvTest {
    private static <T> T withStderr(StringBuilder out, Supplier<T> f) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return f.get();
        } finally {
            System.setErr(saved);
            out.append(buf.toString(StandardCharsets.UTF_8));
        }
    }

    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    @Test
    void maxprocsFromTheEnvironmentAndTheProperty() {
        StringBuilder err = new StringBuilder();
        assertEquals(CPUS, withStderr(err, () -> Env.maxprocs(null, null)));
        assertEquals(3, withStderr(err, () -> Env.maxprocs("3", null)));
        assertEquals(5, withStderr(err, () -> Env.maxprocs("3", "5")), "the property overrides the environment");
        assertEquals("", err.toString());
    }

    @Test
    void malformedMaxprocsIsReportedAndIgnored() {
        StringBuilder err = new StringBuilder();
        assertEquals(CPUS, withStderr(err, () -> Env.maxprocs("abc", null)));
        assertEquals("gort: GOMAXPROCS=\"abc\" is not a positive integer; using " + CPUS + "\n", err.toString());
        err.setLength(0);
        assertEquals(4, withStderr(err, () -> Env.maxprocs("4", "0")));
        assertTrue(err.toString().contains("gort.maxprocs=\"0\""), err.toString());
        err.setLength(0);
        assertEquals(CPUS, withStderr(err, () -> Env.maxprocs("-2", null)));
        assertTrue(err.toString().contains("GOMAXPROCS=\"-2\""), err.toString());
    }

    @Test
    void aMalformedOverrideNamesTheValueActuallyUsed() {
        // GOMAXPROCS=N -Dgort.maxprocs=x: the override is ignored and GOMAXPROCS's N is used,
        // so the warning must say N, not the CPU count.
        String n = Integer.toString(CPUS + 1);
        StringBuilder err = new StringBuilder();
        assertEquals(CPUS + 1, withStderr(err, () -> Env.maxprocs(n, "x")));
        assertEquals("gort: gort.maxprocs=\"x\" is not a positive integer; using " + n + "\n", err.toString());
        err.setLength(0);
        assertEquals(7, withStderr(err, () -> Env.maxprocs("zz", "7")));
        assertEquals("", err.toString(), "a malformed GOMAXPROCS that the property overrides is not used, nor reported");
        err.setLength(0);
        assertEquals(CPUS, withStderr(err, () -> Env.maxprocs("zz", "0")));
        assertEquals("gort: GOMAXPROCS=\"zz\" is not a positive integer; using " + CPUS + "\n"
                + "gort: gort.maxprocs=\"0\" is not a positive integer; using " + CPUS + "\n", err.toString());
    }

    @Test
    void godebugSettings() {
        StringBuilder err = new StringBuilder();
        Env.Debug d = withStderr(err, () -> Env.debug("schedtrace=1000,scheddetail=1,unknownkey=7", null));
        assertEquals(new Env.Debug(1000, true, false), d);
        assertEquals("", err.toString(), "unknown keys are ignored, as in Go");
        d = withStderr(err, () -> Env.debug("schedtrace=1000", "schedtrace=50,asyncpreemptoff=1"));
        assertEquals(new Env.Debug(50, false, true), d, "gort.debug overrides GODEBUG key by key");
    }

    @Test
    void malformedGodebugValuesAreReported() {
        StringBuilder err = new StringBuilder();
        Env.Debug d = withStderr(err, () -> Env.debug("schedtrace=x,scheddetail=2", null));
        assertEquals(new Env.Debug(0, false, false), d);
        assertTrue(err.toString().contains("GODEBUG setting schedtrace=\"x\" is malformed"), err.toString());
        assertTrue(err.toString().contains("GODEBUG setting scheddetail=\"2\" is malformed"), err.toString());
        err.setLength(0);
        withStderr(err, () -> Env.debug("schedtrace", null));
        assertTrue(err.toString().contains("GODEBUG setting \"schedtrace\" is not key=value"), err.toString());
    }
}
