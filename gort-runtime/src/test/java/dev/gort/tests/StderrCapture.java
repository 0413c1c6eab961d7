package dev.gort.tests;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures System.err (where gort writes its reports) for the duration of a test. */
public final class StderrCapture implements AutoCloseable {
    private final PrintStream saved = System.err;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    public StderrCapture() {
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    }

    public String text() {
        System.err.flush();
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        System.setErr(saved);
    }
}
