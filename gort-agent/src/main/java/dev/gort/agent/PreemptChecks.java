package dev.gort.agent;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Go's stackguard0 check, injected: {@code if (Preemption.requested != 0) Preemption.preempt();}
 * at the prologue of each method that calls or loops (a leaf method without loops cannot
 * run long: Go's NOSPLIT), and at the header of every loop (the target of a back-edge:
 * Go 1.14's asynchronous preemption stands in for checks there, the JVM has no signals).
 *
 * <p>An innermost counted loop is strip-mined instead ({@link StripMining}): its check runs
 * once per strip, so C2 still unrolls and vectorizes it (measured: a volatile check on
 * every back-edge cost 2-3x on a vectorizable loop, once per 4096 iterations ~1%).
 *
 * <p>The check reads a volatile flag: a plain one would be hoisted out of loops by C2.
 *
 * <p>A check in a loop inside a synchronized block lies inside the block's exception range
 * (after the header's frame; the block's pin goes before the header), as HotSpot requires
 * of every call made holding a monitor ({@link Monitors}); so does a strip's set-up and
 * tail ({@link StripMining}), inserted next to the loop.
 */
final class PreemptChecks {
    private PreemptChecks() {}

    /** The check: GETSTATIC flag; IFEQ skip; INVOKESTATIC preempt; skip: (frame). */
    static InsnList check(LabelNode skip, FrameNode skipFrame) {
        InsnList il = new InsnList();
        il.add(new FieldInsnNode(Opcodes.GETSTATIC, Hooks.PREEMPTION, Hooks.PREEMPTION_FLAG, Hooks.PREEMPTION_FLAG_DESC));
        il.add(new JumpInsnNode(Opcodes.IFEQ, skip));
        il.add(slowCall());
        il.add(skip);
        if (skipFrame != null) {
            il.add(skipFrame);
        }
        return il;
    }

    static MethodInsnNode slowCall() {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, Hooks.PREEMPTION, Hooks.PREEMPTION_SLOW, Hooks.PREEMPTION_SLOW_DESC, false);
    }

    /** Loop headers (back-edge targets) of mn, each with the jumps that reach it backwards. */
    static Map<LabelNode, List<AbstractInsnNode>> loopHeaders(MethodNode mn) {
        Map<LabelNode, List<AbstractInsnNode>> headers = new LinkedHashMap<>();
        InsnList insns = mn.instructions;
        for (AbstractInsnNode n : insns) {
            List<LabelNode> targets = targets(n);
            for (LabelNode l : targets) {
                if (insns.indexOf(l) <= insns.indexOf(n)) {
                    headers.computeIfAbsent(l, k -> new ArrayList<>()).add(n);
                }
            }
        }
        return headers;
    }

    /** Branch targets of n (JSR excluded: a subroutine call, not a loop). */
    static List<LabelNode> targets(AbstractInsnNode n) {
        if (n instanceof JumpInsnNode j && j.getOpcode() != Opcodes.JSR) {
            return List.of(j.label);
        }
        if (n instanceof TableSwitchInsnNode t) {
            List<LabelNode> l = new ArrayList<>(t.labels);
            l.add(t.dflt);
            return l;
        }
        if (n instanceof LookupSwitchInsnNode t) {
            List<LabelNode> l = new ArrayList<>(t.labels);
            l.add(t.dflt);
            return l;
        }
        return List.of();
    }

    /** Whether mn calls anything (a call to Object's constructor does not count) or loops. */
    static boolean callsOrLoops(MethodNode mn, boolean loops) {
        if (loops) {
            return true;
        }
        for (AbstractInsnNode n : mn.instructions) {
            if (n instanceof InvokeDynamicInsnNode) {
                return true;
            }
            if (n instanceof MethodInsnNode m && !(m.owner.equals("java/lang/Object") && m.name.equals("<init>"))) {
                return true;
            }
        }
        return false;
    }

    /** The frame node after a label (skipping line numbers and labels at the same place). */
    static FrameNode frameAt(LabelNode l) {
        for (AbstractInsnNode n = l.getNext(); n != null; n = n.getNext()) {
            if (n instanceof FrameNode f) {
                return f;
            }
            if (!(n instanceof LabelNode) && !(n instanceof LineNumberNode)) {
                return null;
            }
        }
        return null;
    }

    /**
     * Inserts the check at a loop header, right after the header's frame (or label, without
     * frames): the continuation label gets a copy of the header's frame.
     */
    static void atHeader(MethodNode mn, LabelNode header, boolean frames) {
        FrameNode f = frames ? frameAt(header) : null;
        if (frames && f == null) {
            throw new IllegalStateException("loop header without a stack map frame in " + mn.name + mn.desc);
        }
        AbstractInsnNode after = f != null ? f : header;
        mn.instructions.insert(after, check(new LabelNode(), f != null ? Frames.copy(f) : null));
    }

    /** The prologue check, at the very start (constructors too: a static call is legal before super()). */
    static InsnList prologue(FrameNode initial) {
        return check(new LabelNode(), initial);
    }
}
