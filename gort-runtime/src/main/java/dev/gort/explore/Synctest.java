package dev.gort.explore;

import dev.gort.runtime.ExploreRt;

/**
 * Go 1.25's {@code testing/synctest}: run a test in an isolated bubble with a fake clock.
 *
 * <pre>{@code
 * Synctest.run(() -> {
 *     Instant start = Time.now();              // 2000-01-01T00:00:00Z, always
 *     Gort.go(() -> Time.sleep(Duration.ofHours(1)));
 *     Time.sleep(Duration.ofHours(2));          // returns at once: time jumps
 *     Duration d = Time.since(start);           // exactly 2 hours
 * });
 * }</pre>
 *
 * <p><b>Bubbles.</b> {@link #run} runs {@code fn} in a new goroutine in a new bubble, and
 * every goroutine started in the bubble (by {@code Gort.go}, {@code WaitGroup.go}, or a
 * timer's {@code afterFunc}) is in it too. It returns once every goroutine of the bubble
 * has exited. Bubbles run on the normal scheduler, in parallel like any goroutines.
 *
 * <p><b>Time.</b> Inside a bubble, {@code dev.gort.time} uses the bubble's own fake clock,
 * which starts at midnight UTC 2000-01-01 ({@code Time.now()}). It advances only when every
 * goroutine of the bubble is durably blocked, to the next instant at which a timer of the
 * bubble fires ({@code Time.sleep}, {@code Timer}, {@code Ticker}, {@code Time.after},
 * {@code Time.afterFunc}); it stops once {@code fn} has returned.
 *
 * <p><b>Durable blocking.</b> A goroutine is durably blocked when only another goroutine of
 * its bubble can unblock it: a send or receive on a channel made in the bubble; a
 * {@code Select} whose cases are all channels made in the bubble; {@code Cond.await};
 * {@code WaitGroup.await} on a WaitGroup made in the bubble; {@code Time.sleep}. Locking a
 * {@code Mutex} or {@code RWMutex}, I/O, syscalls ({@code Gort.syscall}, JDK blocking
 * calls) and channels made outside the bubble are not durable: while a goroutine waits on
 * them, time stands still and {@link #await} waits.
 *
 * <p>When every goroutine of a bubble is durably blocked: {@link #await} returns, if a
 * goroutine called it; otherwise time advances to the next timer, if there is one and
 * {@code fn} has not returned; otherwise the bubble is deadlocked and {@link #run} throws
 * {@link dev.gort.Panic} with Go's text: {@code deadlock: all goroutines in bubble are
 * blocked}, or {@code deadlock: main bubble goroutine has exited but blocked goroutines
 * remain}.
 *
 * <p><b>Isolation</b> (Go's fatal errors, which kill the run of the goroutine that makes
 * them, or are thrown as {@code FatalError} on a plain thread): a channel made in a bubble
 * is used from outside it ({@code send on synctest channel from outside bubble}, and
 * {@code receive}, {@code close}, {@code select}); a timer or ticker made in a bubble is
 * stopped or reset from outside any bubble ({@code stop of synctest timer from outside
 * bubble}, {@code reset ...}); a WaitGroup of a bubble gets an {@code add} from outside it
 * ({@code sync: WaitGroup.Add called from inside and outside synctest bubble},
 * {@code ... from multiple synctest bubbles}; Go's rules: the WaitGroup stops being the
 * bubble's when its counter returns to zero with waiters, or an {@code await} finds it
 * idle); a
 * goroutine of a bubble waiting in {@code Cond.await} is signalled from outside it
 * ({@code semaphore wake of synctest goroutine from outside bubble}).
 *
 * <p>Differences from Go: a WaitGroup belongs to the bubble it was made in (Go: the bubble
 * of its first {@code Add}); one made outside any bubble is never the bubble's, so waiting
 * on it is not durable. {@link #run} called on a plain Java thread runs the bubble's root
 * as the main goroutine of a run of its own: an exception escaping a goroutine of the
 * bubble kills that run, and {@link #run} throws {@code FatalError}. Timers due at the same
 * instant fire in the order they were set (Go shuffles them). A bubble inside a controlled
 * run ({@link Explore}) works, with its own clock.
 */
public final class Synctest {
    private Synctest() {}

    /**
     * {@code synctest.Test}/{@code synctest.Run}: runs {@code fn} in a new goroutine in a new
     * bubble and waits until every goroutine of the bubble has exited. Callable from a
     * goroutine or a plain thread, never from inside a bubble.
     *
     * @throws NullPointerException "go of nil func value" if fn is null
     * @throws dev.gort.Panic "synctest.Run called from within a synctest bubble"; Go's
     *         deadlock texts (see the class comment)
     * @throws dev.gort.FatalError on a plain thread, if a goroutine of the bubble let an
     *         exception escape (or hit a fatal error)
     */
    public static void run(Runnable fn) {
        ExploreRt.synctestRun(fn);
    }

    /**
     * {@code synctest.Wait}: blocks until every goroutine of the current bubble other than
     * the caller is durably blocked (or has exited). Not concurrently from two goroutines of
     * one bubble.
     *
     * @throws dev.gort.Panic "goroutine is not in a bubble" outside a bubble (a plain thread
     *         included); "wait already in progress" if another goroutine of the bubble is in
     *         {@code await}
     */
    public static void await() {
        ExploreRt.synctestWait();
    }
}
