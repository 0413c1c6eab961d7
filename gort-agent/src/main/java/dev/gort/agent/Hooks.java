package dev.gort.agent;

/**
 * The runtime members instrumented code calls ({@code dev.gort.runtime.hook}), as the
 * internal names and descriptors the agent writes into bytecode. A test checks each one
 * against the runtime by reflection, so a rename there cannot silently break linking here.
 */
final class Hooks {
    private Hooks() {}

    /** The package of every hook class (internal name prefix). */
    static final String HOOK_PACKAGE = "dev/gort/runtime/hook/";

    static final String PREEMPTION = "dev/gort/runtime/hook/Preemption";
    /**
     * {@code public static void check()}: the check, {@code if (requested != 0) preempt();}
     * on the volatile flag {@code requested}; injected as this one call (PreemptChecks).
     */
    static final String PREEMPTION_CHECK = "check";
    static final String PREEMPTION_CHECK_DESC = "()V";
    /** {@code public static volatile int requested}: the flag check() reads (a test checks it). */
    static final String PREEMPTION_FLAG = "requested";
    static final String PREEMPTION_FLAG_DESC = "I";

    static final String PINNING = "dev/gort/runtime/hook/Pinning";
    static final String MONITOR_ENTERED = "monitorEntered";
    static final String MONITOR_EXITED = "monitorExited";
    static final String VOID_DESC = "()V";
    /**
     * The replacements of a {@code Lock}'s calls: same name, the lock as a first argument
     * ({@code lock}, {@code lockInterruptibly}, {@code tryLock}, {@code unlock}).
     */
    static final String LOCK_TYPE = "java/util/concurrent/locks/Lock";
    static final String OWNER_SET = "ownerSet";
    static final String OWNER_SET_DESC = "(Ljava/lang/Object;Ljava/lang/Thread;)V";

    /** {@code public static Thread currentThread()}: replaces the application's {@code Thread.currentThread()}. */
    static final String THREAD_IDENTITY = "dev/gort/runtime/hook/ThreadIdentity";
    static final String CURRENT_THREAD = "currentThread";
    static final String CURRENT_THREAD_DESC = "()Ljava/lang/Thread;";

    static final String CLASS_INIT = "dev/gort/runtime/hook/ClassInit";
    static final String CLASS_INIT_ENTER = "enter";
    static final String CLASS_INIT_EXIT = "exit";
    static final String CLASS_INIT_DESC = "(Ljava/lang/Class;)V";

    /** The wrappers of blocking calls, each annotated with {@code @Wraps} ({@link WrapperTable}). */
    static final String BLOCKING = "dev/gort/runtime/hook/Blocking";

    static final String MAIN_GOROUTINE = "dev/gort/runtime/hook/MainGoroutine";
    static final String MAIN_START = "start";
    static final String MAIN_START_DESC = "([Ljava/lang/String;)Z";
}
