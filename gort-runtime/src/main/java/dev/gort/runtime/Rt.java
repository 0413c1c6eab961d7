package dev.gort.runtime;

import dev.gort.FatalError;

import java.util.ArrayList;
import java.util.List;

/**
 * The runtime's entry points for {@code dev.gort.Gort}: Go's runtime package functions
 * (go, Gosched, Goexit, GOMAXPROCS, LockOSThread, NumGoroutine) and gort's runs. A facade:
 * public only because the API lives in another package. Starts the runtime lazily (Go's
 * schedinit) on first use.
 */
public final class Rt {
    private Rt() {}

    private static volatile boolean started;
    /**
     * While the start hooks run (on the starting thread, holding the class lock): their own
     * calls of start return at once, the Ps and sysmon being there already. Class lock.
     */
    private static boolean starting;
    /** {@link #whenStarted} hooks not run yet; class lock. */
    private static final List<Runnable> startHooks = new ArrayList<>();

    /** Go's schedinit: read the configuration and create the Ps; Ms are started on demand. */
    public static void start() {
        if (!started) {
            startSlow();
        }
    }

    private static synchronized void startSlow() {
        if (started || starting) {
            return;
        }
        VmAccess.check();
        int procs = Env.maxprocs();
        Env.settings(); // GODEBUG, read (and any malformed setting reported) at start, as Go does
        Sched.lock.lock();
        try {
            if (Stw.procresize(procs) != null) {
                throw Throw.fatalThrow("unknown runnable goroutine during bootstrap");
            }
        } finally {
            Sched.lock.unlock();
        }
        Sysmon.start();
        // Java's tools: JFR's listener now (a recording started after this is seen at once),
        // the MXBean on a thread of its own (Jmx: a platform MBean server costs ~0.3 s of CPU).
        Jfr.install();
        Jmx.start();
        // Tracing from the first instant (gort.trace, the agent's flight=): before any
        // other thread sees the runtime started, so before the first goroutine.
        starting = true;
        try {
            TraceFile.startFromProperty();
            for (Runnable hook : startHooks) {
                runStartHook(hook);
            }
            startHooks.clear();
        } finally {
            starting = false;
        }
        started = true;
    }

    /** See {@link TraceRt#whenStarted}. */
    static void whenStarted(Runnable hook) {
        synchronized (Rt.class) {
            if (!started && !starting) {
                startHooks.add(hook);
                return;
            }
        }
        runStartHook(hook);
    }

    /** A failing hook is reported, never a reason for the runtime not to start. */
    private static void runStartHook(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            Env.warn("a start hook failed: " + e);
        }
    }

    /** {@code go fn()}: start a goroutine belonging to the caller's run. */
    public static void go(Runnable fn) {
        if (fn == null) {
            throw new NullPointerException("go of nil func value");
        }
        start();
        G caller = Entry.enter();
        try {
            NewProc.newproc(fn, caller != null ? caller.run : null);
        } finally {
            Entry.exit(caller);
        }
    }

    /** Run main as the main goroutine of a new run and wait for it (see docs/api.md). */
    public static void run(Runnable main) {
        if (main == null) {
            throw new NullPointerException("go of nil func value");
        }
        start();
        Run r = new Run();
        boolean fresh = Current.m() == null && !ExternalG.isRegistered();
        // A goroutine may call run from inside a syscall (Gort.syscall, or a block sysmon
        // took for one): it leaves the syscall here, before it queues the new main on its P
        // and parks, as any runtime entry does.
        G caller = Entry.enter();
        ExternalG eg = caller instanceof ExternalG e ? e : null;
        try {
            if (caller != null && caller.ctl() != null) {
                throw new IllegalStateException("Gort.run inside a controlled run (dev.gort.explore): "
                        + "its goroutines would escape the controller; start goroutines with Gort.go");
            }
            Run.active.add(r);
            // Until its main goroutine is queued, this thread counts as one that may still
            // wake goroutines (Go: the M in newproc is running), so checkdead waits.
            // The run ends when its main goroutine has ended, in goexit0 (Run.mainReturned):
            // once run returns, main is gone from NumGoroutine and the profiles.
            NewProc.newproc(() -> {
                main.run();
                r.mainReturned = true;
            }, r, true);
            if (eg != null) {
                eg.inRun++;
            }
            r.await();
        } finally {
            if (eg != null && eg.inRun > 0) {
                eg.inRun--;
                if (fresh) {
                    eg.forget();
                }
            }
            Entry.exit(caller);
        }
        FatalError death = r.death();
        if (death != null) {
            throw new FatalError(death.getMessage(), death.getCause());
        }
    }

    /** Go's runtime.Gosched. */
    public static void gosched() {
        Park.gosched();
    }

    /** Go's runtime.Goexit. */
    public static void goexit() {
        if (!(Current.thread() instanceof M mp) || mp.curg == null) {
            throw new IllegalStateException("Gort.goexit called outside a goroutine");
        }
        throw new Goexit();
    }

    /** Go's runtime.NumGoroutine. */
    public static int numGoroutine() {
        start();
        if (Current.thread() instanceof M mp && mp.ctl != null && mp.curg != null) {
            return mp.ctl.numGoroutine(); // a controlled run counts its own
        }
        return NewProc.gcount();
    }

    /** Go's runtime.GOMAXPROCS. */
    public static int gomaxprocs(int n) {
        G gp = Entry.enter();
        try {
            if (gp != null && gp.ctl() != null) {
                if (n > 0) {
                    throw new UnsupportedOperationException("GOMAXPROCS cannot change inside a controlled run (dev.gort.explore)");
                }
                if (gp.ctl().singleP()) {
                    return 1; // a run under Explore's gomaxprocs(1)
                }
            }
            return Stw.gomaxprocs(n);
        } finally {
            Entry.exit(gp);
        }
    }

    /**
     * entersyscall/exitsyscall around a call that may block the thread: the P is handed
     * off if it blocks (sysmon). On a plain thread, just the call.
     */
    public static <T, E extends Exception> T syscall(dev.gort.BlockingCall<T, E> call) throws E {
        return syscall(call, false);
    }

    /**
     * entersyscallblock/exitsyscall around a call known to block the thread (the agent's
     * wrapping of {@code Object.wait}, {@code Thread.join} and the like): the P is handed
     * off at once, without waiting for sysmon. On a plain thread, just the call.
     */
    public static <T, E extends Exception> T syscallBlock(dev.gort.BlockingCall<T, E> call) throws E {
        return syscall(call, true);
    }

    private static <T, E extends Exception> T syscall(dev.gort.BlockingCall<T, E> call, boolean block) throws E {
        Object s = HookRt.enterSyscall(block);
        try {
            return call.call();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    /** The calling goroutine's id, or -1 on a plain thread. */
    public static long goid() {
        return Current.thread() instanceof M mp && mp.curg != null ? mp.curg.goid : -1;
    }

    /** Go's runtime.LockOSThread. */
    public static void lockOSThread() {
        LockOSThread.lock();
    }

    /** Go's runtime.UnlockOSThread. */
    public static void unlockOSThread() {
        LockOSThread.unlock();
    }

    /** Whether t is the unwinding of Gort.goexit (which deferred cleanups must not stop). */
    public static boolean isGoexit(Throwable t) {
        return t instanceof Goexit;
    }

}
