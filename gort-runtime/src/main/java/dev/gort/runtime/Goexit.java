package dev.gort.runtime;

/**
 * Unwinds a goroutine for {@code Gort.goexit()} (Go's runtime.Goexit), running its
 * {@code finally} blocks. An {@link Error}, so {@code catch (Exception e)} does not stop
 * it, as Go's {@code recover} cannot stop Goexit. No stack trace: it is never printed.
 */
final class Goexit extends Error {
    private static final long serialVersionUID = 1L;

    Goexit() {
        super("runtime.Goexit", null, false, false);
    }
}
