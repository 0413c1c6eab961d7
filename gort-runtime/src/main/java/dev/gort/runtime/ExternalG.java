package dev.gort.runtime;

/**
 * The G of a plain Java thread that uses gort: it sends or receives on a channel, selects,
 * or starts a goroutine from outside the scheduler (like Go's extra M's g for cgo
 * callbacks, {@code needm}). It is not a goroutine: it has no goid, is not in allgs and is
 * not counted by numGoroutine. It exists so the thread can wait on channels through the
 * same sudogs as goroutines: {@link Park#gopark} blocks the thread itself, and
 * {@link Park#ready} unparks it instead of queueing it.
 *
 * <p>Status: {@code _Grunning} while the thread runs; {@code _Gwaiting} while it is
 * blocked in gopark; the waker moves it to {@code _Grunnable} and unparks the thread,
 * which moves itself back to {@code _Grunning}.
 *
 * <p>Every such thread is registered ({@link Externals}): while one is alive (and not
 * just waiting inside {@code Gort.run}) it may still wake a goroutine, so no deadlock is
 * reported (docs/api.md, "Runs, deaths and deadlocks").
 */
final class ExternalG extends G {
    private static final ThreadLocal<ExternalG> CURRENT = new ThreadLocal<>();

    final Thread thread;
    /** > 0 while the thread waits inside Gort.run/main; such a thread cannot wake anyone. Written by the thread. */
    volatile int inRun;

    private ExternalG(Thread thread) {
        this.thread = thread;
        this.goid = -1;
        initDead();
        casgstatus(this, _Gdead, _Grunnable);
        casgstatus(this, _Grunnable, _Grunning);
    }

    /** Whether this thread is registered as one that uses gort (written by the thread). */
    private boolean registered;

    /** The calling plain thread's G, created and registered on first use. */
    static ExternalG current() {
        ExternalG g = CURRENT.get();
        if (g == null) {
            g = new ExternalG(Current.thread());
            CURRENT.set(g);
        }
        if (!g.registered) {
            g.registered = true;
            Externals.register(g);
        }
        return g;
    }

    /**
     * Unregister the calling thread if it is registered: for gort's own service threads
     * (the pprof server's handlers), which read the runtime and never wake a goroutine.
     */
    static void forgetCurrent() {
        ExternalG g = CURRENT.get();
        if (g != null && g.registered) {
            g.forget();
        }
    }

    /** Whether the calling thread is registered as one that uses gort. */
    static boolean isRegistered() {
        ExternalG g = CURRENT.get();
        return g != null && g.registered;
    }

    /**
     * Unregister the calling thread: it only waited inside {@code Gort.run}, which by
     * itself does not make a thread one that may wake goroutines later.
     */
    void forget() {
        registered = false;
        Externals.forget(this);
    }

    @Override
    public void run() {
        throw Throw.fatalThrow("external G has no goroutine body");
    }

    @Override
    public String toString() {
        return "thread " + thread.getName();
    }
}
