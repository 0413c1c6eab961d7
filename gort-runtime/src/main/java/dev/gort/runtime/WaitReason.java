package dev.gort.runtime;

/**
 * Why a goroutine is in {@code _Gwaiting}: Go's {@code waitReason} (runtime2.go), with
 * Go's strings, which appear in goroutine headers ({@code goroutine 7 [chan receive]:}).
 * gort adds only the reasons Go has no word for, each marked below.
 */
enum WaitReason {
    ZERO("", "unspecified"),
    CHAN_RECEIVE_NIL_CHAN("chan receive (nil chan)", "forever", true),
    CHAN_SEND_NIL_CHAN("chan send (nil chan)", "forever", true),
    SELECT("select", "select"),
    SELECT_NO_CASES("select (no cases)", "forever", true),
    CHAN_RECEIVE("chan receive", "chan receive"),
    CHAN_SEND("chan send", "chan send"),
    SEMACQUIRE("semacquire", "sync"),
    SLEEP("sleep", "sleep", true),
    SYNC_COND_WAIT("sync.Cond.Wait", "sync.(*Cond).Wait", true),
    SYNC_MUTEX_LOCK("sync.Mutex.Lock", "sync"),
    SYNC_RWMUTEX_RLOCK("sync.RWMutex.RLock", "sync"),
    SYNC_RWMUTEX_LOCK("sync.RWMutex.Lock", "sync"),
    SYNC_WAITGROUP_WAIT("sync.WaitGroup.Wait", "sync"),
    IO_WAIT("IO wait", "network"),
    PREEMPTED("preempted", "preempted"),
    STOPPING_THE_WORLD("stopping the world", "unspecified"),
    // Go 1.25's synctest reasons: the caller of synctest.Run and synctest.Wait, and the
    // durable forms of blocking on a bubble's channels and WaitGroups.
    SYNCTEST_RUN("synctest.Run", "synctest", true),
    SYNCTEST_WAIT("synctest.Wait", "synctest", true),
    SYNCTEST_CHAN_RECEIVE("chan receive (durable)", "chan receive", true),
    SYNCTEST_CHAN_SEND("chan send (durable)", "chan send", true),
    SYNCTEST_SELECT("select (durable)", "select", true),
    SYNCTEST_WAITGROUP_WAIT("sync.WaitGroup.Wait (durable)", "sync", true),
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
    /**
     * Go's isIdleInSynctest: a goroutine of a synctest bubble parked for this reason is
     * durably blocked (only another goroutine of its bubble can wake it), so it does not
     * keep the bubble active ({@link SynctestBubble#changegstatus}).
     */
    final boolean idleInSynctest;

    WaitReason(String text, String traceReason) {
        this(text, traceReason, false);
    }

    WaitReason(String text, String traceReason, boolean idleInSynctest) {
        this.text = text;
        this.traceReason = traceReason;
        this.idleInSynctest = idleInSynctest;
    }

    @Override
    public String toString() {
        return text;
    }
}
