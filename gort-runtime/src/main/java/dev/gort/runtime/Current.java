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
 * never-taken block of padding; each call then reads the thread register of the thread
 * it runs on. It stays far below {@code HugeMethodLimit} (8000 bytes), so it is compiled.
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
    private static long sink;

    /** The current thread, read in a frame that cannot be merged with the caller's. */
    static Thread thread() {
        if (never) {
            // Padding: makes this method too big for C2 to inline (see the class comment).
            sink += 1L;
            sink += 7920L;
            sink += 15839L;
            sink += 23758L;
            sink += 31677L;
            sink += 39596L;
            sink += 47515L;
            sink += 55434L;
            sink += 63353L;
            sink += 71272L;
            sink += 79191L;
            sink += 87110L;
            sink += 95029L;
            sink += 102948L;
            sink += 110867L;
            sink += 118786L;
            sink += 126705L;
            sink += 134624L;
            sink += 142543L;
            sink += 150462L;
            sink += 158381L;
            sink += 166300L;
            sink += 174219L;
            sink += 182138L;
            sink += 190057L;
            sink += 197976L;
            sink += 205895L;
            sink += 213814L;
            sink += 221733L;
            sink += 229652L;
            sink += 237571L;
            sink += 245490L;
            sink += 253409L;
            sink += 261328L;
            sink += 269247L;
            sink += 277166L;
            sink += 285085L;
            sink += 293004L;
            sink += 300923L;
            sink += 308842L;
            sink += 316761L;
            sink += 324680L;
            sink += 332599L;
            sink += 340518L;
            sink += 348437L;
            sink += 356356L;
            sink += 364275L;
            sink += 372194L;
            sink += 380113L;
            sink += 388032L;
            sink += 395951L;
            sink += 403870L;
            sink += 411789L;
            sink += 419708L;
            sink += 427627L;
            sink += 435546L;
            sink += 443465L;
            sink += 451384L;
            sink += 459303L;
            sink += 467222L;
            sink += 475141L;
            sink += 483060L;
            sink += 490979L;
            sink += 498898L;
        }
        return Thread.currentThread();
    }

    /** The current M, or null on a plain thread. */
    static M m() {
        return thread() instanceof M mp ? mp : null;
    }
}
