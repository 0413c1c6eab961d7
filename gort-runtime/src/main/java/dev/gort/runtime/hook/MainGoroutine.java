package dev.gort.runtime.hook;

import dev.gort.Gort;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's {@code main=goroutine}: the application's {@code main(String[])} starts with
 * {@code if (MainGoroutine.start(args)) return;}. The first call (the launcher's) runs
 * {@code main} again as the main goroutine, with {@link Gort#main} semantics (a dying
 * program exits with status 2), and returns true once it has returned; every later call
 * returns false, so the goroutine's own call runs the original body.
 */
public final class MainGoroutine {
    private MainGoroutine() {}

    private static final AtomicBoolean started = new AtomicBoolean();
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /** Runs the caller's main(String[]) as the main goroutine, the first time only. */
    public static boolean start(String[] args) {
        if (started.get() || !started.compareAndSet(false, true)) {
            return false;
        }
        Class<?> mainClass = WALKER.getCallerClass();
        Method main;
        try {
            main = mainClass.getDeclaredMethod("main", String[].class);
            main.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("gort-agent: main=goroutine: cannot call " + mainClass.getName() + ".main: " + e
                    + "; running it on the main thread");
            return false;
        }
        Gort.main(() -> {
            try {
                main.invoke(null, (Object) args);
            } catch (InvocationTargetException e) {
                throw MainGoroutine.<RuntimeException>sneaky(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        });
        return true;
    }

    /** Rethrows t unchanged (a checked exception from main stays itself in the report). */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
