package dev.gort;

/**
 * A call that may block the OS thread, for {@link Gort#syscall(BlockingRun)}: returns
 * nothing and may throw a checked exception, which keeps its type.
 *
 * @param <E> the checked exception the call may throw
 */
@FunctionalInterface
public interface BlockingRun<E extends Exception> {
    void run() throws E;
}
