package dev.gort.runtime.hook;

import dev.gort.runtime.HookRt;

/**
 * Called instead of the application's {@code Thread.currentThread()}: the thread the
 * goroutine runs on now. C2 treats {@code Thread.currentThread()} as fixed within one
 * compiled method, so, in a goroutine that a park or a preemption check moved to another
 * M, a second read in the same compiled method returns the M it ran on before; so would
 * an application's synchronizer on AQS naming its owner
 * ({@code setExclusiveOwnerThread(Thread.currentThread())}) inlined there (docs/design.md,
 * "Thread identity").
 */
public final class ThreadIdentity {
    private ThreadIdentity() {}

    /** Instead of {@code Thread.currentThread()}: on a plain thread, that read, inlined. */
    public static Thread currentThread() {
        return HookRt.currentThread();
    }
}
