package dev.gort;

/**
 * The result of {@code v, ok := <-ch}: {@code ok} is false (and {@code value} null) when
 * the channel is closed and drained.
 */
public record Recv<T>(T value, boolean ok) {}
