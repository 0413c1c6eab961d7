package dev.gort.runtime.hook;

/**
 * Marks a stream whose blocking calls park the goroutine on gort's network poller
 * ({@code dev.gort.net.Conn}'s streams). The agent's {@link Blocking} wrappers call such a
 * stream directly instead of as a syscall: a syscall would give the P away for a call that
 * never blocks the M, and the park inside would have to leave the syscall again first.
 *
 * <p>Only the stream itself is recognized: a {@code BufferedInputStream} around one is an
 * ordinary stream to the wrappers, and its reads are syscalls that the park inside leaves
 * (an implicit exitsyscall), which is correct but slower.
 */
public interface PollerIo {
}
