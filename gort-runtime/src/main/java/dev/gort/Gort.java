package dev.gort;

import dev.gort.runtime.Rt;

/**
 * Goroutines: Go's {@code go} statement, {@code func main} and the {@code runtime}
 * package's scheduler controls.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     Gort.main(() -> {
 *         Chan<String> ch = Chan.make();
 *         Gort.go(() -> ch.send("hello"));
 *         System.out.println(ch.recv());
 *     });
 * }
 * }</pre>
 *
 * <p>Runs: {@link #run} starts a main goroutine and blocks until it returns; goroutines it
 * starts (transitively) belong to that run. An uncaught throwable in any of them, or a
 * fatal runtime error such as a deadlock, kills the run: Go's report goes to stderr and
 * {@code run} throws {@link FatalError}. Many runs may exist in one JVM, one after another
 * or at once. Inside a goroutine, {@code Thread.currentThread()} is the M (a platform
 * thread) running it, so thread-locals are per M, not per goroutine.
 */
public final class Gort {
    private Gort() {}

    /**
     * {@code go fn()}: starts a goroutine. Callable from any thread; starts the runtime
     * lazily.
     *
     * @throws NullPointerException "go of nil func value" if fn is null
     */
    public static void go(Runnable fn) {
        Rt.go(fn);
    }

    /**
     * Runs {@code main} as the main goroutine of a new run and blocks the caller until it
     * returns (a goroutine caller parks). Other goroutines are left running.
     *
     * @throws FatalError if the run dies; the report has been printed to stderr
     */
    public static void run(Runnable main) {
        Rt.run(main);
    }

    /**
     * As {@link #run}, but a dying program exits the JVM with status 2, like Go (shutdown
     * hooks run). For {@code public static void main}.
     */
    public static void main(Runnable main) {
        try {
            Rt.run(main);
        } catch (FatalError e) {
            System.exit(2);
        }
    }

    /** {@code runtime.Gosched}: yields the P; the goroutine goes to the global run queue. On a plain thread, {@code Thread.yield()}. */
    public static void gosched() {
        Rt.gosched();
    }

    /**
     * {@code runtime.Goexit}: ends the calling goroutine after its {@code finally} blocks
     * run. It unwinds with an internal {@link Error}, which {@code catch (Exception e)}
     * does not intercept.
     *
     * @throws IllegalStateException on a plain thread
     */
    public static void goexit() {
        Rt.goexit();
    }

    /**
     * {@code runtime.Stack}: the calling goroutine's traceback in Go's shape
     * ({@code goroutine N [running]:}, frames as {@code pkg.Class.method(...)} and
     * {@code \tFile.java:LINE}, {@code created by ... in goroutine P}); with {@code all},
     * every goroutine's after it, a blank line between two. Unlike Go's, {@code all} does
     * not stop the world (see {@code dev.gort.pprof}).
     */
    public static String stack(boolean all) {
        return dev.gort.runtime.ProfRt.stack(all);
    }

    /**
     * {@code runtime.SetBlockProfileRate}: the block profile ({@code Pprof.lookup("block")})
     * samples on average one blocking event per {@code rate} nanoseconds spent blocked; 1
     * records every event; {@code rate <= 0} turns it off (the default). Returns the
     * previous rate (Go's returns nothing).
     */
    public static int setBlockProfileRate(int rate) {
        return dev.gort.runtime.ProfRt.setBlockProfileRate(rate);
    }

    /**
     * {@code runtime.SetMutexProfileFraction}: the mutex profile
     * ({@code Pprof.lookup("mutex")}) records on average 1 in {@code rate} contention events
     * on {@code dev.gort.sync} locks, charged to the unlocker; 0 turns it off (the default);
     * a negative rate only reads the current one. Returns the previous rate.
     */
    public static int setMutexProfileFraction(int rate) {
        return dev.gort.runtime.ProfRt.setMutexProfileFraction(rate);
    }

    /** {@code runtime.NumGoroutine}: goroutines that exist now. */
    public static int numGoroutine() {
        return Rt.numGoroutine();
    }

    /** {@code runtime.GOMAXPROCS}: sets the number of Ps when {@code n >= 1}; returns the previous value. */
    public static int gomaxprocs(int n) {
        return Rt.gomaxprocs(n);
    }

    /** {@code runtime.NumCPU}. */
    public static int numCPU() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** {@code runtime.LockOSThread}: wires the calling goroutine to its M (nesting counted). Nothing on a plain thread. */
    public static void lockOSThread() {
        Rt.lockOSThread();
    }

    /** {@code runtime.UnlockOSThread}. Nothing on a plain thread. */
    public static void unlockOSThread() {
        Rt.unlockOSThread();
    }

    /**
     * Runs a call that may block the OS thread (Go's entersyscall/exitsyscall): if it
     * blocks, sysmon hands the goroutine's P to another M so the other goroutines keep
     * running. Runs in the calling goroutine; on a plain thread it just runs the call.
     * {@code int n = Gort.syscall(() -> in.read());}
     *
     * @throws E whatever the call throws
     */
    public static <T, E extends Exception> T syscall(BlockingCall<T, E> call) throws E {
        return Rt.syscall(call);
    }

    /** As {@link #syscall(BlockingCall)}, for a call with no result: {@code Gort.syscall(() -> Thread.sleep(200));} */
    public static <E extends Exception> void syscall(BlockingRun<E> call) throws E {
        Rt.syscall(() -> {
            call.run();
            return null;
        });
    }

    /** The calling goroutine's id, or -1 on a plain Java thread. */
    public static long goid() {
        return Rt.goid();
    }
}
