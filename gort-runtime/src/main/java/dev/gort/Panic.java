package dev.gort;

/**
 * A Go panic raised by a runtime operation (send on a closed channel, a negative
 * WaitGroup counter, ...). The message is Go's text exactly. Catching it is Go's
 * {@code recover}: nothing else is disturbed. Uncaught, it ends the goroutine's run with
 * Go's report ({@code panic: <message>}).
 */
public class Panic extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Panic(String message) {
        super(message);
    }
}
