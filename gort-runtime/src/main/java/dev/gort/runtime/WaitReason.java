package dev.gort.runtime;

/**
 * Why a goroutine is in {@code _Gwaiting}: Go's {@code waitReason} (runtime2.go), with
 * Go's strings, which appear in goroutine headers ({@code goroutine 7 [chan receive]:}).
 * gort adds only the reasons Go has no word for, each marked below.
 */
enum WaitReason {
    ZERO(""),
    CHAN_RECEIVE_NIL_CHAN("chan receive (nil chan)"),
    CHAN_SEND_NIL_CHAN("chan send (nil chan)"),
    SELECT("select"),
    SELECT_NO_CASES("select (no cases)"),
    CHAN_RECEIVE("chan receive"),
    CHAN_SEND("chan send"),
    SEMACQUIRE("semacquire"),
    SLEEP("sleep"),
    SYNC_COND_WAIT("sync.Cond.Wait"),
    SYNC_MUTEX_LOCK("sync.Mutex.Lock"),
    SYNC_RWMUTEX_RLOCK("sync.RWMutex.RLock"),
    SYNC_RWMUTEX_LOCK("sync.RWMutex.Lock"),
    SYNC_WAITGROUP_WAIT("sync.WaitGroup.Wait"),
    IO_WAIT("IO wait"),
    PREEMPTED("preempted"),
    STOPPING_THE_WORLD("stopping the world"),
    /** gort: a goroutine that called {@code Gort.run} waits for the new run's main goroutine. */
    GORT_RUN("gort.run"),
    /** gort: a goroutine of a run that died, never to run again (Go freezes the whole world). */
    FROZEN("frozen"),
    /**
     * gort: a goroutine waiting inside the VM for another goroutine's static initializer
     * (in a deadlock report only: such a goroutine is in an implicit syscall, see ClassInits).
     */
    CLASS_INIT("class initialization"),
    /** gort: a goroutine parked by a test of the runtime itself. */
    TEST("test");

    final String text;

    WaitReason(String text) {
        this.text = text;
    }

    @Override
    public String toString() {
        return text;
    }
}
