package dev.gort.explore;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.sync.Cond;
import dev.gort.sync.Mutex;
import dev.gort.sync.RWMutex;
import dev.gort.sync.WaitGroup;
import dev.gort.time.Time;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Small buggy concurrent programs in the shapes of real Go concurrency bugs (the GoKer
 * kernels of GoBench, Yuan et al., CGO 2021), each with its fix: {@code program(false)} is
 * the bug, {@code program(true)} the fixed version. Shared state is plain Java (arrays,
 * maps): in a controlled run only one goroutine runs at a time, so a "race" here is an
 * interleaving at gort operations, which is what schedule exploration searches.
 * {@link CorpusTest} states, for each, the strategy and budget that finds the bug.
 */
final class Corpus {
    private Corpus() {}

    /**
     * A result sent on an unbuffered channel after the receiver gave up on a timeout: the
     * worker blocks on its send for ever (a goroutine leak). The worker is slow only when
     * another request took the cached connection first, so the timeout depends on the order
     * of the two. Fix: a one-slot buffer.
     */
    static Runnable sendAfterSelectTimeout(boolean fixed) {
        return () -> {
            Chan<Integer> result = fixed ? Chan.make(1) : Chan.make();
            Chan<Boolean> cachedConn = Chan.make(1);
            cachedConn.send(true);
            Gort.go(() -> cachedConn.tryRecv()); // another request
            Gort.go(() -> {
                boolean cached = cachedConn.tryRecv() != null;
                // Else dial: as slow as the timeout, and the timeout wins (timers due at one instant
                // all fire before a goroutine runs). Longer would leak a sleeper: time stops when main returns.
                Time.sleep(Duration.ofMillis(cached ? 1 : 10));
                result.send(42);
            });
            Select.select(
                    Select.recv(result, v -> { }),
                    Select.recv(Time.after(Duration.ofMillis(10)), t -> { })); // gave up: nobody receives
        };
    }

    /** Two goroutines take two mutexes in opposite orders (AB-BA). Fix: one global order. */
    static Runnable lockOrderInversion(boolean fixed) {
        return () -> {
            Mutex a = new Mutex();
            Mutex b = new Mutex();
            WaitGroup wg = new WaitGroup();
            wg.add(2);
            Gort.go(() -> {
                a.lock();
                b.lock();
                b.unlock();
                a.unlock();
                wg.done();
            });
            Gort.go(() -> {
                Mutex first = fixed ? a : b;
                Mutex second = fixed ? b : a;
                first.lock();
                second.lock();
                second.unlock();
                first.unlock();
                wg.done();
            });
            wg.await();
        };
    }

    /**
     * An early return that forgets to unlock: a request that finds the store closed returns
     * with the lock held, and the next locker blocks for ever. Whether a request sees the
     * store closed depends on the order with close. Fix: unlock on every path.
     */
    static Runnable missingUnlockOnEarlyReturn(boolean fixed) {
        return () -> {
            Mutex mu = new Mutex();
            boolean[] closed = {false};
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 2; i++) {
                wg.add(1);
                Gort.go(() -> {
                    mu.lock();
                    if (closed[0]) {
                        if (fixed) {
                            mu.unlock();
                        }
                        wg.done();
                        return; // the bug: still holding mu
                    }
                    mu.unlock();
                    wg.done();
                });
            }
            mu.lock();
            closed[0] = true;
            mu.unlock();
            wg.await();
            mu.lock(); // shutdown takes the lock once more
            mu.unlock();
        };
    }

    /**
     * Double locking: a flush under the lock calls a helper that takes the same lock again
     * when the cache is dirty, and another goroutine makes it dirty. Fix: the helper's
     * "locked" variant, called with the lock held.
     */
    static Runnable doubleLocking(boolean fixed) {
        return () -> {
            Mutex mu = new Mutex();
            boolean[] dirty = {false};
            Chan<Boolean> writes = Chan.make(1);
            WaitGroup wg = new WaitGroup();
            wg.add(2);
            Gort.go(() -> {
                writes.send(true);
                dirty[0] = true;
                wg.done();
            });
            Gort.go(() -> {
                mu.lock();
                if (dirty[0]) {
                    if (!fixed) {
                        mu.lock(); // the helper locks again: a goroutine blocked on its own lock
                    }
                    dirty[0] = false;
                    if (!fixed) {
                        mu.unlock();
                    }
                }
                mu.unlock();
                wg.done();
            });
            writes.recv();
            wg.await();
        };
    }

    /**
     * A lost Cond signal: the waiter waits without checking the condition, so a signal sent
     * before it waits is lost and it waits for ever. Fix: wait in a loop on the predicate.
     */
    static Runnable condSignalBeforeWait(boolean fixed) {
        return () -> {
            Mutex mu = new Mutex();
            Cond cond = new Cond(mu);
            boolean[] ready = {false};
            WaitGroup wg = new WaitGroup();
            wg.add(2);
            Gort.go(() -> {
                mu.lock();
                if (fixed) {
                    while (!ready[0]) {
                        cond.await();
                    }
                } else {
                    cond.await(); // the bug: no predicate
                }
                mu.unlock();
                wg.done();
            });
            Gort.go(() -> {
                mu.lock();
                ready[0] = true;
                cond.signal();
                mu.unlock();
                wg.done();
            });
            wg.await();
        };
    }

    /**
     * A consumer ranges over a channel that nobody closes: the producer's cancelled path
     * (a select on a done channel) returns without close, and the consumer leaks. Fix:
     * close on every path (a finally).
     */
    static Runnable rangeOverUnclosedChannel(boolean fixed) {
        return () -> {
            Chan<Integer> items = Chan.make();
            Chan<Boolean> done = Chan.make();
            Chan<Integer> consumed = Chan.make(4);
            Gort.go(() -> {
                for (Integer v : items) {
                    consumed.send(v);
                }
            });
            Gort.go(() -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        boolean[] cancelled = {false};
                        Select.select(
                                Select.send(items, i, () -> { }),
                                Select.recv(done, v -> cancelled[0] = true));
                        if (cancelled[0]) {
                            return; // the bug (unfixed): no close
                        }
                    }
                    if (!fixed) {
                        items.close();
                    }
                } finally {
                    if (fixed) {
                        items.close();
                    }
                }
            });
            consumed.recv();
            done.close(); // enough: cancel the producer
        };
    }

    /**
     * Double close: two goroutines each stop a service when they see it running, checking a
     * flag and closing the channel with a gort operation between. Go panics {@code close
     * of closed channel}. Fix: check and set under a mutex held across the close.
     */
    static Runnable doubleClose(boolean fixed) {
        return () -> {
            Chan<Boolean> stop = Chan.make();
            Mutex mu = new Mutex();
            boolean[] stopped = {false};
            Chan<Boolean> log = Chan.make(4);
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 2; i++) {
                wg.add(1);
                Gort.go(() -> {
                    if (fixed) {
                        mu.lock();
                    }
                    if (!stopped[0]) {
                        log.send(true); // "stopping": a gort operation between check and act
                        stopped[0] = true;
                        stop.close();
                    }
                    if (fixed) {
                        mu.unlock();
                    }
                    wg.done();
                });
            }
            wg.await();
        };
    }

    /**
     * Send on a closed channel: a producer keeps sending while shutdown closes the data
     * channel. Go panics {@code send on closed channel}. Fix: shutdown closes a separate
     * done channel, and the producer selects on it.
     */
    static Runnable sendOnClosedChannel(boolean fixed) {
        return () -> {
            Chan<Integer> data = Chan.make(8);
            Chan<Boolean> done = Chan.make();
            Chan<Boolean> exited = Chan.make(1);
            Gort.go(() -> {
                for (int i = 0; i < 3; i++) {
                    if (fixed) {
                        boolean[] quit = {false};
                        Select.select(
                                Select.send(data, i, () -> { }),
                                Select.recv(done, v -> quit[0] = true));
                        if (quit[0]) {
                            break;
                        }
                    } else {
                        data.send(i);
                    }
                }
                exited.send(true);
            });
            data.recv();
            if (fixed) {
                done.close();
            } else {
                data.close(); // the bug: the producer may still send
            }
            exited.recv();
        };
    }

    /**
     * A WaitGroup done twice: a worker that sees the job cancelled calls done early, and its
     * deferred done runs as well. Go panics {@code sync: negative WaitGroup counter}. Fix:
     * the deferred done only.
     */
    static Runnable negativeWaitGroupCounter(boolean fixed) {
        return () -> {
            WaitGroup wg = new WaitGroup();
            boolean[] cancelled = {false};
            Chan<Boolean> started = Chan.make(2);
            for (int i = 0; i < 2; i++) {
                wg.add(1);
                Gort.go(() -> {
                    try {
                        started.send(true);
                        if (cancelled[0] && !fixed) {
                            wg.done(); // the bug: done here and in the finally
                            return;
                        }
                    } finally {
                        wg.done();
                    }
                });
            }
            started.recv();
            cancelled[0] = true;
            wg.await();
            Time.sleep(Duration.ofMillis(1)); // let stragglers finish (virtual time)
        };
    }

    /**
     * Unlock of an unlocked mutex: a release reachable from a completion path and a timeout
     * path checks "still held", logs, then unlocks, and both paths get past the check. Go's
     * fatal error {@code sync: unlock of unlocked mutex}. Fix: check and clear in one step.
     */
    static Runnable unlockOfUnlockedMutex(boolean fixed) {
        return () -> {
            Mutex lease = new Mutex();
            boolean[] held = {true};
            Chan<String> log = Chan.make(4);
            lease.lock();
            Runnable release = () -> {
                if (held[0]) {
                    if (fixed) {
                        held[0] = false; // claimed before any other goroutine can run
                    }
                    log.send("releasing");
                    held[0] = false;
                    lease.unlock();
                }
            };
            WaitGroup wg = new WaitGroup();
            wg.add(2);
            Gort.go(() -> {
                release.run(); // completion
                wg.done();
            });
            Gort.go(() -> {
                release.run(); // timeout (a timer cannot fire while a goroutine is runnable: virtual time)
                wg.done();
            });
            wg.await();
        };
    }

    /**
     * A recursive read lock (RWR deadlock): a reader takes the read lock twice in a call
     * chain; a writer that arrives between them waits for the first, and the second waits
     * for the writer. Fix: the inner call does not lock again.
     */
    static Runnable recursiveReadLock(boolean fixed) {
        return () -> {
            RWMutex rw = new RWMutex();
            Chan<Boolean> step = Chan.make(1);
            WaitGroup wg = new WaitGroup();
            wg.add(2);
            Gort.go(() -> {
                rw.rLock();
                step.send(true); // a gort operation inside the outer read section
                if (!fixed) {
                    rw.rLock(); // the inner call locks again
                    rw.rUnlock();
                }
                rw.rUnlock();
                wg.done();
            });
            Gort.go(() -> {
                rw.lock();
                rw.unlock();
                wg.done();
            });
            step.recv();
            wg.await();
        };
    }

    /**
     * A mutex held across a channel send (lock and channel): a notifier sends under the lock
     * to a loop that may already have stopped, and close then blocks on the lock. Fix: the
     * send selects on the stop channel too.
     */
    static Runnable sendWhileHoldingLock(boolean fixed) {
        return () -> {
            Mutex mu = new Mutex();
            Chan<Integer> notify = Chan.make();
            Chan<Boolean> stop = Chan.make();
            Chan<Boolean> loopDone = Chan.make(1);
            Gort.go(() -> { // the watcher loop
                boolean[] running = {true};
                while (running[0]) {
                    Select.select(
                            Select.recv(notify, v -> { }),
                            Select.recv(stop, v -> running[0] = false));
                }
                loopDone.send(true);
            });
            Gort.go(() -> { // a notifier
                mu.lock();
                if (fixed) {
                    Select.select(Select.send(notify, 1, () -> { }), Select.recv(stop, v -> { }));
                } else {
                    notify.send(1);
                }
                mu.unlock();
            });
            stop.close(); // Close: stop the loop, then take the lock
            loopDone.recv();
            mu.lock();
            mu.unlock();
        };
    }

    /**
     * The parent returns on the first error without draining the other child's result
     * channel: the other child blocks on its send for ever. Fix: buffer for every child.
     */
    static Runnable firstErrorLeavesChildBlocked(boolean fixed) {
        return () -> {
            Chan<String> errc = fixed ? Chan.make(2) : Chan.make();
            Chan<String> done = fixed ? Chan.make(2) : Chan.make();
            Gort.go(() -> errc.send("dial failed"));
            Gort.go(() -> done.send("ok"));
            Select.select(
                    Select.recv(errc, e -> { }), // return early on the error
                    Select.recv(done, d -> { }));
            // the bug: the other child's send has no receiver any more
        };
    }

    /**
     * WaitGroup and channel: workers report a cancellation on a one-slot error channel that
     * the parent drains only after Wait; when both workers see the cancellation, the second
     * blocks on its send before done and the parent waits for ever. Fix: drain before Wait
     * (a buffer for every worker here).
     */
    static Runnable waitBeforeDrain(boolean fixed) {
        return () -> {
            Chan<String> errc = Chan.make(fixed ? 2 : 1);
            boolean[] stopped = {false};
            Chan<Boolean> tick = Chan.make(2);
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 2; i++) {
                wg.add(1);
                Gort.go(() -> {
                    tick.send(true);
                    if (stopped[0]) {
                        errc.send("cancelled");
                    }
                    wg.done();
                });
            }
            Gort.go(() -> stopped[0] = true);
            wg.await();
            while (errc.tryRecv() != null) {
                // drain
            }
            tick.recv();
            tick.recv();
        };
    }

    /**
     * Check-then-act on a shared cache: two goroutines miss, both create the entry (a
     * creation does a gort operation), and the second overwrites the first: two
     * connections opened for one key. Fix: the lookup and insert under one lock.
     */
    static Runnable getOrCreateTwice(boolean fixed) {
        return () -> {
            Map<String, Integer> cache = new HashMap<>();
            int[] created = {0};
            Mutex mu = new Mutex();
            Chan<Boolean> dial = Chan.make(2);
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 2; i++) {
                wg.add(1);
                Gort.go(() -> {
                    if (fixed) {
                        mu.lock();
                    }
                    if (!cache.containsKey("db")) {
                        dial.send(true); // open a connection
                        created[0]++;
                        cache.put("db", created[0]);
                    }
                    if (fixed) {
                        mu.unlock();
                    }
                    wg.done();
                });
            }
            wg.await();
            if (created[0] != 1) {
                throw new IllegalStateException("created " + created[0] + " connections for one key");
            }
        };
    }

    /**
     * WaitGroup.add inside the goroutine instead of before go: Wait may see a zero counter
     * and return before the workers start, and the results are read while incomplete. Fix:
     * add before go.
     */
    static Runnable addInsideGoroutine(boolean fixed) {
        return () -> {
            WaitGroup wg = new WaitGroup();
            int[] results = {0};
            Chan<Boolean> progress = Chan.make(2);
            for (int i = 0; i < 2; i++) {
                if (fixed) {
                    wg.add(1);
                }
                Gort.go(() -> {
                    if (!fixed) {
                        wg.add(1);
                    }
                    progress.send(true);
                    results[0]++;
                    wg.done();
                });
            }
            wg.await();
            if (results[0] != 2) {
                throw new IllegalStateException("read " + results[0] + " results of 2 after Wait");
            }
            progress.recv();
            progress.recv();
        };
    }
}
