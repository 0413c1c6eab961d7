package dev.gort.runtime;

import dev.gort.Gort;
import dev.gort.pprof.Pprof;
import dev.gort.tests.TraceCheck;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A goroutine whose every frame is the runtime's has an empty profile stack: the count
 * profile's text must still give it an address (Go's stacks always end in runtime.goexit,
 * and Go's legacy parser rejects "N @" alone).
 */
class ProfTextTest {
    @Test
    void anAllRuntimeStackStillHasAnAddressAndGosPprofReadsTheText() throws Exception {
        TraceCheck.requireGo();
        AtomicReference<G> parked = new AtomicReference<>();
        AtomicReference<String> text = new AtomicReference<>();
        Gort.run(() -> {
            Gort.go(() -> {
                parked.set(Park.getg());
                Park.gopark(null, null, WaitReason.SLEEP); // only runtime frames under it
            });
            while (parked.get() == null || G.readgstatus(parked.get()) != G._Gwaiting) {
                Gort.gosched();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                Pprof.lookup("goroutine").writeTo(out, 1);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            text.set(out.toString(StandardCharsets.UTF_8));
            Park.goready(parked.get());
        });
        assertTrue(text.get().contains(" @ 0xfff\n#\t0xfff\tdev.gort.runtime.G.run+0x0\tG.java:0\n"), text.get());
        Path f = Files.createTempFile("gort-goroutine", ".txt");
        try {
            Files.writeString(f, text.get());
            Process p = new ProcessBuilder("go", "tool", "pprof", "-raw", f.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(TraceCheck.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
