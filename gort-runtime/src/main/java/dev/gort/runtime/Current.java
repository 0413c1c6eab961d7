package dev.gort.runtime;

/**
 * The current thread, read afresh on every call: Go's {@code getg().m}.
 *
 * <p>A goroutine can resume on another M after any call that parks it, but C2 treats
 * {@code Thread.currentThread()} as fixed within one compiled method: it keeps the value
 * in a register or spill slot across calls, including the {@code Continuation.yield} that
 * moves the goroutine (measured here: after a resume on another thread, compiled code saw
 * the old thread in 97 percent of resumes). With inlining, "one compiled method" spans the
 * runtime's calls and the user code around them, so {@code getg()} written naively would
 * return the goroutine running on the <em>previous</em> M.
 *
 * <p>The JDK guards its own thread switches with {@code @ChangesCurrentThread}, which only
 * boot classes may use. Here {@link #thread()} is simply never inlined: C2 does not inline
 * a hot method whose bytecode exceeds {@code FreqInlineSize} (325 bytes), so it carries a
 * never-taken block of padding (a 100-entry jump table, 400 bytes); each call then reads
 * the thread register of the thread it runs on. It stays far below {@code HugeMethodLimit} (8000 bytes), so it is compiled.
 * Every read of the current thread in code that may run in a goroutine goes through here.
 *
 * <p>Rejected: ThreadLocal (reads currentThread itself), carrying the G in every call
 * (the public API has no place for it), and command-line CompileCommand flags (users
 * would have to add them).
 */
final class Current {
    private Current() {}

    /** Always false; guards the padding. Volatile so the compiler cannot drop the block. */
    private static volatile boolean never;
    private static int sink;

    /** The current thread, read in a frame that cannot be merged with the caller's. */
    static Thread thread() {
        if (never) {
            // Padding: a 100-entry jump table makes this method too big for C2 to inline
            // (see the class comment).
            switch (sink) {
                case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
                case 10: case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 19:
                case 20: case 21: case 22: case 23: case 24: case 25: case 26: case 27: case 28: case 29:
                case 30: case 31: case 32: case 33: case 34: case 35: case 36: case 37: case 38: case 39:
                case 40: case 41: case 42: case 43: case 44: case 45: case 46: case 47: case 48: case 49:
                case 50: case 51: case 52: case 53: case 54: case 55: case 56: case 57: case 58: case 59:
                case 60: case 61: case 62: case 63: case 64: case 65: case 66: case 67: case 68: case 69:
                case 70: case 71: case 72: case 73: case 74: case 75: case 76: case 77: case 78: case 79:
                case 80: case 81: case 82: case 83: case 84: case 85: case 86: case 87: case 88: case 89:
                case 90: case 91: case 92: case 93: case 94: case 95: case 96: case 97: case 98: case 99:
                    sink++;
                    break;
                default:
                    break;
            }
        }
        return Thread.currentThread();
    }

    /**
     * Runs {@code call(channel, arg)} (a call into a JDK channel) in a frame of its own,
     * padded as {@link #thread()} so that C2 never merges it with the caller's. The JDK's
     * channels take {@code ReentrantLock}s, which record {@code Thread.currentThread()} as
     * their owner; inlined into a goroutine's compiled frame that parks (and resumes on
     * another M) between two calls, the lock would be taken in the name of the previous M,
     * and its unlock, reading the thread afresh, throws IllegalMonitorStateException and
     * leaves the lock held by an M that no longer has it (seen: two Ms deadlocked in close
     * on each other's channels under redis-benchmark). Every lock taken in this frame is
     * released in it, where the thread is read once and is right.
     */
    static long call(NetpollRt.ChannelCall call, Object channel, Object arg) throws java.io.IOException {
        if (never) {
            switch (sink) {
                case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
                case 10: case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 19:
                case 20: case 21: case 22: case 23: case 24: case 25: case 26: case 27: case 28: case 29:
                case 30: case 31: case 32: case 33: case 34: case 35: case 36: case 37: case 38: case 39:
                case 40: case 41: case 42: case 43: case 44: case 45: case 46: case 47: case 48: case 49:
                case 50: case 51: case 52: case 53: case 54: case 55: case 56: case 57: case 58: case 59:
                case 60: case 61: case 62: case 63: case 64: case 65: case 66: case 67: case 68: case 69:
                case 70: case 71: case 72: case 73: case 74: case 75: case 76: case 77: case 78: case 79:
                case 80: case 81: case 82: case 83: case 84: case 85: case 86: case 87: case 88: case 89:
                case 90: case 91: case 92: case 93: case 94: case 95: case 96: case 97: case 98: case 99:
                    sink++;
                    break;
                default:
                    break;
            }
        }
        return call.call(channel, arg);
    }

    /** {@link #lockCall}'s operations: the {@code Lock} method it calls. */
    static final int LOCK = 0, LOCK_INTERRUPTIBLY = 1, TRY_LOCK = 2, TRY_LOCK_TIMED = 3, UNLOCK = 4;

    /**
     * Calls one of lock's methods (op) in a frame of its own, padded as {@link #thread()}, so
     * that C2 never merges it with the caller's: the agent routes the application's
     * {@code Lock} calls here ({@link HookRt#lock}). A {@code ReentrantLock} (or a
     * read-write lock's half) names {@code Thread.currentThread()} as its owner when taken
     * and checks it when released; inlined into the application's compiled method, that
     * read is the one C2 keeps for the whole method, from before any park or preemption
     * check that moved the goroutine to another M. The lock was then taken in the name of
     * the previous M (which may be running another goroutine, to which the lock is now
     * "reentrant"), and its unlock, reading the thread afresh in a frame of its own, threw
     * IllegalMonitorStateException (AgentIT: MonitorShapes, about one run in 50; a channel
     * round trip before the lock, LockAfterMove, in every run). Here the thread is read in
     * a frame that starts right before the call: nothing in between can move the goroutine.
     * Returns the result of {@code tryLock}, true for the others.
     */
    static boolean lockCall(java.util.concurrent.locks.Lock lock, int op, long time, java.util.concurrent.TimeUnit unit)
            throws InterruptedException {
        if (never) {
            switch (sink) {
                case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
                case 10: case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 19:
                case 20: case 21: case 22: case 23: case 24: case 25: case 26: case 27: case 28: case 29:
                case 30: case 31: case 32: case 33: case 34: case 35: case 36: case 37: case 38: case 39:
                case 40: case 41: case 42: case 43: case 44: case 45: case 46: case 47: case 48: case 49:
                case 50: case 51: case 52: case 53: case 54: case 55: case 56: case 57: case 58: case 59:
                case 60: case 61: case 62: case 63: case 64: case 65: case 66: case 67: case 68: case 69:
                case 70: case 71: case 72: case 73: case 74: case 75: case 76: case 77: case 78: case 79:
                case 80: case 81: case 82: case 83: case 84: case 85: case 86: case 87: case 88: case 89:
                case 90: case 91: case 92: case 93: case 94: case 95: case 96: case 97: case 98: case 99:
                    sink++;
                    break;
                default:
                    break;
            }
        }
        switch (op) {
            case LOCK -> lock.lock();
            case LOCK_INTERRUPTIBLY -> lock.lockInterruptibly();
            case TRY_LOCK -> {
                return lock.tryLock();
            }
            case TRY_LOCK_TIMED -> {
                return lock.tryLock(time, unit);
            }
            case UNLOCK -> lock.unlock();
            default -> throw new IllegalArgumentException("lock operation " + op);
        }
        return true;
    }

    /**
     * {@code Thread.interrupted()} for the thread read afresh: clears the current thread's
     * interrupt status and returns what it was. Padded as {@link #thread()}, for the same
     * reason (a stale thread would clear another goroutine's interrupt).
     */
    static boolean interrupted() {
        if (never) {
            switch (sink) {
                case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
                case 10: case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 19:
                case 20: case 21: case 22: case 23: case 24: case 25: case 26: case 27: case 28: case 29:
                case 30: case 31: case 32: case 33: case 34: case 35: case 36: case 37: case 38: case 39:
                case 40: case 41: case 42: case 43: case 44: case 45: case 46: case 47: case 48: case 49:
                case 50: case 51: case 52: case 53: case 54: case 55: case 56: case 57: case 58: case 59:
                case 60: case 61: case 62: case 63: case 64: case 65: case 66: case 67: case 68: case 69:
                case 70: case 71: case 72: case 73: case 74: case 75: case 76: case 77: case 78: case 79:
                case 80: case 81: case 82: case 83: case 84: case 85: case 86: case 87: case 88: case 89:
                case 90: case 91: case 92: case 93: case 94: case 95: case 96: case 97: case 98: case 99:
                    sink++;
                    break;
                default:
                    break;
            }
        }
        return Thread.interrupted();
    }

    /** The current M, or null on a plain thread. */
    static M m() {
        return thread() instanceof M mp ? mp : null;
    }
}
