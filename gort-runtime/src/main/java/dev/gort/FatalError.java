package dev.gort;

/**
 * The program (the run) is dead: Go's {@code fatal error:} (for example
 * {@code all goroutines are asleep - deadlock!}, without the prefix) or an unrecovered
 * panic, whose throwable is then the cause and whose {@code toString()} is the message.
 * The Go-style report has been written to {@code System.err} before this is thrown.
 */
public class FatalError extends Error {
    private static final long serialVersionUID = 1L;

    public FatalError(String message) {
        super(message);
    }

    public FatalError(String message, Throwable cause) {
        super(message, cause);
    }
}
