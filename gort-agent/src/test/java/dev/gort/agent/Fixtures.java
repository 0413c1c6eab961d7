package dev.gort.agent;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.util.CheckClassAdapter;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Loads test classes as the agent would transform them, verified by ASM's CheckClassAdapter. */
final class Fixtures {
    private Fixtures() {}

    static Instrumenter instrumenter(String options) {
        return new Instrumenter(Options.parse(options), false);
    }

    static byte[] original(String internalName) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            assertNotNull(in, internalName);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The transformed class (or the original if nothing changed), verified. */
    static byte[] transformed(Instrumenter in, String internalName, byte[] original) {
        byte[] out = in.transform(original, false);
        byte[] b = out != null ? out : original;
        verify(b);
        return b;
    }

    static void verify(byte[] b) {
        StringWriter sw = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(b), Fixtures.class.getClassLoader(), false, new PrintWriter(sw));
        assertEquals("", sw.toString(), "CheckClassAdapter on " + new ClassReader(b).getClassName());
    }

    /** ASM's structural checks and a data-flow check of each method (loads no class). */
    static void verifyStructure(byte[] b) {
        new ClassReader(b).accept(new CheckClassAdapter(new org.objectweb.asm.tree.ClassNode(), true), 0);
    }

    /** Count of instructions in method name (any descriptor) matching the predicate. */
    static int count(byte[] b, String method, java.util.function.Predicate<AbstractInsnNode> p) {
        ClassNode cn = new ClassNode();
        new ClassReader(b).accept(cn, 0);
        int n = 0;
        boolean found = false;
        for (MethodNode mn : cn.methods) {
            if (mn.name.equals(method)) {
                found = true;
                for (AbstractInsnNode i : mn.instructions) {
                    n += p.test(i) ? 1 : 0;
                }
            }
        }
        assertEquals(true, found, "no method " + method);
        return n;
    }

    static boolean isCheck(AbstractInsnNode i) {
        return i instanceof MethodInsnNode m && m.getOpcode() == Opcodes.INVOKESTATIC && m.owner.equals(Hooks.PREEMPTION)
                && m.name.equals(Hooks.PREEMPTION_CHECK);
    }

    static java.util.function.Predicate<AbstractInsnNode> calls(String owner, String name) {
        return i -> i instanceof MethodInsnNode m && m.owner.equals(owner) && m.name.equals(name);
    }

    /** A loader that defines the given classes itself (child first) and delegates the rest. */
    static final class Loader extends ClassLoader {
        private final Map<String, byte[]> classes = new HashMap<>();

        Loader() {
            super(Fixtures.class.getClassLoader());
        }

        Loader with(byte[] b) {
            classes.put(new ClassReader(b).getClassName().replace('/', '.'), b);
            return this;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                byte[] b = classes.get(name);
                if (b == null) {
                    return super.loadClass(name, resolve);
                }
                Class<?> c = findLoadedClass(name);
                return c != null ? c : defineClass(name, b, 0, b.length);
            }
        }
    }
}
