package dev.gort.runtime;

import dev.gort.runtime.ProfRt.Stack;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blocking and mutex profiles' recording: Go's mprof.go ({@code SetBlockProfileRate},
 * {@code blockevent}, {@code blocksampled}, {@code saveblockevent}, {@code
 * SetMutexProfileFraction}, {@code mutexevent}, the bucket table {@code stkbucket} with its
 * {@code blockRecord}s, {@code blockProfileInternal}, {@code mutexProfileInternal}).
 *
 * <h2>Where events come from (Go's callers, hooked at the same places)</h2>
 * A goroutine about to block reads the rate once; when it is on, it reads the clock
 * ({@link #cputicks}, t0) and marks its sudog {@code releasetime = -1}. Whoever readies it
 * (Go's {@code send}, {@code recv}, {@code closechan}, {@code readyWithTime}) stamps
 * {@code releasetime = cputicks()} if it is not 0; woken, the goroutine records
 * {@code blockevent(releasetime - t0)} with its own stack: {@link Chans#chansend},
 * {@link Chans#chanrecv}, {@link Selects} (the winning case's release time), {@link Sema}
 * (semacquire1 with {@link #SEMA_BLOCK_PROFILE}: Mutex, RWMutex, WaitGroup) and
 * {@link NotifyList#notifyListWait} (Cond). The mutex profile is charged by the unlocker:
 * a waiter queued with {@link #SEMA_MUTEX_PROFILE} carries its {@code acquiretime}, and
 * {@link Sema}'s release computes the delay it caused (head and tail waits times the
 * number of waiters, as semrelease1) and calls {@link #mutexevent} with the unlocker's
 * stack, as Go 1.8+ blames the caller of Unlock.
 *
 * <h2>Cost while off</h2>
 * Both rates are 0 by default (Go's). A blocking path then does one volatile read of the
 * rate and a branch, and a store of 0 into its sudog; the waker a read of a field of the
 * sudog it already holds. No clock read, no allocation.
 *
 * <h2>Sampling (Go's, exactly)</h2>
 * Block: {@code rate} in ticks (here nanoseconds); an event of {@code cycles >= rate} is
 * kept, a shorter one with probability {@code cycles/rate} and then counted as
 * {@code rate/cycles} events of {@code rate} cycles (the bias correction of
 * saveBlockEventStack). Mutex: one event in {@code rate}, chosen by
 * {@code cheaprand64() % rate == 0}, counted {@code rate} times with {@code rate*cycles}.
 *
 * <h2>Differences from Go</h2>
 * <ul>
 *   <li>Go's cputicks is the CPU's cycle counter; here it is {@code System.nanoTime}, so a
 *       tick is a nanosecond, {@link #cyclesPerSecond} is 1e9, and SetBlockProfileRate's
 *       conversion from nanoseconds to ticks is the identity.</li>
 *   <li>A bucket is keyed by an interned {@link Stack} (Java frames) in a concurrent map,
 *       not hashed PCs in a fixed table; each record has its own lock (Go: one
 *       profBlockLock for all).</li>
 *   <li>The stack of an event comes from {@link BlockStacks}: a Java stack walk costs
 *       microseconds (Go unwinds frame pointers in nanoseconds), so a goroutine's stack at a
 *       blocking site is remembered and walked again at random intervals; a site whose walk
 *       ever disagrees with what was remembered is walked every time from then on (the
 *       class comment there has the details).</li>
 *   <li>Go reads t0 before taking the channel's (or select's) locks, for every operation
 *       while profiling; here an operation reads it once it knows it will block, so one
 *       that does not block never reads the clock (the delay leaves out the lock's
 *       acquisition, a few nanoseconds).</li>
 *   <li>An event whose stack cannot be walked (the JDK's walker failing) is dropped,
 *       never thrown into the operation that blocked.</li>
 *   <li>Go's mutex profile also counts contention on the runtime's own locks
 *       ({@code runtime._LostContendedRuntimeLock}); gort's spin locks are not profiled.</li>
 * </ul>
 */
final class MProf {
    private MProf() {}

    // Go's semaProfileFlags (sema.go)
    static final int SEMA_BLOCK_PROFILE = 1;
    static final int SEMA_MUTEX_PROFILE = 2;

    /**
     * Go: blockprofilerate, in ticks (ns); 0 off, 1 every event. Volatile: read once per
     * blocking operation, so a rate set while a loop runs is seen at its next block (a
     * plain read could be hoisted out of the loop by C2: shared/NOTES.md).
     */
    static volatile long blockprofilerate;
    /** Go: mutexprofilerate, the fraction sampled (1 in rate); 0 off. Volatile, as above. */
    static volatile long mutexprofilerate;

    /** Go's cputicks: the clock of block and mutex events (see Differences from Go). */
    static long cputicks() {
        return System.nanoTime();
    }

    /** Go's runtime_cyclesPerSecond (pprof): ticks per second of {@link #cputicks}. */
    static final long CYCLES_PER_SECOND = 1_000_000_000L;

    /**
     * Go's SetBlockProfileRate: one event sampled per rate nanoseconds blocked on average;
     * 1 every event; {@code <= 0} off. Returns the previous rate in nanoseconds (Go's
     * returns nothing; gort's API returns the previous value).
     */
    static int setBlockProfileRate(int rate) {
        long r;
        if (rate <= 0) {
            r = 0; // disable profiling
        } else if (rate == 1) {
            r = 1; // profile everything
        } else {
            // Go converts ns to cycles (float64 to prevent overflow): with ticks of 1 ns the
            // conversion is rate * 1e9 / 1e9
            r = (long) ((double) rate * CYCLES_PER_SECOND / 1e9);
            if (r == 0) {
                r = 1;
            }
        }
        long old = blockprofilerate;
        blockprofilerate = r;
        return (int) Math.min(Integer.MAX_VALUE, old * 1_000_000_000L / CYCLES_PER_SECOND);
    }

    /**
     * Go's SetMutexProfileFraction: on average 1 in rate contention events is reported; 0
     * off; a negative rate only reads the current one. Returns the previous rate.
     */
    static int setMutexProfileFraction(int rate) {
        if (rate < 0) {
            return (int) mutexprofilerate;
        }
        long old = mutexprofilerate;
        mutexprofilerate = rate;
        return (int) old;
    }

    /** Go's cheaprand64: a non-negative 63-bit random value. */
    static long cheaprand64() {
        return ((Rand.cheaprand() & 0xFFFFFFFFL) << 31) ^ (Rand.cheaprand() & 0xFFFFFFFFL);
    }

    /**
     * Go's blockevent: gp blocked for cycles ticks at the site (what, on); recorded with
     * gp's stack there if sampled. Called by gp itself, on its own stack, after it woke.
     */
    static void blockevent(long cycles, G gp, Object what, Object on) {
        if (cycles <= 0) {
            cycles = 1;
        }
        long rate = blockprofilerate;
        if (blocksampled(cycles, rate)) {
            saveblockevent(cycles, rate, gp, what, on, BLOCK);
        }
    }

    /**
     * Go's blocksampled: true for every event with {@code cycles >= rate}; a shorter one has
     * a cycles/rate chance.
     */
    static boolean blocksampled(long cycles, long rate) {
        return !(rate <= 0 || (rate > cycles && cheaprand64() % rate > cycles));
    }

    /**
     * Go's mutexevent: gp (the unlocker) caused cycles ticks of delay to the waiters of the
     * lock {@code on}; one event in rate is recorded, with gp's stack.
     */
    static void mutexevent(long cycles, G gp, Object on) {
        if (cycles < 0) {
            cycles = 0;
        }
        long rate = mutexprofilerate;
        if (rate > 0 && cheaprand64() % rate == 0) {
            saveblockevent(cycles, rate, gp, UNLOCK, on, MUTEX);
        }
    }

    /** The site kind of a mutex event (the caller of Unlock), for {@link BlockStacks}. */
    static final Object UNLOCK = new Object() {
        @Override
        public String toString() {
            return "unlock";
        }
    };

    /** Go's saveblockevent and saveBlockEventStack: the record of gp's stack, scaled as Go scales it. */
    static void saveblockevent(long cycles, long rate, G gp, Object what, Object on, Buckets which) {
        Record bp = BlockStacks.record(gp, what, on, which);
        if (bp != null) {
            bp.add(cycles, rate, which == BLOCK);
        }
    }

    /**
     * Go's blockRecord: the accumulated count (a float in Go: sampled events are scaled by
     * the inverse of their probability) and cycles of one stack. The count is kept in two
     * parts: the whole events (block events at or above the rate; a mutex event counts rate
     * times), added atomically, and the fractional scaled block events, under the record's
     * monitor, so that rate 1 (every event) costs two atomic adds and no lock. A snapshot
     * may see an event's count without its cycles (Go's is taken under profBlockLock): a
     * profile is read while events go on either way.
     */
    static final class Record {
        private static final java.lang.invoke.VarHandle WHOLE;
        private static final java.lang.invoke.VarHandle CYCLES;

        static {
            try {
                var l = java.lang.invoke.MethodHandles.lookup();
                WHOLE = l.findVarHandle(Record.class, "whole", long.class);
                CYCLES = l.findVarHandle(Record.class, "cycles", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Stack stack;
        /** Whole events. Atomic adds (WHOLE), volatile reads. */
        @SuppressWarnings("unused")
        private volatile long whole;
        /** Block events counted rate/cycles times each (sampled below the rate). The monitor. */
        private double scaled;
        /** Atomic adds (CYCLES), volatile reads. */
        @SuppressWarnings("unused")
        private volatile long cycles;

        Record(Stack stack) {
            this.stack = stack;
        }

        /** saveBlockEventStack's scaling: up-scale by 1 / (the probability the event was sampled). */
        void add(long cycles, long rate, boolean block) {
            if (block && cycles < rate) {
                // Remove sampling bias, see discussion on http://golang.org/cl/299991.
                synchronized (this) {
                    scaled += (double) rate / (double) cycles;
                }
                CYCLES.getAndAdd(this, rate);
            } else if (!block) {
                WHOLE.getAndAdd(this, rate);
                CYCLES.getAndAdd(this, rate * cycles);
            } else {
                WHOLE.getAndAdd(this, 1L);
                CYCLES.getAndAdd(this, cycles);
            }
        }

        ProfRt.BlockRecord snapshot(boolean block) {
            double count;
            synchronized (this) {
                count = whole + scaled;
            }
            long n = (long) count;
            // Go's blockProfileInternal: prevent callers from dividing by zero (block only)
            if (n == 0 && block) {
                n = 1;
            }
            return new ProfRt.BlockRecord(n, this.cycles, stack);
        }
    }

    /** One profile's bucket table: Go's bbuckets or xbuckets (stkbucket of blockProfile or mutexProfile). */
    static final class Buckets {
        private final ConcurrentHashMap<Stack, Record> records = new ConcurrentHashMap<>();
        final String name;

        Buckets(String name) {
            this.name = name;
        }

        /** Go's stkbucket(typ, 0, stk, true): the record of this stack, made on first use. */
        Record stkbucket(Stack stk) {
            Record r = records.get(stk);
            return r != null ? r : records.computeIfAbsent(stk, Record::new);
        }

        /** Go's blockProfileInternal / mutexProfileInternal: every record now. */
        List<ProfRt.BlockRecord> records() {
            List<ProfRt.BlockRecord> out = new ArrayList<>(records.size());
            for (Record r : records.values()) {
                out.add(r.snapshot(this == BLOCK));
            }
            return out;
        }

        /** Go's BlockProfile(nil)/MutexProfile(nil): the number of records. */
        int count() {
            return records.size();
        }
    }

    static final Buckets BLOCK = new Buckets("block");
    static final Buckets MUTEX = new Buckets("mutex");
}
