package dev.gort;

/**
 * A call that may block the OS thread, for {@link Gort#syscall(BlockingCall)}: returns a
 * value and may throw a checked exception, which keeps its type.
 *
 * @param <T> the result type
 * @param <E> the checked exception the call may throw
 */
@FunctionalInterface
public interface BlockingCall<T, E extends Exception> {
    T call() throws E;
}
