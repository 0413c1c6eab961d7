package dev.gort.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.runtime.TraceRt;
import dev.gort.tests.TraceCheck;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FlightRecorder}: Go's rules for the window (recorder.endGeneration), its errors, and
 * that a window is a whole trace Go's parser accepts on its own. Generations are advanced by
 * hand ({@link TraceRt#advance}, Go's runtime_traceAdvance) rather than waited for (1 s each).
 */
class FlightRecorderTest {
    @TempDir
    Path dir;

    private Path write(FlightRecorder fr, String name) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file.toFile()))) {
            long n = fr.writeTo(out);
            out.flush();
            assertEquals(Files.size(file), n, "writeTo returns the bytes it wrote");
        }
        return file;
    }

    @Test
    void aWindowIsAValidTraceHoldingWhatTheProgramDid() throws IOException {
        TraceCheck.requireGo();
        FlightRecorder fr = new FlightRecorder(Duration.ofMinutes(1), 0);
        fr.start();
        try {
            assertTrue(fr.enabled());
            assertTrue(Trace.isEnabled());
            for (int i = 0; i < 3; i++) {
                TraceTest.mix(400);
                TraceRt.advance();
            }
            TraceCheck.Result r = TraceCheck.check(write(fr, "window.trace")).assertOk();
            assertTrue(r.generations() >= 4, r.describe());
            assertTrue(r.block("chan receive") + r.block("chan send") > 50, r.describe());
            assertTrue(r.hasFrame("dev.gort.trace.TraceTest.lambda$mix$0"), r.describe());
        } finally {
            fr.stop();
        }
        assertFalse(fr.enabled());
    }

    /**
     * maxBytes = 1: the window is the newest generation alone, cut from a trace whose
     * goroutines began long before it (one blocked all along, created in a dropped
     * generation): each generation says the status of everything it mentions, so it parses
     * on its own.
     */
    @Test
    void theNewestGenerationAloneIsAValidTrace() throws IOException {
        TraceCheck.requireGo();
        FlightRecorder fr = new FlightRecorder(Duration.ofMinutes(1), 1);
        fr.start();
        Chan<Integer> c = Chan.make();
        Chan<Integer> done = Chan.make(1);
        try {
            Gort.go(() -> done.send(c.recv())); // blocked across every generation below
            for (int i = 0; i < 3; i++) {
                TraceTest.mix(200);
                TraceRt.advance();
                assertEquals(1, fr.windowGenerations().size(), fr.windowGenerations()::toString);
            }
            Gort.go(() -> c.send(7)); // the blocked one wakes inside the window
            assertEquals(7, done.recv());
            TraceCheck.Result r = TraceCheck.check(write(fr, "newest.trace")).assertOk();
            assertEquals(1, r.generations(), r.describe());
            assertTrue(r.goroutines() >= 2, r.describe());
        } finally {
            fr.stop();
        }
    }

    /**
     * Go's size rule: older generations join the window while it is at most maxBytes, so
     * the window without its oldest generation never exceeds maxBytes, the newest is always
     * there, and old ones drop out. The trimmed window is still a valid trace.
     */
    @Test
    void theWindowStaysWithinMaxBytesButForItsOldestGeneration() throws IOException {
        TraceCheck.requireGo();
        long maxBytes = 40_000;
        FlightRecorder fr = new FlightRecorder(Duration.ofMinutes(1), maxBytes);
        fr.start();
        try {
            long first = -1;
            boolean dropped = false;
            for (int i = 0; i < 12; i++) {
                TraceTest.mix(300);
                TraceRt.advance();
                List<Long> gens = fr.windowGenerations();
                List<Long> sizes = fr.windowSizes();
                assertFalse(gens.isEmpty(), "the newest generation is always kept");
                for (int k = 1; k < gens.size(); k++) {
                    assertEquals(gens.get(k - 1) + 1, gens.get(k), "consecutive generations: " + gens);
                }
                long withoutOldest = sizes.stream().skip(1).mapToLong(Long::longValue).sum();
                assertTrue(withoutOldest <= maxBytes, () -> "window " + gens + " sizes " + sizes);
                if (first < 0) {
                    first = gens.getFirst();
                }
                dropped |= gens.getFirst() > first;
            }
            assertTrue(dropped, "old generations drop out: " + fr.windowSizes());
            TraceCheck.check(write(fr, "trimmed.trace")).assertOk();
        } finally {
            fr.stop();
        }
    }

    /**
     * Go's age rule: older generations join the window while its oldest began at most
     * minAge ago. So once there is enough history the window covers more than minAge (its
     * oldest generation began earlier), and with generations at least PERIOD apart it holds
     * at most minAge / PERIOD + 2 of them (+1: the tracer's own advance each second may add
     * a short one).
     */
    @Test
    void theWindowCoversMinAgeAndDropsOlderGenerations() throws Exception {
        long minAgeMillis = 150, periodMillis = 30;
        FlightRecorder fr = new FlightRecorder(Duration.ofMillis(minAgeMillis), Long.MAX_VALUE);
        fr.start();
        try {
            int most = 0;
            for (int i = 0; i < 25; i++) {
                Gort.run(() -> Gort.go(() -> {}));
                Thread.sleep(periodMillis);
                TraceRt.advance();
                int n = fr.windowGenerations().size();
                most = Math.max(most, n);
                assertTrue(n <= minAgeMillis / periodMillis + 3, () -> "window " + fr.windowGenerations());
                if (i >= 10) {
                    long age = FlightRecorder.clockNanos() - fr.windowStarts().getFirst();
                    assertTrue(age > minAgeMillis * 1_000_000, () -> "the window covers minAge: "
                            + fr.windowGenerations() + " starts " + fr.windowStarts());
                }
            }
            assertTrue(most >= 3, "most " + most);
        } finally {
            fr.stop();
        }
    }

    @Test
    void aFlightRecorderAndAStartedTraceRunTogether() throws IOException {
        TraceCheck.requireGo();
        Path file = dir.resolve("started.trace");
        FlightRecorder fr = new FlightRecorder(Duration.ZERO, 0);
        try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file.toFile()))) {
            Trace.start(out);
            fr.start(); // joins the running trace from its next generation
            TraceTest.mix(300);
            TraceCheck.check(write(fr, "window.trace")).assertOk();
            TraceTest.mix(100);
            fr.stop();
            assertTrue(Trace.isEnabled(), "the started trace goes on");
            TraceTest.mix(100);
            Trace.stop();
        } finally {
            fr.stop();
            Trace.stop();
        }
        TraceCheck.Result r = TraceCheck.check(file).assertOk();
        assertTrue(r.generations() >= 3, r.describe());
    }

    @Test
    void startStopAndWriteToFollowGosRules() throws IOException {
        FlightRecorder fr = new FlightRecorder(Duration.ofSeconds(5), 1 << 20);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> fr.writeTo(new ByteArrayOutputStream()));
        assertEquals("cannot snapshot a disabled flight recorder", e.getMessage());
        fr.stop(); // not enabled: nothing
        fr.start();
        try {
            e = assertThrows(IllegalStateException.class, fr::start);
            assertEquals("cannot enable a enabled flight recorder", e.getMessage());
            FlightRecorder other = new FlightRecorder(Duration.ZERO, 0);
            e = assertThrows(IllegalStateException.class, other::start);
            assertEquals("flight recorder already enabled", e.getMessage());
            assertFalse(other.enabled());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long n = fr.writeTo(out);
            assertEquals(out.size(), n);
            assertTrue(new String(out.toByteArray(), 0, 16, java.nio.charset.StandardCharsets.US_ASCII)
                    .startsWith("go 1.26 trace"), "the header first");
        } finally {
            fr.stop();
        }
        assertFalse(fr.enabled());
        e = assertThrows(IllegalStateException.class, () -> fr.writeTo(new ByteArrayOutputStream()));
        assertEquals("cannot snapshot a disabled flight recorder", e.getMessage());
        assertTrue(fr.windowGenerations().isEmpty(), "stop drops the window");
        // Another recorder may start now, and this one again after it.
        FlightRecorder other = new FlightRecorder(Duration.ZERO, 0);
        other.start();
        other.stop();
        fr.start();
        try {
            assertTrue(fr.windowGenerations().isEmpty(), "a new start, a new window");
            assertTrue(fr.writeTo(new ByteArrayOutputStream()) > 16);
        } finally {
            fr.stop();
        }
    }

    @Test
    void zeroMeansGosDefaultsAndNegativeIsRefused() {
        FlightRecorder d = new FlightRecorder(Duration.ZERO, 0);
        assertEquals(Duration.ofSeconds(10).toNanos(), d.minAgeNanos());
        assertEquals(10L << 20, d.maxBytes());
        assertEquals(Long.MAX_VALUE, new FlightRecorder(Duration.ofSeconds(Long.MAX_VALUE), 1).minAgeNanos());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FlightRecorder(Duration.ofSeconds(-1), 0));
        assertTrue(e.getMessage().contains("minAge"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FlightRecorder(Duration.ZERO, -1));
        assertTrue(e.getMessage().contains("maxBytes"), e.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class, () -> new FlightRecorder(null, 0));
        assertTrue(npe.getMessage().contains("minAge"), npe.getMessage());
    }

    /** Go: a second WriteTo while one runs fails at once; Stop waits for the one under way. */
    @Test
    void aWriteToDuringAnotherFailsAndStopWaitsForIt() throws Exception {
        FlightRecorder fr = new FlightRecorder(Duration.ZERO, 0);
        fr.start();
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                inWrite.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                fr.writeTo(slow);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread stopper = null;
        try {
            assertTrue(inWrite.await(30, TimeUnit.SECONDS));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> fr.writeTo(new ByteArrayOutputStream()));
            assertEquals("call to WriteTo for trace.FlightRecorder already in progress", e.getMessage());
            stopper = Thread.ofPlatform().start(fr::stop);
            stopper.join(200);
            assertTrue(stopper.isAlive(), "stop waits for the writeTo under way");
            assertTrue(fr.enabled());
        } finally {
            release.countDown();
            writer.join();
            if (stopper != null) {
                stopper.join();
            }
            fr.stop();
        }
        assertEquals(null, failure.get());
        assertFalse(fr.enabled());
    }
}
