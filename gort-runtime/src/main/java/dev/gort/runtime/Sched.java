package dev.gort.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler's global state: Go's {@code sched} (schedt in runtime2.go) and the globals
 * beside it ({@code allp}, {@code gomaxprocs}, {@code idlepMask}, {@code allgs}), with the
 * small functions that need {@code sched.lock}: the global run queue, the idle M and P
 * lists (proc.go: globrunqput*, globrunqget*, mput, mget, pidleput, pidleget*).
 *
 * <h2>Field access</h2>
 * Fields marked "lock" are read and written only under {@link #lock}. {@code npidle},
 * {@code nmspinning} and {@code needspinning} are atomics read without the lock on fast
 * paths (wakep, findRunnable's spinning limit), as Go's. {@code runqsize} mirrors
 * {@code runq.size} in a volatile so that "is the global queue empty?" needs no lock
 * (Go reads sched.runq racily). {@code allp} and {@code idlepMask} are replaced only by
 * procresize while the world is stopped, and published by volatile writes.
 */
final class Sched {
    private Sched() {}

    static final RMutex lock = new RMutex();

    // Global run queue. lock.
    static final GQueue runq = new GQueue();
    /** runq.size, readable without the lock. Written under lock. */
    static volatile int runqsize;

    // Idle Ms. lock.
    static M midle;
    static int nmidle;
    /** Idle Ms waiting for their locked G (LockOSThread, pinned park). */
    static int nmidlelocked;
    /** Number of Ms created (ids), including ones reserved by startm before their thread starts. */
    static long mnext;
    /** Ms that exited. */
    static long nmfreed;
    /** System Ms not counted for deadlock (sysmon). */
    static int nmsys;
    /**
     * Ms blocked in netpoll for nobody but goroutines that ended runs abandoned
     * ({@link Netpoll#netpollLiveWaiters}): idle as far as checkdead is concerned. gort's own.
     */
    static int nmnetpollAbandoned;

    // Idle Ps. lock, npidle also atomic.
    static P pidle;
    static volatile int npidle;
    /** Number of spinning Ms. Go's "Worker thread parking/unparking" protocol depends on it. */
    static volatile int nmspinning;
    /** See "Delicate dance" in FindRunnable.findRunnable. */
    static volatile int needspinning;

    static volatile P[] allp = new P[0];
    static volatile int gomaxprocs;
    /** Bit i set while allp[i] is idle: stealers skip idle Ps. Go: idlepMask. */
    static volatile int[] idlepMask = new int[0];

    /** Last allocated goid; ids are handed to Ps in batches. Go: sched.goidgen. */
    static final AtomicLong goidgen = new AtomicLong();
    /**
     * Go: sched.goroutinesCreated, the goroutines counted on no P: here those created
     * without one (from a plain thread, or an M that lost its P), which is already the
     * slow path (the global queue's lock). Go folds destroyed Ps' counts in here; gort's
     * Ps are never freed and keep theirs (P.goroutinesCreated).
     */
    static final AtomicLong goroutinesCreated = new AtomicLong();

    // Global free G list. gFreeLock.
    static final RMutex gFreeLock = new RMutex();
    static volatile G gFree;
    static int gFreeSize;

    // Central sudog cache. sudoglock.
    static final RMutex sudoglock = new RMutex();
    static Sudog sudogcache;

    /** Every M that has not exited (schedtrace). */
    static final java.util.Queue<M> allm = new java.util.concurrent.ConcurrentLinkedQueue<>();

    static Iterable<M> allm() {
        return allm;
    }

    /** Go: sched.sysmonwait: sysmon is in deep sleep (all Ps idle). Written under lock. */
    static volatile boolean sysmonwait;

    // Stop-the-world. lock, gcwaiting also read racily.
    static volatile boolean gcwaiting;
    /** 1 from stopTheWorld until startTheWorld has woken the Ms it needs (counts as a running M). lock. */
    static int stwActive;
    static int stopwait;
    static volatile boolean stopnote;

    // All Gs (reused, freed only when a goroutine leak profile reclaims leaked ones).
    // allglock; readers use the snapshot through allg(a, i). A slot holds a G, or, while a
    // leak detection runs, a GoroutineLeak.Candidate (a weak reference to the G).
    static final Object allglock = new Object();
    static volatile Object[] allgs = new Object[64];
    static volatile int allglen;

    static final VarHandle NPIDLE;
    static final VarHandle NMSPINNING;
    private static final VarHandle MASK = MethodHandles.arrayElementVarHandle(int[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            NPIDLE = l.findStaticVarHandle(Sched.class, "npidle", int.class);
            NMSPINNING = l.findStaticVarHandle(Sched.class, "nmspinning", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- global run queue ----

    /** Go's globrunqput: gp to the tail of the global queue. lock held. */
    static void globrunqput(G gp) {
        runq.pushBack(gp);
        runqsize = runq.size;
    }

    /** Go's globrunqputhead. lock held. */
    static void globrunqputhead(G gp) {
        runq.push(gp);
        runqsize = runq.size;
    }

    /** Go's globrunqputbatch; clears batch. lock held. */
    static void globrunqputbatch(GQueue batch) {
        runq.pushBackAll(batch);
        batch.clear();
        runqsize = runq.size;
    }

    /** Go's globrunqget: one G from the global queue, or null. lock held. */
    static G globrunqget() {
        if (runq.size == 0) {
            return null;
        }
        G gp = runq.pop();
        runqsize = runq.size;
        return gp;
    }

    /**
     * Go's globrunqgetbatch: one G to run, and up to n-1 more (at most a fair share,
     * size/gomaxprocs+1) into q. lock held.
     */
    static G globrunqgetbatch(int n, GQueue q) {
        if (runq.size == 0) {
            return null;
        }
        n = Math.min(n, Math.min(runq.size, runq.size / gomaxprocs + 1));
        G gp = runq.pop();
        n--;
        for (; n > 0; n--) {
            q.pushBack(runq.pop());
        }
        runqsize = runq.size;
        return gp;
    }

    static boolean runqEmpty() {
        return runqsize == 0;
    }

    // ---- idle Ms ----

    /** Go's mput: put mp on the idle list, then look for a deadlock. lock held. */
    static void mput(M mp) {
        mp.schedlink = midle;
        midle = mp;
        nmidle++;
        CheckDead.checkdead();
    }

    /** Go's mget. lock held. */
    static M mget() {
        M mp = midle;
        if (mp != null) {
            midle = mp.schedlink;
            mp.schedlink = null;
            nmidle--;
        }
        return mp;
    }

    /** Go's mReserveID: count a new M as running before its thread exists. lock held. */
    static long mReserveID() {
        return mnext++;
    }

    static long mcount() {
        return mnext - nmfreed;
    }

    // ---- idle Ps ----

    /** Go's pidleput: pp (with an empty run queue) onto the idle list. lock held. */
    static void pidleput(P pp) {
        if (!RunQueue.runqempty(pp)) {
            throw Throw.fatalThrow("pidleput: P has non-empty run queue");
        }
        maskSet(pp.id);
        pp.link = pidle;
        pidle = pp;
        NPIDLE.getAndAdd(1);
    }

    /** Go's pidleget: take an idle P, or null. lock held. */
    static P pidleget() {
        P pp = pidle;
        if (pp != null) {
            maskClear(pp.id);
            pidle = pp.link;
            pp.link = null;
            NPIDLE.getAndAdd(-1);
        }
        return pp;
    }

    /**
     * Go's pidlegetSpinning: as pidleget, for callers that found work they cannot take;
     * if there is no idle P, ask a non-spinning M about to drop its P to spin instead
     * (see "Delicate dance" in findRunnable). lock held.
     */
    static P pidlegetSpinning() {
        P pp = pidleget();
        if (pp == null) {
            needspinning = 1;
        }
        return pp;
    }

    // ---- pMask (Go's pMask for idlepMask) ----

    static boolean maskRead(int[] mask, int id) {
        int word = id >>> 5;
        return word < mask.length && ((int) MASK.getVolatile(mask, word) & (1 << (id & 31))) != 0;
    }

    private static void maskSet(int id) {
        int[] mask = idlepMask;
        int word = id >>> 5;
        int bit = 1 << (id & 31);
        int v;
        do {
            v = (int) MASK.getVolatile(mask, word);
        } while (!MASK.compareAndSet(mask, word, v, v | bit));
    }

    private static void maskClear(int id) {
        int[] mask = idlepMask;
        int word = id >>> 5;
        int bit = 1 << (id & 31);
        int v;
        do {
            v = (int) MASK.getVolatile(mask, word);
        } while (!MASK.compareAndSet(mask, word, v, v & ~bit));
    }

    // ---- allgs ----

    /**
     * The G in slot i of a snapshot of allgs ({@code a = allgs} read after {@code allglen}),
     * or null: a slot past the end of a compacted array, or a leaked goroutine the garbage
     * collector has reclaimed. Every reader of allgs goes through here.
     */
    static G allg(Object[] a, int i) {
        Object o = a[i];
        return o instanceof G gp ? gp : o instanceof GoroutineLeak.Candidate c ? c.get() : null;
    }

    /** Go's allgadd: record a new G (tracebacks, checkdead, numGoroutine). */
    static void allgadd(G gp) {
        synchronized (allglock) {
            Object[] a = allgs;
            int n = allglen;
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n] = gp;
            allgs = a;
            allglen = n + 1;
        }
    }
}
