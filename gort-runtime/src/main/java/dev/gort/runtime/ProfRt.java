package dev.gort.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * The profiles' entry points for {@code dev.gort.pprof} and {@code Gort.stack}: Go's runtime
 * functions that runtime/pprof reaches by linkname ({@code pprof_goroutineProfileWithLabels},
 * {@code runtime.Stack}), and the types their results are made of.
 */
public final class ProfRt {
    private ProfRt() {}

    /**
     * A frame: Go's PC, symbolized. {@code id} stands for the PC (unique per distinct
     * function, file and line, for the life of the JVM); {@code api}: a frame of gort's own
     * API ({@code dev.gort.Chan.recv}), kept in profiles and hidden in tracebacks, as Go
     * keeps {@code runtime.chanrecv1} in profiles and hides it in tracebacks.
     */
    public record Frame(long id, String func, String file, int line, boolean api) {}

    /** An interned stack: frames innermost first. Equal stacks are usually the same object. */
    public static final class Stack {
        final Frame[] frames;
        private final int hash;

        Stack(Frame[] frames) {
            this.frames = frames;
            this.hash = Arrays.hashCode(frames);
        }

        public List<Frame> frames() {
            return List.of(frames);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stack s && s.hash == hash && Arrays.equals(s.frames, frames);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * One goroutine in a goroutine profile: Go's StackRecord plus what its traceback header
     * shows. {@code state} is the wait reason or status as Go prints it ({@code chan
     * receive}, {@code running}, {@code runnable}, {@code syscall}); {@code createdBy} is
     * null for a run's main goroutine; {@code parentGoid} 0 when a plain thread created it.
     */
    public record Goroutine(long goid, String state, long waitMinutes, boolean locked, Stack stack,
                            Frame createdBy, long parentGoid) {}

    /**
     * Go's goroutineProfileWithLabelsConcurrent: every goroutine's stack, the caller's first
     * if it is one ({@link GoroutineProfile}). A goroutine caller is in a syscall meanwhile,
     * so its P goes on scheduling others.
     */
    public static List<Goroutine> goroutineProfile() {
        Rt.start();
        return Rt.syscall(GoroutineProfile::capture);
    }

    /**
     * Go's runtime_goroutineLeakGC and goroutineLeakProfileWithLabels: finds the goroutines
     * leaked now (a garbage collection, {@link GoroutineLeak}), reclaims them, and returns
     * the records of the leaks found so far (the latest {@link GoroutineLeak#KEEP}), oldest
     * first. A goroutine caller is in a syscall meanwhile.
     */
    public static List<Goroutine> goroutineLeakProfile() {
        Rt.start();
        GoroutineLeak.clearCallersRing();
        return Rt.syscall(GoroutineLeak::detect);
    }

    /** Go's runtime_goroutineleakcount: leaked goroutines found so far (gort reclaims them, so the count only grows). */
    public static int goroutineLeakCount() {
        return GoroutineLeak.count();
    }

    /** The stack of every leak found so far, once per leaked goroutine. */
    public static List<Stack> goroutineLeakStacks() {
        return GoroutineLeak.stacks();
    }

    /** Go's runtime.Stack: the caller's traceback and, with {@code all}, every goroutine's. */
    public static String stack(boolean all) {
        Rt.start();
        if (all) {
            return Traceback.goroutines(goroutineProfile());
        }
        G gp = Current.thread() instanceof M mp ? mp.curg : null;
        StringBuilder b = new StringBuilder();
        if (gp == null) {
            // A plain thread is no goroutine (Go has no such caller): named as fatal reports name it.
            b.append("thread ").append(Thread.currentThread().getName()).append(":\n");
            Traceback.frames(b, ProfStack.here());
            return b.toString();
        }
        Traceback.goroutine(b, new Goroutine(gp.goid, "running", 0, Traceback.lockedToThread(gp), ProfStack.here(),
                gp.createdBy, gp.parentGoid));
        return b.toString();
    }

    /** Go's traceback text for these goroutines (debug=2), a blank line between two. */
    public static String traceback(List<Goroutine> gs) {
        return Traceback.goroutines(gs);
    }

    /** One goroutine's traceback: header, frames, {@code created by} (each line ends with a newline). */
    public static void traceback(Goroutine g, StringBuilder b) {
        Traceback.goroutine(b, g);
    }

    /**
     * For gort's service threads (the pprof server's handlers): the calling thread no
     * longer counts as a plain thread that used gort (Externals), so it never postpones a
     * deadlock verdict. Call when its work is done; it must not be waiting on a channel.
     */
    public static void serviceThreadDone() {
        ExternalG.forgetCurrent();
    }

    /**
     * Runs call for gort's own service (an MXBean operation on a JMX or RMI thread, which
     * may be the caller's own thread): if the calling thread was not a plain thread that
     * used gort (Externals) before, it is not one afterwards either, whatever call did (a
     * goroutine profile enters the runtime, which registers a plain thread). A thread that
     * was one stays one: it may still wake a goroutine.
     */
    public static <T, E extends Exception> T serviceCall(dev.gort.BlockingCall<T, E> call) throws E {
        boolean was = ExternalG.isRegistered();
        try {
            return call.call();
        } finally {
            if (!was) {
                ExternalG.forgetCurrent();
            }
        }
    }

    /** Go's ThreadCreateProfile: the creation stack of every M (thread) that exists. */
    public static List<Stack> threadCreateProfile() {
        List<Stack> out = new java.util.ArrayList<>();
        for (M mp : Sched.allm()) {
            Stack st = mp.createstack;
            out.add(st != null ? st : ProfStack.EMPTY);
        }
        return out;
    }

    /** Go's countThreadCreate: Ms that exist. */
    public static int threadCount() {
        int n = 0;
        for (M ignored : Sched.allm()) {
            n++;
        }
        return n;
    }

    /**
     * One record of the block or mutex profile: Go's BlockProfileRecord (profilerecord),
     * the events' count and their total delay in cycles ({@link #cyclesPerSecond} a second),
     * at one stack.
     */
    public record BlockRecord(long count, long cycles, Stack stack) {}

    /** Go's SetBlockProfileRate; returns the previous rate (nanoseconds; 0 off). */
    public static int setBlockProfileRate(int rate) {
        return MProf.setBlockProfileRate(rate);
    }

    /** Go's SetMutexProfileFraction: a negative rate only reads; returns the previous. */
    public static int setMutexProfileFraction(int rate) {
        return MProf.setMutexProfileFraction(rate);
    }

    /** Go's pprof_blockProfileInternal: every record of the block profile. */
    public static List<BlockRecord> blockProfile() {
        return MProf.BLOCK.records();
    }

    /** Go's pprof_mutexProfileInternal: every record of the mutex profile. */
    public static List<BlockRecord> mutexProfile() {
        return MProf.MUTEX.records();
    }

    /** Go's BlockProfile(nil): the block profile's number of records. */
    public static int blockProfileCount() {
        return MProf.BLOCK.count();
    }

    /** Go's MutexProfile(nil): the mutex profile's number of records. */
    public static int mutexProfileCount() {
        return MProf.MUTEX.count();
    }

    /** Go's runtime_cyclesPerSecond: the block and mutex profiles' cycles are nanoseconds. */
    public static long cyclesPerSecond() {
        return MProf.CYCLES_PER_SECOND;
    }

    /** Go's gcount (NumGoroutine). */
    public static int numGoroutine() {
        return Rt.numGoroutine();
    }
}
