package dev.gort.agent;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

import java.util.HashSet;
import java.util.Set;

/**
 * Pins a goroutine while it holds a monitor: after each {@code monitorenter} and
 * {@code monitorexit} (javac's exception path of a {@code synchronized} block exits the
 * monitor too, so every path is covered), and for the whole body of a {@code synchronized}
 * method, with a catch-all handler that unpins and rethrows.
 *
 * <p>Where a block's pins go is dictated by HotSpot. Both JIT compilers compile a method
 * only if its monitors are balanced ({@code ciMethod::has_balanced_monitors}, computed by
 * {@code GenerateOopMap}): every instruction that can throw while a monitor is held must be
 * covered by a catch-all handler, and every path into a handler must hold the same
 * monitors. Otherwise C1 gives up ("invalid parsing"), C2 too ("not compilable (unbalanced
 * monitors)"), and the method runs interpreted forever: ~10x slower for a one-line block,
 * the whole of Caffeine's slowdown under the agent (issue 16). javac's shape passes:
 * <pre>
 *   aload L; monitorenter
 *   S: body; aload L; monitorexit
 *   E: goto X                                   // [S, E) -> H, any
 *   H: astore T; aload L; monitorexit
 *   HE: aload T; athrow                         // [H, HE) -> H, any
 * </pre>
 * Its range starts right after the monitorenter and ends right after the monitorexit (a
 * monitorexit with the monitor held is taken not to throw), and the handler's own range
 * covers its monitorexit. A call is an instruction that can throw, so each pin goes on
 * the edge of the ranges, not across it:
 * <ul>
 * <li>{@code monitorEntered} right after the monitorenter, as the first instruction of the
 * ranges that began there: {@code monitorenter; S: monitorEntered; body}. Outside them
 * (before S), it could throw holding the monitor with no handler to release it. If it does
 * throw (only a StackOverflowError or a linkage error can), the handler exits the monitor
 * and unpins as for any exception of the body: an unpin with no pin behind it, which
 * {@code HookRt.unpin} ignores when the goroutine holds no other lock (and which would
 * release another lock's pin early if it did).
 * <li>{@code monitorExited} right after the monitorexit, outside the ranges that ended
 * there: {@code monitorexit; E: monitorExited}. Inside them, a throw from the unpin would
 * run the handler, which exits the monitor a second time; and the handler would be
 * reached both holding the monitor and not. An enclosing range (an outer block's, a
 * try around the block) still covers it, as it covers what comes after.
 * </ul>
 * The same on the handler's own path: {@code H: ...; monitorexit; HE: monitorExited; aload T}.
 * So the exception table stays javac's, instruction for instruction; only the pins sit
 * between its boundaries. A loop whose header is the block's first instruction keeps its
 * header after the pin (S is a new label before the header's), so the loop does not pin
 * again on every iteration.
 *
 * <p>Rejected: pinning before the monitorenter, which would need a handler around the
 * monitorenter to unpin when it throws (a null lock): a range javac never emits.
 */
final class Monitors {
    private Monitors() {}

    static MethodInsnNode hook(String name) {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, Hooks.PINNING, name, Hooks.VOID_DESC, false);
    }

    /** Hooks after monitorenter/monitorexit, on the edges of their ranges; returns whether there were any. */
    static boolean blocks(MethodNode mn) {
        boolean changed = false;
        InsnList insns = mn.instructions;
        for (AbstractInsnNode n = insns.getFirst(); n != null; n = n.getNext()) {
            int op = n.getOpcode();
            if (op != Opcodes.MONITORENTER && op != Opcodes.MONITOREXIT) {
                continue;
            }
            boolean enter = op == Opcodes.MONITORENTER;
            Set<LabelNode> after = labelsAfter(n);
            LabelNode edge = new LabelNode();
            MethodInsnNode h = hook(enter ? Hooks.MONITOR_ENTERED : Hooks.MONITOR_EXITED);
            InsnList il = new InsnList();
            il.add(edge);
            il.add(h);
            insns.insert(n, il);
            // n; edge; h; (the labels that were right after n). A range that ended right after
            // n ends at edge: the hook is not in it. One that began there begins at edge after
            // a monitorenter (the pin is the block's first instruction), and after h after a
            // monitorexit (the unpin is not the next statement's).
            for (TryCatchBlockNode t : mn.tryCatchBlocks) {
                if (after.contains(t.end)) {
                    t.end = edge;
                }
                if (enter && after.contains(t.start)) {
                    t.start = edge;
                }
            }
            n = h;
            changed = true;
        }
        return changed;
    }

    /** The labels at the offset right after n: those before its next instruction. */
    private static Set<LabelNode> labelsAfter(AbstractInsnNode n) {
        Set<LabelNode> labels = new HashSet<>();
        for (AbstractInsnNode k = n.getNext(); k != null && k.getOpcode() < 0; k = k.getNext()) {
            if (k instanceof LabelNode l) {
                labels.add(l);
            }
        }
        return labels;
    }

    /**
     * A synchronized method: the JVM holds the monitor from before the first instruction
     * to after the return, so pin first thing, unpin before each return, and unpin on the
     * way out of an exception (a handler covering the whole original body, added last so
     * the method's own handlers take precedence). The JIT compilers' monitor analysis does
     * not count the method's own monitor (the JVM takes and releases it), so to them this
     * range is one around code that holds no monitor: the blocks inside keep their shape.
     */
    static void method(MethodNode mn, boolean frames) {
        MethodBracket.around(mn, frames, () -> single(hook(Hooks.MONITOR_ENTERED)), () -> single(hook(Hooks.MONITOR_EXITED)));
    }

    private static InsnList single(AbstractInsnNode n) {
        InsnList il = new InsnList();
        il.add(n);
        return il;
    }
}
