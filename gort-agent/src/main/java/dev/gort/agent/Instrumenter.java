package dev.gort.agent;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites one class file: per method, in this order, blocking call sites and lock pins
 * ({@link CallSites}), monitor pins ({@link Monitors}), preemption checks at loop headers
 * ({@link PreemptChecks}, {@link StripMining}), then at the start: the main-goroutine hook,
 * a synchronized method's pin, and the prologue check; last, a static initializer's hooks
 * ({@link Initializers}). Frames are kept by hand
 * ({@link Frames}); {@code COMPUTE_MAXS} recomputes only the stack and locals sizes.
 * A class that needs only checks and call-site replacements is patched in its bytes
 * instead, with the same result ({@link FastPath}).
 *
 * <p>A method that grows past the JVM's 64 KB limit is left as it was (the rest of the class
 * is still instrumented). Any other failure is the caller's to report.
 */
final class Instrumenter {
    private final Options options;
    private final CallSites callSites;
    private final boolean backedges;

    private final FastPath fastPath; // null: every class through ASM's tree

    Instrumenter(Options options, boolean asyncPreemptOff) {
        this(options, asyncPreemptOff, FAST_PATH);
    }

    /**
     * Whether classes go through {@link FastPath} first (the tests also run each path alone).
     * H2's start-up, everything instrumented: x3.3 of the JVM without the agent through the
     * tree, x1.9-2.0 with the fast path (bench/RESULTS.md).
     */
    static final boolean FAST_PATH = true;

    /** fastPath false: every class through the tree (the tests compare the two). */
    Instrumenter(Options options, boolean asyncPreemptOff, boolean fastPath) {
        this.options = options;
        this.callSites = new CallSites(options.blocking());
        this.backedges = options.backedge() && !asyncPreemptOff;
        this.fastPath = fastPath ? new FastPath(callSites, options.prologue(), backedges) : null;
    }

    /** The instrumented class, or null if nothing changed. isMain: the main=goroutine class. */
    byte[] transform(byte[] classfile, boolean isMain) {
        if (fastPath != null) {
            byte[] out = fastPath.transform(classfile, isMain);
            if (out != FastPath.NOT_HANDLED) {
                return out;
            }
        }
        return treeTransform(classfile, isMain);
    }

    /** transform through ASM's tree: every class the fast path leaves. */
    private byte[] treeTransform(byte[] classfile, boolean isMain) {
        Set<String> skip = new HashSet<>();
        for (;;) {
            ClassReader cr = new ClassReader(classfile);
            ClassNode cn = new ClassNode();
            cr.accept(cn, ClassReader.EXPAND_FRAMES);
            boolean changed = false;
            List<MethodNode> prologued = new ArrayList<>();
            for (MethodNode mn : cn.methods) {
                if (!skip.contains(mn.name + mn.desc)) {
                    changed |= method(cn, mn, isMain);
                    if (PreemptChecks.isCheck(mn.instructions.getFirst()) && !PreemptChecks.callsItself(mn)) {
                        prologued.add(mn);
                    }
                }
            }
            if (!changed) {
                return null;
            }
            try {
                ClassWriter cw = new ClassWriter(cr, ClassWriter.COMPUTE_MAXS);
                // Small methods, and methods that only their prologue check took across the hot
                // inlining limit, lose it (InlineLimits): the check is one instruction at
                // offset 0 that nothing jumps to, so removing it is all it takes. The lengths
                // are the writer's, computed before it writes (CodeSize).
                for (MethodNode mn : prologued) {
                    if (InlineLimits.checkLeftOut(CodeSize.of(mn, cw), backedges)) {
                        mn.instructions.remove(mn.instructions.getFirst());
                    }
                }
                cn.accept(cw);
                return cw.toByteArray();
            } catch (MethodTooLargeException e) {
                if (!skip.add(e.getMethodName() + e.getDescriptor())) {
                    throw e;
                }
            }
        }
    }

    /** Instruments one method; returns whether it changed. */
    boolean method(ClassNode cn, MethodNode mn, boolean isMain) {
        if ((mn.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || mn.instructions.size() == 0) {
            return false;
        }
        boolean frames = Frames.needed(cn, mn);
        boolean changed = callSites.apply(cn, mn);
        changed |= Monitors.blocks(mn);

        // No checks in a synchronizer on AQS: its methods run inside AQS's algorithms, which
        // hold the thread's identity (a waiter node names the thread to unpark), so the
        // goroutine must not move to another M there; they are short by nature.
        boolean checks = !CallSites.isSynchronizer(cn);
        Map<LabelNode, List<AbstractInsnNode>> headers = PreemptChecks.loopHeaders(mn);
        boolean calls = PreemptChecks.callsOrLoops(mn, !headers.isEmpty());
        if (checks && backedges && !headers.isEmpty()) {
            int s = mn.maxLocals, t = s + 1;
            boolean stripped = false;
            for (Map.Entry<LabelNode, List<AbstractInsnNode>> e : headers.entrySet()) {
                if (frames && e.getValue().size() == 1 && !callsBeyondJdk(mn, e.getKey(), e.getValue().get(0))
                        && StripMining.apply(mn, e.getKey(), e.getValue().get(0), s, t)) {
                    stripped = true;
                } else {
                    PreemptChecks.atHeader(mn, e.getKey(), frames);
                }
            }
            if (stripped) {
                mn.maxLocals = t + 1;
            }
            changed = true;
        }

        boolean sync = (mn.access & Opcodes.ACC_SYNCHRONIZED) != 0;
        if (sync) {
            Monitors.method(mn, frames);
            changed = true;
        }
        boolean prologue = checks && options.prologue() && calls && !sync && !Initializers.is(mn)
                && (mn.access & Opcodes.ACC_BRIDGE) == 0;
        if (prologue) {
            mn.instructions.insert(PreemptChecks.prologue());
            changed = true;
        }
        if (isMain && isMainMethod(mn)) {
            mn.instructions.insert(mainHook(frames ? Frames.initial(cn, mn) : null));
            changed = true;
        }
        if (Initializers.is(mn)) {
            Initializers.bracket(cn, mn, frames); // last: the outermost range, first instruction
            changed = true;
        }
        if (changed && frames) {
            Frames.dedupe(mn);
        }
        return changed;
    }

    /**
     * Whether the loop from header h to its back-edge j calls anything but the JDK. Such a
     * loop is not strip-mined: a call the JIT cannot see through rules out unrolling and
     * vectorizing it anyway, so the strip would buy nothing, while its ~36 bytes of set-up,
     * limit and tail (against 3 for a check at the header) push the method past the JIT's
     * inlining limits (Jackson's BeanSerializerBase.serializeFields, a counted loop calling
     * each property's writer, stopped being inlined into its callers). Loops that call only
     * the JDK (String.charAt, Math.min, ...) are often tight loops the JIT inlines whole,
     * where the strip's saving is real. The agent's own hooks (pins, blocking-call wrappers)
     * count as the JDK: they stand for JDK calls or for nothing in the original.
     */
    static boolean callsBeyondJdk(MethodNode mn, LabelNode h, AbstractInsnNode j) {
        for (AbstractInsnNode n = h; n != null && n != j; n = n.getNext()) {
            if (n instanceof InvokeDynamicInsnNode) {
                return true;
            }
            if (n instanceof MethodInsnNode m && !m.owner.startsWith("java/") && !m.owner.startsWith(Hooks.HOOK_PACKAGE)) {
                return true;
            }
        }
        return false;
    }

    static boolean isMainMethod(MethodNode mn) {
        return mn.name.equals("main") && mn.desc.equals("([Ljava/lang/String;)V")
                && (mn.access & Opcodes.ACC_STATIC) != 0;
    }

    /** {@code if (MainGoroutine.start(args)) return;} */
    private static InsnList mainHook(FrameNode initial) {
        InsnList il = new InsnList();
        LabelNode go = new LabelNode();
        il.add(new VarInsnNode(Opcodes.ALOAD, 0));
        il.add(new MethodInsnNode(Opcodes.INVOKESTATIC, Hooks.MAIN_GOROUTINE, Hooks.MAIN_START, Hooks.MAIN_START_DESC, false));
        il.add(new JumpInsnNode(Opcodes.IFEQ, go));
        il.add(new InsnNode(Opcodes.RETURN));
        il.add(go);
        if (initial != null) {
            il.add(initial);
        }
        return il;
    }
}
