package dev.gort.sync;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Mutex fast path (Go's CompareAndSwap of 0 to mutexLocked, and the Add(-mutexLocked) of
 * Unlock) racing with itself and with TryLock, on two plain threads: each increments a
 * plain counter inside the lock, as a read and a separate write, so two holders at once
 * lose an increment. Actor B first tries TryLock (which fails only while A holds the
 * lock), then takes the lock. Afterwards the mutex is unlocked (the arbiter's TryLock
 * succeeds).
 *
 * <p>Result: r1 = the counter (3 when B's TryLock succeeded, else 2), r2 = whether B's
 * TryLock succeeded, r3 = whether the arbiter's TryLock succeeded.
 */
@JCStressTest
@Description("sync.Mutex: the fast paths of Lock, TryLock and Unlock give mutual exclusion and leave the mutex unlocked.")
@Outcome(id = "3, 1, 1", expect = ACCEPTABLE, desc = "B's TryLock found the mutex free.")
@Outcome(id = "2, 0, 1", expect = ACCEPTABLE, desc = "B's TryLock found A holding the mutex.")
@Outcome(expect = FORBIDDEN, desc = "Two holders at once (lost increment), or the mutex left locked.")
@State
public class MutexFastPathTest {
    private final Mutex mu = new Mutex();
    private int counter;
    private int tried;

    private void increment() {
        int v = counter;
        counter = v + 1;
    }

    @Actor
    public void a() {
        mu.lock();
        increment();
        mu.unlock();
    }

    @Actor
    public void b() {
        if (mu.tryLock()) {
            tried = 1;
            increment();
            mu.unlock();
        }
        mu.lock();
        increment();
        mu.unlock();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = counter;
        r.r2 = tried;
        boolean free = mu.tryLock();
        r.r3 = free ? 1 : 0;
        if (free) {
            mu.unlock();
        }
    }
}
