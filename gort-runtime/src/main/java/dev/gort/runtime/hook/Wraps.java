package dev.gort.runtime.hook;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link Blocking} method as the replacement of a blocking JDK method: the agent
 * rewrites each call site of that method (its name, and descriptor: the wrapper's without
 * the receiver for an instance method) whose owner is one of {@link #value()}'s classes
 * into a call of the wrapper. The agent reads these annotations, so the list lives here
 * only.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Wraps {
    /** The classes whose call sites are rewritten. */
    Owners value();

    /** The wrapped method is static: the wrapper takes the same parameters. */
    boolean isStatic() default false;
}
