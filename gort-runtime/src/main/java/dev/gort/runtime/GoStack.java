package dev.gort.runtime;

/**
 * A goroutine's stack, as the scheduler uses it: Go's {@code g.stack} plus the
 * {@code gobuf} that {@code gogo} resumes. The one implementation is
 * {@link ContinuationStack}, a JDK continuation (one-shot, its frames frozen into heap
 * stack chunks when it yields).
 *
 * <ul>
 *   <li>{@code gogo(&gp.sched)} is {@link #run()} from the M's loop (g0);</li>
 *   <li>{@code mcall(fn)} is {@link #yield()} after the goroutine stored {@code fn} in
 *       {@code m.mcallfn}; the M's loop then runs {@code fn(gp)} on its own stack;</li>
 *   <li>the goroutine's entry is {@link G#run()}, so the stack is done when the
 *       goroutine's function returns: the M then runs {@code goexit0}.</li>
 * </ul>
 *
 * <p>Why an interface: the JDK does not export {@code jdk.internal.vm}, so only a class
 * compiled apart, with {@code --add-exports}, may extend {@code Continuation}; everything
 * else is compiled with {@code --release 21}, which sees exported API only and would refuse
 * any class that so much as names a subclass of {@code Continuation}. So the runtime names
 * only this interface, and finds the implementation by its name ({@link Ops#JDK}), once.
 * The constant is final and has one class behind it, so the JIT calls it directly and
 * inlines through it, as it did when the runtime called the continuation class itself.
 *
 * <p>Differences from Go: a continuation cannot yield across a native frame or while
 * pinned. Go's {@code mcall} cannot fail; here {@link #yield()} returns {@code false} and
 * the caller takes the pinned path ({@link Park}), which blocks the M itself.
 */
interface GoStack {
    /** Go's gogo: run (or resume) the goroutine on the calling M until it yields or ends. */
    void run();

    /** Whether the goroutine's function has returned. */
    boolean isDone();

    /** The frames of a parked stack (IllegalStateException if it is mounted). */
    StackTraceElement[] getStackTrace();

    /**
     * Walks the frames of a parked stack, innermost first, with class references retained
     * (IllegalStateException if it is mounted). Cheaper than {@link #getStackTrace()}, which
     * builds a StackTraceElement (names, file, line) for every frame: profiles intern frames
     * by (class, method, bci) and symbolize each distinct one once ({@link ProfStack}).
     * Two walks of one stack must not overlap (the JDK mounts it for the walk): callers hold
     * the goroutine's {@code _Gscan} bit.
     */
    <R> R walk(java.util.function.Function<? super java.util.stream.Stream<StackWalker.StackFrame>, ? extends R> fn);

    /** A new stack that will run {@code entry} (the goroutine's {@link G#run()}). */
    static GoStack create(Runnable entry) {
        return Ops.JDK.create(entry);
    }

    /** Go's mcall: leave the goroutine's stack for the M's. False if the stack is pinned. */
    static boolean yield() {
        return Ops.JDK.yield();
    }

    /** Pins the current stack (no effect outside one): it cannot yield until unpinned. */
    static void pinCurrent() {
        Ops.JDK.pinCurrent();
    }

    /** Undoes one {@link #pinCurrent()}; the caller guarantees there is one. */
    static void unpinCurrent() {
        Ops.JDK.unpinCurrent();
    }

    /** The operations on stacks that are not of one stack (Continuation's static methods). */
    interface Ops {
        /** The JDK continuations' operations, loaded once {@link VmAccess#check()} has passed. */
        Ops JDK = ContinuationsFinder.find();

        GoStack create(Runnable entry);

        boolean yield();

        void pinCurrent();

        void unpinCurrent();
    }

    /** Finds {@link ContinuationStack}'s operations by name (see the interface comment). */
    final class ContinuationsFinder {
        private ContinuationsFinder() {}

        static Ops find() {
            try {
                return (Ops) Class.forName(GoStack.class.getPackageName() + ".ContinuationStack$JdkOps")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
