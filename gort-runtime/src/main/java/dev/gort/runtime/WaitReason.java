package dev.gort.runtime;

/**
 * Why a goroutine is in {@code _Gwaiting}: Go's {@code waitReason} (runtime2.go), with
 * Go's strings, which appear in goroutine headers ({@code goroutine 7 [chan receive]:}).
 * gort adds only the reasons Go has no word for, each marked below.
 */
enum WaitReason {
    ZERO("", "unspecified"),
    CHAN_RECEIVE_NIL_CHAN("chan receive (nil chan)", "forever"),
    CHAN_SEND_NIL_CHAN("chan send (nil chan)", "forever"),
    SELECT("select", "select"),
    SELECT_NO_CASES("select (no cases)", "forever"),
    CHAN_RECEIVE("chan receive", "chan receive"),
    CHAN_SEND("chan send", "chan send"),
    SEMACQUIRE("semacquire", "sync"),
    SLEEP("sleep", "sleep"),
    SYNC_COND_WAIT("sync.Cond.Wait", "sync.(*Cond).Wait"),
    SYNC_MUTEX_LOCK("sync.Mutex.Lock", "sync"),
    SYNC_RWMUTEX_RLOCK("sync.RWMutex.RLock", "sync"),
    SYNC_RWMUTEX_LOCK("sync.RWMutex.Lock", "sync"),
    SYNC_WAITGROUP_WAIT("sync.WaitGroup.Wait", "sync"),
    IO_WAIT("IO wait", "network"),
    PREEMPTED("preempted", "preempted"),
    STOPPING_THE_WORLD("stopping the world", "unspecified"),
    /** gort: a goroutine that called {@code Gort.run} waits for the new run's main goroutine. */
    GORT_RUN("gort.run", "system goroutine wait"),
    /** gort: a goroutine of a run that died, never to run again (Go freezes the whole world). */
    FROZEN("frozen", "forever"),
    /**
     * gort: a goroutine waiting inside the VM for another goroutine's static initializer
     * (in a deadlock report only: such a goroutine is in an implicit syscall, see ClassInits).
     */
    CLASS_INIT("class initialization", "class initialization"),
    /** gort: a goroutine parked by a test of the runtime itself. */
    TEST("test", "unspecified");

    final String text;
    /**
     * The block reason an execution trace gives (Go's traceBlockReason strings, as Go's
     * waitReason.traceBlockReason maps them); gort's own reasons keep their text.
     */
    final String traceReason;

    WaitReason(String text, String traceReason) {
        this.text = text;
        this.traceReason = traceReason;
    }

    @Override
    public String toString() {
        return text;
    }
}
