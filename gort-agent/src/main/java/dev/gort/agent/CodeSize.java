package dev.gort.agent;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * The code length ASM's MethodWriter gives a method, computed from its tree before it is
 * written: the instruction forms MethodWriter chooses (a load or store of locals 0-3 in one
 * byte, {@code wide} past local 255, {@code ldc_w} past constant 255, a switch's padding
 * from its offset), so that {@link InlineLimits} can drop a prologue check before the one
 * write instead of reading the lengths back from a first write and writing again (which
 * cost a quarter of the tree's time at start-up: bench/RESULTS.md).
 *
 * <p>Exact for every method within the limits InlineLimits cares about (up to a few hundred
 * bytes). Past 32 KB a jump may need {@code goto_w}, which ASM decides while writing; the
 * length here is then short by a few bytes, which no limit notices.
 */
final class CodeSize {
    private CodeSize() {}

    /** The length of mn's code as cw will write it (cw: the class's writer, for constant indices). */
    static int of(MethodNode mn, ClassWriter cw) {
        int pos = 0;
        for (AbstractInsnNode n = mn.instructions.getFirst(); n != null; n = n.getNext()) {
            int op = n.getOpcode();
            switch (n.getType()) {
                case AbstractInsnNode.INSN -> pos += 1;
                case AbstractInsnNode.INT_INSN -> pos += op == Opcodes.SIPUSH ? 3 : 2;
                case AbstractInsnNode.VAR_INSN -> {
                    int v = ((VarInsnNode) n).var;
                    pos += v < 4 && op != Opcodes.RET ? 1 : v >= 256 ? 4 : 2;
                }
                case AbstractInsnNode.TYPE_INSN, AbstractInsnNode.FIELD_INSN, AbstractInsnNode.JUMP_INSN -> pos += 3;
                case AbstractInsnNode.METHOD_INSN -> pos += op == Opcodes.INVOKEINTERFACE ? 5 : 3;
                case AbstractInsnNode.INVOKE_DYNAMIC_INSN -> pos += 5;
                case AbstractInsnNode.MULTIANEWARRAY_INSN -> pos += 4;
                case AbstractInsnNode.LDC_INSN -> {
                    Object c = ((LdcInsnNode) n).cst;
                    boolean wide = c instanceof Long || c instanceof Double
                            || (c instanceof ConstantDynamic d && d.getSize() == 2);
                    pos += wide || cw.newConst(c) >= 256 ? 3 : 2;
                }
                case AbstractInsnNode.IINC_INSN -> {
                    IincInsnNode i = (IincInsnNode) n;
                    pos += i.var > 255 || i.incr > Byte.MAX_VALUE || i.incr < Byte.MIN_VALUE ? 6 : 3;
                }
                case AbstractInsnNode.TABLESWITCH_INSN ->
                    pos += 1 + padding(pos) + 12 + 4 * ((TableSwitchInsnNode) n).labels.size();
                case AbstractInsnNode.LOOKUPSWITCH_INSN ->
                    pos += 1 + padding(pos) + 8 + 8 * ((LookupSwitchInsnNode) n).labels.size();
                default -> { } // labels, frames, line numbers: no bytes
            }
        }
        return pos;
    }

    /** The zero bytes after a switch opcode at pos, up to a multiple of 4. */
    private static int padding(int pos) {
        return (4 - (pos + 1) % 4) % 4;
    }
}
