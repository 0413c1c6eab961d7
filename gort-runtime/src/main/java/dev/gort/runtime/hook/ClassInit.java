package dev.gort.runtime.hook;

import dev.gort.runtime.HookRt;

/**
 * Called by instrumented static initializers: {@link #enter} first thing in every
 * {@code <clinit>}, {@link #exit} before each of its returns and on the way out of an
 * exception. So the runtime knows which goroutines are initializing which classes: other
 * goroutines may be waiting for them inside the VM, invisibly, while holding the Ps the
 * initializer needs ({@code dev.gort.runtime.ClassInits}). Nothing happens on a plain
 * thread. Throws nothing a call could not (a StackOverflowError).
 */
public final class ClassInit {
    private ClassInit() {}

    /** First thing in c's static initializer (c is null in class files older than Java 5). */
    public static void enter(Class<?> c) {
        HookRt.clinitEnter(c);
    }

    /** On every way out of c's static initializer. */
    public static void exit(Class<?> c) {
        HookRt.clinitExit(c);
    }
}
