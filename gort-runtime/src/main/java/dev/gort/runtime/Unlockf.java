package dev.gort.runtime;

/**
 * Go's gopark {@code unlockf}: run on g0 after the goroutine is in {@code _Gwaiting}; if
 * it returns false the goroutine is resumed at once instead of staying parked.
 */
@FunctionalInterface
interface Unlockf {
    boolean unlock(G gp, Object lock);
}
