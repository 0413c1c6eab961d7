package dev.gort.agent;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.Type;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The names the agent writes into bytecode exist in the runtime, with the right shapes. */
class HooksTest {
    private static Class<?> cls(String internal) throws ClassNotFoundException {
        return Class.forName(internal.replace('/', '.'));
    }

    private static void hasStatic(String owner, String name, String desc) throws Exception {
        for (Method m : cls(owner).getMethods()) {
            if (m.getName().equals(name) && Type.getMethodDescriptor(m).equals(desc)) {
                assertTrue(Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers()), owner + "." + name);
                return;
            }
        }
        fail("no public static " + owner + "." + name + desc);
    }

    @Test
    void preemptionFlagAndSlowPath() throws Exception {
        Field f = cls(Hooks.PREEMPTION).getField(Hooks.PREEMPTION_FLAG);
        int mods = f.getModifiers();
        assertTrue(Modifier.isPublic(mods) && Modifier.isStatic(mods) && Modifier.isVolatile(mods),
                "a plain flag would be hoisted out of loops by C2");
        assertEquals(Hooks.PREEMPTION_FLAG_DESC, Type.getDescriptor(f.getType()));
        hasStatic(Hooks.PREEMPTION, Hooks.PREEMPTION_CHECK, Hooks.PREEMPTION_CHECK_DESC);
    }

    @Test
    void pinningAndMain() throws Exception {
        for (String n : new String[] {Hooks.MONITOR_ENTERED, Hooks.MONITOR_EXITED}) {
            hasStatic(Hooks.PINNING, n, Hooks.VOID_DESC);
        }
        // A Lock's calls, replaced by the hooks of the same names taking the lock first.
        String lock = "(L" + Hooks.LOCK_TYPE + ";";
        hasStatic(Hooks.PINNING, "lock", lock + ")V");
        hasStatic(Hooks.PINNING, "lockInterruptibly", lock + ")V");
        hasStatic(Hooks.PINNING, "tryLock", lock + ")Z");
        hasStatic(Hooks.PINNING, "tryLock", lock + "JLjava/util/concurrent/TimeUnit;)Z");
        hasStatic(Hooks.PINNING, "unlock", lock + ")V");
        hasStatic(Hooks.PINNING, Hooks.OWNER_SET, Hooks.OWNER_SET_DESC);
        hasStatic(Hooks.MAIN_GOROUTINE, Hooks.MAIN_START, Hooks.MAIN_START_DESC);
        hasStatic(Hooks.THREAD_IDENTITY, Hooks.CURRENT_THREAD, Hooks.CURRENT_THREAD_DESC);
    }

    @Test
    void classInitialization() throws Exception {
        hasStatic(Hooks.CLASS_INIT, Hooks.CLASS_INIT_ENTER, Hooks.CLASS_INIT_DESC);
        hasStatic(Hooks.CLASS_INIT, Hooks.CLASS_INIT_EXIT, Hooks.CLASS_INIT_DESC);
    }

    /** Each wrapper replaces a JDK method that exists, with the same result type. */
    @Test
    void everyBlockingWrapperMatchesARealJdkMethod() throws Exception {
        Map<String, String> table = WrapperTableTest.fromAnnotations();
        assertTrue(table.size() > 100, "table: " + table.size());
        for (Map.Entry<String, String> e : table.entrySet()) {
            String key = e.getKey();
            int paren = key.indexOf('(');
            int dot = key.lastIndexOf('.', paren);
            String owner = key.substring(0, dot), name = key.substring(dot + 1, paren), desc = key.substring(paren);
            hasStatic(Hooks.BLOCKING, name, e.getValue());
            if (owner.equals("*")) {
                owner = "java/lang/Object";
            }
            Class<?> c = cls(owner);
            Class<?>[] params = Arrays.stream(Type.getArgumentTypes(desc)).map(HooksTest::load).toArray(Class<?>[]::new);
            Method m = findMethod(c, name, params);
            assertNotNull(m, "no " + key);
            assertEquals(Type.getReturnType(desc), Type.getType(m.getReturnType()), key);
            if (!Modifier.isStatic(m.getModifiers())) {
                Class<?> receiverParam = load(Type.getArgumentTypes(e.getValue())[0]);
                assertTrue(receiverParam.isAssignableFrom(c), key + ": the wrapper's receiver " + receiverParam + " must accept " + c);
            }
        }
    }

    private static Method findMethod(Class<?> c, String name, Class<?>[] params) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                return k.getDeclaredMethod(name, params);
            } catch (NoSuchMethodException ignored) {
                // look further up
            }
        }
        try {
            return c.getMethod(name, params); // interfaces
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Class<?> load(Type t) {
        try {
            return switch (t.getSort()) {
                case Type.INT -> int.class;
                case Type.LONG -> long.class;
                case Type.BOOLEAN -> boolean.class;
                case Type.BYTE -> byte.class;
                case Type.CHAR -> char.class;
                case Type.SHORT -> short.class;
                case Type.FLOAT -> float.class;
                case Type.DOUBLE -> double.class;
                case Type.ARRAY -> Class.forName(t.getDescriptor().replace('/', '.'));
                default -> Class.forName(t.getClassName());
            };
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}
