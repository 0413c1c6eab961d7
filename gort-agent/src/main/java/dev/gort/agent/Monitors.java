package dev.gort.agent;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * Pins a goroutine while it holds a monitor: after each {@code monitorenter} and
 * {@code monitorexit} (javac's exception path of a {@code synchronized} block exits the
 * monitor too, so every path is covered), and for the whole body of a {@code synchronized}
 * method, with a catch-all handler that unpins and rethrows.
 */
final class Monitors {
    private Monitors() {}

    static MethodInsnNode hook(String name) {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, Hooks.PINNING, name, Hooks.VOID_DESC, false);
    }

    /** Hooks after monitorenter/monitorexit; returns whether there were any. */
    static boolean blocks(MethodNode mn) {
        boolean changed = false;
        for (AbstractInsnNode n = mn.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n.getOpcode() == Opcodes.MONITORENTER || n.getOpcode() == Opcodes.MONITOREXIT) {
                MethodInsnNode h = hook(n.getOpcode() == Opcodes.MONITORENTER ? Hooks.MONITOR_ENTERED : Hooks.MONITOR_EXITED);
                mn.instructions.insert(n, h);
                n = h;
                changed = true;
            }
        }
        return changed;
    }

    /**
     * A synchronized method: the JVM holds the monitor from before the first instruction
     * to after the return, so pin first thing, unpin before each return, and unpin on the
     * way out of an exception (a handler covering the whole original body, added last so
     * the method's own handlers take precedence).
     */
    static void method(MethodNode mn, boolean frames) {
        InsnList insns = mn.instructions;
        LabelNode start = new LabelNode();
        LabelNode end = new LabelNode();
        LabelNode handler = new LabelNode();
        for (AbstractInsnNode n = insns.getFirst(); n != null; n = n.getNext()) {
            int op = n.getOpcode();
            if (op >= Opcodes.IRETURN && op <= Opcodes.RETURN) {
                insns.insertBefore(n, hook(Hooks.MONITOR_EXITED));
            }
        }
        InsnList pre = new InsnList();
        pre.add(hook(Hooks.MONITOR_ENTERED));
        pre.add(start);
        insns.insert(pre);
        insns.add(end);
        insns.add(handler);
        if (frames) {
            insns.add(Frames.handler("java/lang/Throwable"));
        }
        insns.add(hook(Hooks.MONITOR_EXITED));
        insns.add(new InsnNode(Opcodes.ATHROW));
        mn.tryCatchBlocks.add(new TryCatchBlockNode(start, end, handler, null));
    }
}
