package dev.gort.runtime;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * A goroutine's stack: Go's {@code g.stack} plus the {@code gobuf} that {@code gogo}
 * resumes, here one JDK continuation (one-shot, frames frozen into heap stack chunks
 * on yield).
 *
 * <ul>
 *   <li>{@code gogo(&gp.sched)} is {@link #run()} from the M's loop (g0);</li>
 *   <li>{@code mcall(fn)} is {@link #yield()} after the goroutine stored {@code fn} in
 *       {@code m.mcallfn}; the M's loop then runs {@code fn(gp)} on its own stack;</li>
 *   <li>the goroutine's entry is {@link G#run()}, so the continuation completes when the
 *       goroutine's function returns: the M then runs {@code goexit0}.</li>
 * </ul>
 *
 * <p>The class has no fields of its own: every byte here is paid by every parked
 * goroutine. Only this class and {@link Pin} link against {@code jdk.internal.vm};
 * {@link VmAccess#check()} runs before either is touched.
 *
 * <p>Differences from Go: a continuation cannot yield across a native frame or while
 * {@code Continuation.pin()} is held. Go's {@code mcall} cannot fail; here
 * {@link #yield()} returns {@code false} and the caller takes the pinned path
 * ({@link Park}), which blocks the M itself.
 */
final class GoStack extends Continuation {
    static final ContinuationScope SCOPE = new ContinuationScope("gort");

    GoStack(G g) {
        super(SCOPE, g);
    }

    /** Go's mcall: leave the goroutine's stack for the M's. False if the stack is pinned. */
    static boolean yield() {
        return Continuation.yield(SCOPE);
    }

    /** Pins the current continuation (no effect outside one): it cannot yield until unpinned. */
    static void pinCurrent() {
        Continuation.pin();
    }

    /** Undoes one {@link #pinCurrent()}; the caller guarantees there is one. */
    static void unpinCurrent() {
        Continuation.unpin();
    }

    /** A pinned stack cannot yield: report it to the caller (yield returns false) rather than throw. */
    @Override
    protected void onPinned(Continuation.Pinned reason) {}
}
