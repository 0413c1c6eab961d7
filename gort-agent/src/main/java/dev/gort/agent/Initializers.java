package dev.gort.agent;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Brackets every static initializer with the runtime's hooks, so that it knows which
 * goroutines are initializing which classes (goroutines waiting for them inside the VM can
 * hold every P: {@code dev.gort.runtime.ClassInits}):
 * <pre>
 *   ldc ThisClass; invokestatic ClassInit.enter
 *   S: body, with "ldc ThisClass; invokestatic ClassInit.exit" before each return
 *   E: H: invokestatic ClassInit.exit (ldc first); athrow    // [S, E) -> H, any
 * </pre>
 * the shape {@link Monitors#method} gives a synchronized method: the catch-all comes last
 * in the exception table, so the initializer's own handlers take precedence, and it covers
 * only code that holds no monitor of the initializer's own (a synchronized block inside has
 * javac's catch-all first, which is where the JIT compilers' monitor analysis stops), so
 * the blocks keep their shape ({@link MonitorBalance} in the tests). The enter hook is
 * outside the range: if it throws (a StackOverflowError), nothing has begun. An exit hook
 * before a return is inside it, so if that one throws, the handler exits again; the runtime
 * ignores an exit it has no entry for.
 *
 * <p>The class is named by an {@code ldc} of a class constant, which class files older than
 * Java 5 (version 49) cannot hold: those pass null, and the runtime only knows that some
 * class is being initialized. No preemption check goes at the start of an initializer (the
 * VM pins it: it could not yield), though its loops keep theirs.
 */
final class Initializers {
    private Initializers() {}

    /** Whether mn is a static initializer. */
    static boolean is(MethodNode mn) {
        return mn.name.equals("<clinit>");
    }

    static void bracket(ClassNode cn, MethodNode mn, boolean frames) {
        MethodBracket.around(mn, frames, () -> hook(cn, Hooks.CLASS_INIT_ENTER), () -> hook(cn, Hooks.CLASS_INIT_EXIT));
    }

    /** {@code ldc ThisClass} (or {@code aconst_null} before version 49); {@code invokestatic ClassInit.name}. */
    private static InsnList hook(ClassNode cn, String name) {
        InsnList il = new InsnList();
        if ((cn.version & 0xFFFF) >= Opcodes.V1_5) {
            il.add(new LdcInsnNode(Type.getObjectType(cn.name)));
        } else {
            il.add(new InsnNode(Opcodes.ACONST_NULL));
        }
        il.add(new MethodInsnNode(Opcodes.INVOKESTATIC, Hooks.CLASS_INIT, name, Hooks.CLASS_INIT_DESC, false));
        return il;
    }
}
