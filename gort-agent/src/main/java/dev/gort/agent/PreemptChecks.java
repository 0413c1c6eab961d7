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
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.VarInsnNode;

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
        mn.instructions.insert(f != null ? f : header, check());
    }

    /**
     * Gives each loop check of mn (at a header, or at a strip's end) a slow path reached
     * through an exception edge instead of a branch: the call of {@code check()} becomes a
     * call of {@code checkLoop()} ({@code if (requested != 0) throw REQUEST}, as small),
     * covered by a handler of its own that goes after the method's code:
     * <pre>
     *   S: Preemption.checkLoop()       // [S, E) caught by H, first in the table
     *   E: R: (frame F)
     *   ...
     *   H: (frame F's locals, stack [Request]) pop; Preemption.preempt(); goto R
     * </pre>
     * where F is the site's frame (the check sits right after a frame, or after a strip's
     * exit test {@code iload; iload; if_icmpge}, which changes neither locals nor stack).
     * H's own range is covered by copies of the entries that covered S, so the slow call is
     * inside the same handlers (a synchronized block's among them) as before.
     *
     * <h2>Why (issue 15: vectorized loops in preempted goroutines)</h2>
     * Once a goroutine has been preempted the branch to the slow path has been taken, so C2
     * compiles the call on it instead of an uncommon trap; with that call in the loop nest,
     * C2 kept a vectorized loop's array bases on the stack and reloaded them on every
     * iteration (saxpy 1.50x, matmul 1.34x in a goroutine). bench's {@code SlowPathShapes}
     * measured the slow-path shapes, slow path never taken / taken during warm-up and then
     * every 10 ms: a call after the loop (the old shape), leaving the loop nest for a call
     * placed after it and coming back, running the rest in a second copy of the loop, and
     * passing the loop's state to a copy of the method entered at the loop head (a tail
     * call) all cost the same 1.3-1.5x; a throw caught by a handler in the same method did
     * not. C2 gives a throw to a local handler the frequency of an exception path (next to
     * nothing), so its register allocator puts the spills on that path and not in the loop.
     *
     * <p>Left as they are: sites whose frame has values on the operand stack (a handler
     * starts with an empty stack) or an uninitialized object in a local (a constructor's
     * this before super()).
     */
    static void throwing(MethodNode mn) {
        InsnList insns = mn.instructions;
        List<TryCatchBlockNode> siteEntries = new ArrayList<>();
        List<TryCatchBlockNode> copies = new ArrayList<>();
        InsnList handlers = new InsnList();
        for (AbstractInsnNode n = insns.getFirst(); n != null; n = n.getNext()) {
            if (!isCheck(n)) {
                continue;
            }
            FrameNode f = siteFrame(n);
            if (f == null || !f.stack.isEmpty() || uninitialized(f)) {
                continue;
            }
            LabelNode start = new LabelNode(), end = new LabelNode(), resume = new LabelNode(), handler = new LabelNode();
            List<TryCatchBlockNode> covering = new ArrayList<>();
            for (TryCatchBlockNode t : mn.tryCatchBlocks) {
                if (insns.indexOf(t.start) <= insns.indexOf(n) && insns.indexOf(n) < insns.indexOf(t.end)) {
                    covering.add(t);
                }
            }
            MethodInsnNode call = new MethodInsnNode(Opcodes.INVOKESTATIC, Hooks.PREEMPTION, Hooks.PREEMPTION_CHECK_LOOP,
                    Hooks.PREEMPTION_CHECK_DESC, false);
            InsnList site = new InsnList();
            site.add(start);
            site.add(call);
            site.add(end);
            site.add(resume);
            site.add(Frames.copy(f));
            insns.insert(n, site);
            insns.remove(n);
            n = resume;
            siteEntries.add(new TryCatchBlockNode(start, end, handler, Hooks.PREEMPTION_REQUEST));

            LabelNode hEnd = new LabelNode();
            handlers.add(handler);
            handlers.add(new FrameNode(Opcodes.F_NEW, f.local.size(), f.local.toArray(), 1, new Object[] {Hooks.PREEMPTION_REQUEST}));
            handlers.add(new InsnNode(Opcodes.POP));
            handlers.add(new MethodInsnNode(Opcodes.INVOKESTATIC, Hooks.PREEMPTION, Hooks.PREEMPTION_PREEMPT,
                    Hooks.PREEMPTION_CHECK_DESC, false));
            handlers.add(hEnd);
            handlers.add(new JumpInsnNode(Opcodes.GOTO, resume));
            for (TryCatchBlockNode t : covering) {
                copies.add(new TryCatchBlockNode(handler, hEnd, t.handler, t.type));
            }
        }
        if (siteEntries.isEmpty()) {
            return;
        }
        insns.add(handlers);
        mn.tryCatchBlocks.addAll(0, siteEntries);
        mn.tryCatchBlocks.addAll(copies);
    }

    /**
     * The frame in force at check n: the frame right before it, or before a strip's exit
     * test {@code iload; iload; if_icmp} right before it; null if n sits anywhere else.
     */
    private static FrameNode siteFrame(AbstractInsnNode n) {
        AbstractInsnNode p = previous(n);
        if (p instanceof FrameNode f) {
            return f;
        }
        if (p instanceof JumpInsnNode j && (j.getOpcode() == Opcodes.IF_ICMPGE || j.getOpcode() == Opcodes.IF_ICMPGT)
                && previous(j) instanceof VarInsnNode b && b.getOpcode() == Opcodes.ILOAD
                && previous(b) instanceof VarInsnNode a && a.getOpcode() == Opcodes.ILOAD
                && previous(a) instanceof FrameNode f) {
            return f;
        }
        return null;
    }

    private static AbstractInsnNode previous(AbstractInsnNode n) {
        AbstractInsnNode p = n.getPrevious();
        while (p instanceof LabelNode || p instanceof LineNumberNode) {
            p = p.getPrevious();
        }
        return p;
    }

    private static boolean uninitialized(FrameNode f) {
        for (Object t : f.local) {
            if (t == Opcodes.UNINITIALIZED_THIS || t instanceof LabelNode) {
                return true;
            }
        }
        return false;
    }

    /** The prologue check, at the very start (constructors too: a static call is legal before super()). */
    static InsnList prologue() {
        InsnList il = new InsnList();
        il.add(check());
        return il;
    }
}
