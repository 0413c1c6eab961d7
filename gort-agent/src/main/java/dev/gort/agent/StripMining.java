package dev.gort.agent;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

import java.util.List;

/**
 * Strip mining of an innermost counted loop, as C2 does for its own safepoint polls: the
 * preemption check runs once per strip of {@link #STRIP} index steps, and the inner loop
 * keeps a single loop-invariant limit, so C2 still sees a counted loop it can unroll and
 * vectorize.
 *
 * <p>The shape recognized is javac's {@code for (...; i < n; i += c) body} (or
 * {@code i <= n}), c > 0, with {@code n} a side-effect-free expression (locals, constants,
 * fields, array lengths, int arithmetic that cannot throw), i written only by the final {@code iinc}, no inner loop, and no
 * jump into the loop from outside:
 * <pre>
 *   H: iload i; &lt;n&gt;; if_icmpge X; body; iinc i c; goto H; X:
 * </pre>
 * becomes
 * <pre>
 *   O: s = (int) min((long) i + STRIP, Integer.MAX_VALUE)
 *   H: iload i; &lt;n&gt;; dup; istore t; iload s; Math.min; if_icmpge T; body; iinc i c; goto H
 *   T: iload i; iload t; if_icmpge X            // the original exit, with the n just read
 *      Preemption.check()
 *      goto O
 *   X:
 * </pre>
 * where s and t are two new locals. n is evaluated exactly as often as before, plus once
 * per strip (at O->H after a check), which is why it must be free of side effects.
 */
final class StripMining {
    private StripMining() {}

    /** Index steps per strip: the check then costs ~1% on a vectorized loop (29.2 vs 29.5 ms, a 300x300 multiply). */
    static final int STRIP = 4096;

    /**
     * Strip-mines the loop at header h closed by the single back-edge j, if it has the
     * shape above; returns false (changing nothing) otherwise. s and t are free slots.
     */
    static boolean apply(MethodNode mn, LabelNode h, AbstractInsnNode j, int s, int t) {
        InsnList insns = mn.instructions;
        if (!(j instanceof JumpInsnNode back) || back.getOpcode() != Opcodes.GOTO) {
            return false;
        }
        int hi = insns.indexOf(h), ji = insns.indexOf(j);
        FrameNode fh = PreemptChecks.frameAt(h);
        if (fh == null || !fh.stack.isEmpty()) {
            return false;
        }
        // The condition: iload i; <pure int expression>; if_icmpge/if_icmpgt X (X after the loop).
        AbstractInsnNode n = next(fh);
        if (!(n instanceof VarInsnNode load) || load.getOpcode() != Opcodes.ILOAD) {
            return false;
        }
        int i = load.var;
        AbstractInsnNode boundStart = n.getNext();
        int depth = 0;
        for (n = boundStart; n != null && !(n instanceof JumpInsnNode); n = n.getNext()) {
            if (n instanceof LineNumberNode) {
                continue;
            }
            int d = pureEffect(n);
            if (d == Integer.MIN_VALUE) {
                return false;
            }
            depth += d;
            if (depth < 1 && n != boundStart) {
                return false;
            }
        }
        if (!(n instanceof JumpInsnNode cond) || depth != 1 || n == boundStart
                || (cond.getOpcode() != Opcodes.IF_ICMPGE && cond.getOpcode() != Opcodes.IF_ICMPGT)
                || insns.indexOf(cond.label) <= ji) {
            return false;
        }
        // The update: iinc i c (c > 0) right before the back-edge; i written nowhere else.
        AbstractInsnNode u = j.getPrevious();
        while (u instanceof LabelNode || u instanceof LineNumberNode || u instanceof FrameNode) {
            u = u.getPrevious();
        }
        if (!(u instanceof IincInsnNode inc) || inc.var != i || inc.incr <= 0) {
            return false;
        }
        int ci = insns.indexOf(cond);
        for (int k = ci + 1; k < ji; k++) {
            AbstractInsnNode b = insns.get(k);
            if (b != u && writes(b, i)) {
                return false;
            }
        }
        if (!closed(mn, hi, ji, j)) {
            return false;
        }

        LabelNode x = cond.label;
        LabelNode o = new LabelNode();
        // Jumps to H from outside the loop enter at O, to start a strip.
        for (int k = 0; k < insns.size(); k++) {
            if (k < hi || k > ji) {
                retarget(insns.get(k), h, o);
            }
        }
        LabelNode tail = new LabelNode();
        // O: s = min(i + STRIP, MAX_VALUE), before H; entries from outside fall through here.
        InsnList pre = new InsnList();
        pre.add(o);
        pre.add(Frames.copy(fh));
        pre.add(new VarInsnNode(Opcodes.ILOAD, i));
        pre.add(new InsnNode(Opcodes.I2L));
        pre.add(new LdcInsnNode((long) STRIP));
        pre.add(new InsnNode(Opcodes.LADD));
        pre.add(new LdcInsnNode((long) Integer.MAX_VALUE));
        pre.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Math", "min", "(JJ)J", false));
        pre.add(new InsnNode(Opcodes.L2I));
        pre.add(new VarInsnNode(Opcodes.ISTORE, s));
        insns.insertBefore(h, pre);
        // H: the limit becomes min(n, s); t keeps n for the tail.
        InsnList lim = new InsnList();
        lim.add(new InsnNode(Opcodes.DUP));
        lim.add(new VarInsnNode(Opcodes.ISTORE, t));
        lim.add(new VarInsnNode(Opcodes.ILOAD, s));
        lim.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Math", "min", "(II)I", false));
        insns.insertBefore(cond, lim);
        cond.label = tail;
        // Frames: at H, s is set and t not yet; in the body both are.
        Frames.setLocals(fh, s, Opcodes.INTEGER, Opcodes.TOP);
        for (AbstractInsnNode b = cond.getNext(); b != j; b = b.getNext()) {
            if (b instanceof FrameNode f) {
                Frames.setLocals(f, s, Opcodes.INTEGER, Opcodes.INTEGER);
            }
        }
        // T: the original exit test, then the check, then a new strip.
        InsnList tl = new InsnList();
        tl.add(tail);
        tl.add(Frames.withLocals(fh, s, Opcodes.INTEGER, Opcodes.INTEGER));
        tl.add(new VarInsnNode(Opcodes.ILOAD, i));
        tl.add(new VarInsnNode(Opcodes.ILOAD, t));
        tl.add(new JumpInsnNode(cond.getOpcode(), x));
        tl.add(PreemptChecks.check());
        tl.add(new JumpInsnNode(Opcodes.GOTO, o));
        insns.insert(j, tl);
        return true;
    }

    private static void retarget(AbstractInsnNode n, LabelNode from, LabelNode to) {
        if (n instanceof JumpInsnNode jn && jn.label == from) {
            jn.label = to;
        } else if (n instanceof TableSwitchInsnNode ts) {
            ts.labels.replaceAll(l -> l == from ? to : l);
            ts.dflt = ts.dflt == from ? to : ts.dflt;
        } else if (n instanceof LookupSwitchInsnNode ls) {
            ls.labels.replaceAll(l -> l == from ? to : l);
            ls.dflt = ls.dflt == from ? to : ls.dflt;
        }
    }

    private static AbstractInsnNode next(AbstractInsnNode n) {
        n = n.getNext();
        while (n instanceof LineNumberNode || n instanceof LabelNode) {
            n = n.getNext();
        }
        return n;
    }

    /**
     * The stack effect of a side-effect-free instruction allowed in the bound (int or
     * reference values only), or MIN_VALUE if it is not one.
     */
    private static int pureEffect(AbstractInsnNode n) {
        switch (n.getOpcode()) {
            case Opcodes.ILOAD, Opcodes.ALOAD, Opcodes.ICONST_M1, Opcodes.ICONST_0, Opcodes.ICONST_1,
                 Opcodes.ICONST_2, Opcodes.ICONST_3, Opcodes.ICONST_4, Opcodes.ICONST_5,
                 Opcodes.BIPUSH, Opcodes.SIPUSH:
                return 1;
            case Opcodes.LDC:
                return ((LdcInsnNode) n).cst instanceof Integer ? 1 : Integer.MIN_VALUE;
            case Opcodes.GETSTATIC:
                return singleSlot(((FieldInsnNode) n).desc) ? 1 : Integer.MIN_VALUE;
            case Opcodes.GETFIELD:
                return singleSlot(((FieldInsnNode) n).desc) ? 0 : Integer.MIN_VALUE;
            case Opcodes.ARRAYLENGTH:
                return 0;
            case Opcodes.IADD, Opcodes.ISUB, Opcodes.IMUL, Opcodes.ISHL, Opcodes.ISHR, Opcodes.IUSHR,
                 Opcodes.IAND, Opcodes.IOR, Opcodes.IXOR:
                return -1; // int arithmetic that cannot throw (not IDIV, IREM)
            default:
                return Integer.MIN_VALUE;
        }
    }

    private static boolean singleSlot(String desc) {
        return !desc.equals("J") && !desc.equals("D") && !desc.equals("F");
    }

    private static boolean writes(AbstractInsnNode n, int var) {
        return (n instanceof VarInsnNode v && v.var == var && v.getOpcode() == Opcodes.ISTORE)
                || (n instanceof IincInsnNode inc && inc.var == var);
    }

    /**
     * The loop [hi, ji] is innermost and closed: its only back-edge is j, no other loop is
     * inside, nothing outside jumps into its body, and no handler inside covers code outside.
     */
    private static boolean closed(MethodNode mn, int hi, int ji, AbstractInsnNode j) {
        InsnList insns = mn.instructions;
        for (int k = 0; k < insns.size(); k++) {
            AbstractInsnNode n = insns.get(k);
            List<LabelNode> targets = PreemptChecks.targets(n);
            boolean inside = k > hi && k <= ji;
            for (LabelNode l : targets) {
                int li = insns.indexOf(l);
                if (inside && n != j && li <= k) {
                    return false; // another back-edge: a nested loop, or a continue to H
                }
                if (!inside && li > hi && li <= ji) {
                    return false; // a jump into the body from outside
                }
                if (inside && n != j && li == hi) {
                    return false;
                }
            }
            if (n.getOpcode() == Opcodes.JSR || n.getOpcode() == Opcodes.RET) {
                return false;
            }
        }
        for (TryCatchBlockNode tcb : mn.tryCatchBlocks) {
            int hd = insns.indexOf(tcb.handler);
            if (hd > hi && hd <= ji && (insns.indexOf(tcb.start) < hi || insns.indexOf(tcb.end) > ji)) {
                return false;
            }
        }
        return true;
    }
}
