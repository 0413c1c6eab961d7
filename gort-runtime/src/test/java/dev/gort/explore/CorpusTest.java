package dev.gort.explore;

import dev.gort.FatalError;
import dev.gort.Panic;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The corpus of {@link Corpus}: for each bug shape, the stated strategy and budget (fixed
 * seeds, so the test is deterministic) finds the bug with the expected failure, the failure's
 * token replays it, and the fixed version passes the same budget (for exhaustive search:
 * covers its whole space). The budgets are a few times the most runs any of seeds 1..50
 * needed (measured when the corpus was written), so a change to the strategies that makes
 * them find these bugs later shows here.
 */
class CorpusTest {

    private static final String DEADLOCK = "all goroutines are asleep - deadlock!";
    private static final String LEAK = "goroutine leak: 1 goroutine blocked after main returned: ";

    /** A bug, its fix, the exploration that finds it, and the failure it must find. */
    record Case(String name, Function<Boolean, Runnable> program, Explore.Config config,
                Class<? extends Throwable> kind, String message, boolean prefix) {
        @Override
        public String toString() {
            return name + " [" + config + "]";
        }
    }

    private static Case exact(String name, Function<Boolean, Runnable> p, Explore.Config c,
                              Class<? extends Throwable> kind, String message) {
        return new Case(name, p, c, kind, message, false);
    }

    private static Case leak(String name, Function<Boolean, Runnable> p, Explore.Config c, String rest) {
        return new Case(name, p, c, Explore.ScheduleFailure.class, LEAK + rest, true);
    }

    static List<Case> corpus() {
        return List.of(
                // A WaitGroup.done skipped on an early-return path (Programs.forgottenDone).
                exact("forgottenDone", f -> f ? Programs.forgottenDoneFixed() : Programs.forgottenDone(),
                        Explore.random().iterations(100).seed(1), FatalError.class, DEADLOCK),
                // GoKer: kubernetes/5316-like: the receiver's select takes another case; the sender blocks for ever.
                leak("sendAfterSelectTimeout", Corpus::sendAfterSelectTimeout,
                        Explore.random().iterations(100).seed(1), "goroutine 3 [chan send]"),
                // GoKer: moby/4951-like: AB-BA deadlock between two mutexes.
                exact("lockOrderInversion", Corpus::lockOrderInversion,
                        Explore.exhaustive(1).iterations(100), FatalError.class, DEADLOCK),
                // GoKer: moby/7559-like: a return path that does not unlock.
                exact("missingUnlockOnEarlyReturn", Corpus::missingUnlockOnEarlyReturn,
                        Explore.random().iterations(100).seed(1), FatalError.class, DEADLOCK),
                // GoKer: cockroach/9935-like: the same mutex locked twice in one call chain.
                exact("doubleLocking", Corpus::doubleLocking,
                        Explore.pct(2).iterations(100).seed(1), FatalError.class, DEADLOCK),
                // A Cond signal sent before the waiter waits, and a wait without its predicate loop.
                exact("condSignalBeforeWait", Corpus::condSignalBeforeWait,
                        Explore.pct(2).iterations(100).seed(1), FatalError.class, DEADLOCK),
                // A range over a channel whose producer returns on cancellation without closing it.
                leak("rangeOverUnclosedChannel", Corpus::rangeOverUnclosedChannel,
                        Explore.random().iterations(100).seed(1), "goroutine 2 [chan receive]"),
                // Check-then-close from two goroutines: "close of closed channel".
                exact("doubleClose", Corpus::doubleClose,
                        Explore.exhaustive(1).iterations(100), Panic.class, "close of closed channel"),
                // GoKer: grpc/1687-like: a producer sends on a channel that shutdown closed.
                exact("sendOnClosedChannel", Corpus::sendOnClosedChannel,
                        Explore.pct(2).iterations(100).seed(1), Panic.class, "send on closed channel"),
                // GoKer: kubernetes/13058-like: WaitGroup.Done called twice on one path.
                exact("negativeWaitGroupCounter", Corpus::negativeWaitGroupCounter,
                        Explore.random().iterations(100).seed(1), Panic.class, "sync: negative WaitGroup counter"),
                // Check-then-unlock from two paths: Go's fatal error.
                exact("unlockOfUnlockedMutex", Corpus::unlockOfUnlockedMutex,
                        Explore.exhaustive(1).iterations(100), FatalError.class, "sync: unlock of unlocked mutex"),
                // GoKer: cockroach/3710-like: RLock twice in a call chain, a writer arriving between (RWR deadlock).
                exact("recursiveReadLock", Corpus::recursiveReadLock,
                        Explore.exhaustive(1).iterations(100), FatalError.class, DEADLOCK),
                // GoKer: etcd/7443-like: a send to notifyCh under the mutex that Close then acquires.
                exact("sendWhileHoldingLock", Corpus::sendWhileHoldingLock,
                        Explore.random().iterations(100).seed(1), FatalError.class, DEADLOCK),
                // GoKer: grpc/1424-like: the parent returns without draining the done channel.
                leak("firstErrorLeavesChildBlocked", Corpus::firstErrorLeavesChildBlocked,
                        Explore.random().iterations(10).seed(1), "goroutine "),
                // WaitGroup and channel: Wait before draining a channel that a worker blocks on before Done.
                exact("waitBeforeDrain", Corpus::waitBeforeDrain,
                        Explore.pct(2).iterations(200).seed(1), FatalError.class, DEADLOCK),
                // Check-then-act on a shared cache across a gort operation (get-or-create twice).
                exact("getOrCreateTwice", Corpus::getOrCreateTwice,
                        Explore.pct(3).iterations(200).seed(1), IllegalStateException.class,
                        "created 2 connections for one key"),
                // WaitGroup.Add inside the goroutine: Wait returns before the work is counted.
                new Case("addInsideGoroutine", Corpus::addInsideGoroutine,
                        Explore.pct(3).iterations(100).seed(1), IllegalStateException.class, "read ", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void theBugIsFoundAndTheFixPasses(Case c) {
        Explore.Result bug = Explore.run(c.config(), c.program().apply(false));
        assertTrue(bug.failed(), () -> c + ": the bug was not found: " + bug);
        assertInstanceOf(c.kind(), bug.failure(), bug::toString);
        String m = bug.failure().getMessage();
        if (c.prefix()) {
            assertTrue(m.startsWith(c.message()), () -> c + ": message " + m);
        } else {
            assertEquals(c.message(), m, bug::toString);
        }
        // The token replays the same failure.
        Throwable again = assertThrows(Throwable.class, () -> Explore.replay(bug.schedule(), c.program().apply(false)));
        assertEquals(bug.failure().getClass(), again.getClass());
        assertEquals(m, again.getMessage());

        Explore.Result fix = Explore.run(c.config(), c.program().apply(true));
        assertFalse(fix.failed(), () -> c + ": the fixed version failed: " + fix);
        if (c.config().strategy.equals("exhaustive")) {
            assertTrue(fix.exhausted(), () -> c + ": the fixed version's space was not covered: " + fix);
        } else {
            assertEquals(c.config().iterations, fix.iterations());
        }
    }

    @org.junit.jupiter.api.Test
    void atLeastFifteenDistinctPrograms() {
        assertTrue(corpus().stream().map(Case::name).distinct().count() >= 15);
    }
}
