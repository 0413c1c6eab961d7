package dev.gort.agent;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

import java.util.function.Supplier;

/**
 * Hooks around a whole method body, for state that lasts exactly as long as the method
 * runs (a synchronized method's monitor, a static initializer): the enter hook first thing,
 * the exit hook before every return and in a catch-all handler that runs it and rethrows.
 * The handler's range is added last, so the method's own handlers take precedence, and it
 * covers the original body only (the handler itself is outside it), the shape the JIT's
 * monitor-balance check accepts (Monitors).
 */
final class MethodBracket {
    private MethodBracket() {}

    static void around(MethodNode mn, boolean frames, Supplier<InsnList> enter, Supplier<InsnList> exit) {
        InsnList insns = mn.instructions;
        LabelNode start = new LabelNode();
        LabelNode end = new LabelNode();
        LabelNode handler = new LabelNode();
        for (AbstractInsnNode n = insns.getFirst(); n != null; n = n.getNext()) {
            int op = n.getOpcode();
            if (op >= Opcodes.IRETURN && op <= Opcodes.RETURN) {
                insns.insertBefore(n, exit.get());
            }
        }
        InsnList pre = enter.get();
        pre.add(start);
        insns.insert(pre);
        insns.add(end);
        insns.add(handler);
        if (frames) {
            insns.add(Frames.handler("java/lang/Throwable"));
        }
        insns.add(exit.get());
        insns.add(new InsnNode(Opcodes.ATHROW));
        mn.tryCatchBlocks.add(new TryCatchBlockNode(start, end, handler, null));
    }
}
