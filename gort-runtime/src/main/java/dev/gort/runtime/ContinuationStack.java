package dev.gort.runtime;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * A goroutine's stack on the JDK's continuation: the implementation of {@link GoStack}, and
 * the only class of the runtime that links against {@code jdk.internal.vm}. It is compiled
 * apart, with {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} (the runtime's
 * pom: the {@code continuations} execution), and the rest of the runtime never names it
 * ({@link GoStack}, "Why an interface"). {@link VmAccess#check()} runs before it is touched.
 *
 * <p>The class has no fields of its own: every byte here is paid by every parked goroutine.
 */
final class ContinuationStack extends Continuation implements GoStack {
    static final ContinuationScope SCOPE = new ContinuationScope("gort");

    ContinuationStack(Runnable entry) {
        super(SCOPE, entry);
    }

    private static final java.util.Set<StackWalker.Option> WALK_OPTIONS =
            java.util.EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    @Override
    public <R> R walk(java.util.function.Function<? super java.util.stream.Stream<StackWalker.StackFrame>, ? extends R> fn) {
        return stackWalker(WALK_OPTIONS).walk(fn);
    }

    /** A pinned stack cannot yield: report it to the caller (yield returns false) rather than throw. */
    @Override
    protected void onPinned(Continuation.Pinned reason) {}

    /** Continuation's static operations, for {@link GoStack.Ops#JDK}. */
    static final class JdkOps implements GoStack.Ops {
        @Override
        public GoStack create(Runnable entry) {
            return new ContinuationStack(entry);
        }

        @Override
        public boolean yield() {
            return Continuation.yield(SCOPE);
        }

        @Override
        public void pinCurrent() {
            Continuation.pin();
        }

        @Override
        public void unpinCurrent() {
            Continuation.unpin();
        }
    }
}
