package dev.gort.agent;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
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
 * Go's stackguard0 check, injected: {@code Preemption.check()}, which is
 * {@code if (Preemption.requested != 0) Preemption.preempt();}, at the prologue of each
 * method that calls or loops (a leaf method without loops cannot run long: Go's NOSPLIT),
 * and at the header of every loop (the target of a back-edge: Go 1.14's asynchronous
 * preemption stands in for checks there, the JVM has no signals).
 *
 * <p>An innermost counted loop is strip-mined instead ({@link StripMining}): its check runs
 * once per strip, so C2 still unrolls and vectorizes it (measured: a volatile check on
 * every back-edge cost 2-3x on a vectorizable loop, once per 4096 iterations ~1%).
 *
 * <p>The check reads a volatile flag: a plain one would be hoisted out of loops by C2.
 *
 * <h2>Why one call, not the check written out</h2>
 * The JIT decides what to inline by the callee's bytecode size: C1 and C2 inline any method
 * of at most {@code MaxInlineSize} (35) bytes, C2 a hot one of at most {@code FreqInlineSize}
 * (325). The check written out ({@code getstatic; ifeq; invokestatic}) is 9 bytes, and
 * library code is full of methods just under those limits: with Jackson, 27-32-byte methods
 * (ParserMinimalBase._updateToken, ObjectNode.replace, the parsers' context factories) grew
 * past 35 and stopped being inlined at the call sites that are not hot (-XX:+PrintInlining:
 * "callee is too large"). On Jackson's rounds, 9 NOPs in each prologue cost 5%, the
 * prologue checks 13% (bench/RESULTS.md, "The agent on four libraries"); with the call,
 * the agent's whole cost there went from 1.21x to 1.18x (CPU, 6 interleaved launches: a
 * small gain; what remains is the checks' run time). One {@code invokestatic} is 3
 * bytes; C1 and C2 inline the 10-byte
 * {@code Preemption.check()} wherever the method around it is compiled, so compiled code
 * reads the flag exactly as before and the slow call stays out of line. A method now crosses
 * 35 bytes only from 33-35 bytes, and 325 only from 323-325. The price: in the interpreter
 * each check is a real call, and the branch profile is shared by every site (the flag seen
 * up anywhere makes C2 compile the slow call everywhere instead of a trap; in a program with
 * goroutines every hot site sees the flag up sooner or later anyway).
 *
 * <p>A check in a loop inside a synchronized block lies inside the block's exception range
 * (after the header's frame; the block's pin goes before the header), as HotSpot requires
 * of every call made holding a monitor ({@link Monitors}); so does a strip's set-up and
 * tail ({@link StripMining}), inserted next to the loop.
 */
final class PreemptChecks {
    private PreemptChecks() {}

    /** The check: one call of Preemption.check() (see "Why one call" above). */
    static MethodInsnNode check() {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, Hooks.PREEMPTION, Hooks.PREEMPTION_CHECK, Hooks.PREEMPTION_CHECK_DESC, false);
    }

    /** Whether n is an injected check. */
    static boolean isCheck(AbstractInsnNode n) {
        return n instanceof MethodInsnNode m && m.getOpcode() == Opcodes.INVOKESTATIC && m.owner.equals(Hooks.PREEMPTION)
                && m.name.equals(Hooks.PREEMPTION_CHECK);
    }

    /**
     * Whether mn calls a method of its own name, on any receiver and with any descriptor:
     * direct recursion, and the structural recursion of equals, hashCode, compareTo, read,
     * visit or serialize through the objects of a data structure.
     */
    static boolean callsItself(MethodNode mn) {
        for (AbstractInsnNode n : mn.instructions) {
            if (n instanceof MethodInsnNode m && m.name.equals(mn.name)) {
                return true;
            }
        }
        return false;
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
     * frames). The check branches nowhere, so it needs no frame of its own.
     */
    static void atHeader(MethodNode mn, LabelNode header, boolean frames) {
        FrameNode f = frames ? frameAt(header) : null;
        if (frames && f == null) {
            throw new IllegalStateException("loop header without a stack map frame in " + mn.name + mn.desc);
        }
        MethodInsnNode check = check();
        mn.instructions.insert(f != null ? f : header, check);
        if (f != null && check.getNext() != null && check.getNext().getOpcode() == Opcodes.NEW) {
            // A frame names an uninitialized value by the label at its new, which is the
            // header's here (do { x = new T(c ? a : b); } while (...)): that label now stands
            // for the check, so the new gets a label of its own (CodePatch moves the offset
            // to the new's).
            LabelNode at = new LabelNode();
            mn.instructions.insert(check, at);
            for (AbstractInsnNode n : mn.instructions) {
                if (n instanceof FrameNode g) {
                    if (g.local != null) {
                        g.local.replaceAll(t -> t == header ? at : t);
                    }
                    if (g.stack != null) {
                        g.stack.replaceAll(t -> t == header ? at : t);
                    }
                }
            }
        }
    }

    /** The prologue check, at the very start (constructors too: a static call is legal before super()). */
    static InsnList prologue() {
        InsnList il = new InsnList();
        il.add(check());
        return il;
    }
}
