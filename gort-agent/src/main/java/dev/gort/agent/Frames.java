package dev.gort.agent;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.MethodNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Stack map frames for the code the agent inserts, without computing any: classes are read
 * with {@code EXPAND_FRAMES}, so every existing frame is a full {@code F_NEW} frame, and
 * each inserted branch target gets a copy of a frame that is already right there (a loop
 * header's), the method's initial frame, or a handler's frame with no locals.
 *
 * <p>Rejected: {@code ClassWriter.COMPUTE_FRAMES}. It recomputes every frame, and to merge
 * two reference types it must know their common superclass, which means loading classes
 * from inside a class file transformer (class circularity, wrong loader, slow start-up).
 *
 * <p>In ASM's expanded frames a long or double is one element standing for two slots.
 */
final class Frames {
    private Frames() {}

    /** Whether the class file needs stack map frames (version 50 only if it has them). */
    static boolean needed(ClassNode cn, MethodNode mn) {
        int major = cn.version & 0xFFFF;
        if (major >= Opcodes.V1_7) {
            return true;
        }
        if (major < Opcodes.V1_6) {
            return false;
        }
        for (AbstractInsnNode n : mn.instructions) {
            if (n instanceof FrameNode) {
                return true;
            }
        }
        return false;
    }

    /** The frame at the method's entry, from its descriptor. */
    static FrameNode initial(ClassNode cn, MethodNode mn) {
        List<Object> locals = new ArrayList<>();
        if ((mn.access & Opcodes.ACC_STATIC) == 0) {
            locals.add(mn.name.equals("<init>") && !cn.name.equals("java/lang/Object") ? Opcodes.UNINITIALIZED_THIS : cn.name);
        }
        for (Type t : Type.getArgumentTypes(mn.desc)) {
            locals.add(verificationType(t));
        }
        return new FrameNode(Opcodes.F_NEW, locals.size(), locals.toArray(), 0, new Object[0]);
    }

    private static Object verificationType(Type t) {
        return switch (t.getSort()) {
            case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> Opcodes.INTEGER;
            case Type.FLOAT -> Opcodes.FLOAT;
            case Type.LONG -> Opcodes.LONG;
            case Type.DOUBLE -> Opcodes.DOUBLE;
            case Type.ARRAY -> t.getDescriptor();
            default -> t.getInternalName();
        };
    }

    static FrameNode copy(FrameNode f) {
        return new FrameNode(Opcodes.F_NEW, f.local.size(), f.local.toArray(), f.stack.size(), f.stack.toArray());
    }

    /** A handler's frame: no locals, the exception on the stack. */
    static FrameNode handler(String exceptionType) {
        return new FrameNode(Opcodes.F_NEW, 0, new Object[0], 1, new Object[] {exceptionType});
    }

    /** f with its locals padded with TOP up to slot, then types appended (one slot each). */
    static FrameNode withLocals(FrameNode f, int slot, Object... types) {
        FrameNode g = copy(f);
        setLocals(g, slot, types);
        return g;
    }

    /** Changes f in place: locals from slot on become types (padding with TOP before). */
    static void setLocals(FrameNode f, int slot, Object... types) {
        List<Object> locals = new ArrayList<>();
        int slots = 0;
        for (Object t : f.local) {
            int size = t == Opcodes.LONG || t == Opcodes.DOUBLE ? 2 : 1;
            if (slots + size > slot) {
                break;
            }
            locals.add(t);
            slots += size;
        }
        while (slots < slot) {
            locals.add(Opcodes.TOP);
            slots++;
        }
        for (Object t : types) {
            locals.add(t);
        }
        f.local = locals;
    }

    /**
     * Removes an inserted frame that ended up at the same bytecode offset as another frame
     * (no instruction between them): the class file allows one frame per offset. The later
     * one is the original code's, valid for every jump there; the state the inserted code
     * reaches it with (the method's entry state) already flowed into it before.
     */
    static void dedupe(MethodNode mn) {
        FrameNode last = null;
        for (AbstractInsnNode n = mn.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof FrameNode f) {
                if (last != null) {
                    mn.instructions.remove(last);
                }
                last = f;
            } else if (n.getOpcode() >= 0) {
                last = null;
            }
        }
    }
}
