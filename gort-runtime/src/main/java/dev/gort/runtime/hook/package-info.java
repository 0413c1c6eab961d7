/**
 * What code instrumented by gort's java agent calls: preemption checks
 * ({@link dev.gort.runtime.hook.Preemption}), pinning around held locks and monitors
 * ({@link dev.gort.runtime.hook.Pinning}), static initializers
 * ({@link dev.gort.runtime.hook.ClassInit}), blocking JDK calls run as syscalls
 * ({@link dev.gort.runtime.hook.Blocking}) and the application's main as the main goroutine
 * ({@link dev.gort.runtime.hook.MainGoroutine}). Public only because instrumented classes in
 * any package and class loader must link against it; not for direct use. The agent names
 * these members as constants, and a test checks the names against this package.
 */
package dev.gort.runtime.hook;
