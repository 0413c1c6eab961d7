package dev.gort.agent;

import dev.gort.runtime.TraceRt;
import dev.gort.trace.FlightRecorder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The agent's {@code flight=FILE}: a {@link FlightRecorder} with Go's defaults (at least
 * the last 10 s, at most about 10 MiB) runs from the runtime's start; when a run dies (a
 * panic, a fatal error, a deadlock) its window is written to FILE, later deaths to FILE.1,
 * FILE.2, ... So a deadlock's report comes with the execution trace leading to it.
 *
 * <p>The window is written by a runtime death hook ({@link TraceRt#onDeath}): after the
 * report, before the run's caller hears of the death, so before {@code Gort.main} (and
 * {@code main=goroutine}) exits the JVM; the runtime bounds the hook's time. Deaths at
 * once are written one after the other (Go's WriteTo allows one at a time).
 */
final class FlightOnDeath {
    private final Path file;
    private final FlightRecorder recorder = new FlightRecorder(Duration.ZERO, 0);
    private int deaths; // this

    private FlightOnDeath(Path file) {
        this.file = file;
    }

    /** Starts the recorder with the runtime (at once if it runs already). */
    static void install(Path file) {
        FlightOnDeath f = new FlightOnDeath(file);
        TraceRt.whenStarted(f::start);
    }

    private void start() {
        recorder.start();
        TraceRt.onDeath(this::write);
    }

    private synchronized void write() {
        Path to = deaths == 0 ? file : file.resolveSibling(file.getFileName() + "." + deaths);
        deaths++;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(to))) {
            recorder.writeTo(out);
        } catch (IOException | RuntimeException e) {
            System.err.println("gort-agent: flight=" + file + ": writing the flight recorder's window to " + to
                    + " failed: " + e);
            return;
        }
        System.err.println("gort-agent: the execution trace leading here (flight recorder) is in " + to);
    }
}
