package dev.gort.agent;

import java.io.ByteArrayOutputStream;

/**
 * Inserts bytecode into one method's Code attribute and moves everything that names a code
 * offset to match: branch and switch offsets (a switch's padding recomputed at its new
 * place), the exception table, the stack map frames (their deltas re-encoded, an
 * uninitialized type's {@code new} moved), line numbers and local variable ranges. It is the
 * byte-level twin of inserting nodes into ASM's tree: an insertion at offset X is either
 * <em>before</em> X's label (a branch to X skips it: the prologue check, inserted before
 * everything) or <em>at</em> it (a branch to X runs it first: a loop header's check, placed
 * after the header's frame, which stays where the header starts). Nothing inserted branches
 * or needs a frame of its own, so no frame is added.
 *
 * <p>Whatever it cannot move exactly (a 16-bit branch pushed out of range, JSR and RET,
 * type annotations or an attribute it does not know inside the code, a method grown past
 * 64 KB) throws {@link RawClass.Unsupported}: ASM, which handles all of that, takes the
 * class instead.
 */
final class CodePatch {
    private final RawClass rc;
    private final int attr; // the Code attribute's offset in rc.b
    private final int codeStart;
    private final int codeLength;
    /** The length of the instruction at each offset; 0 inside an instruction. */
    private final int[] insnLength;
    private final byte[][] before;
    private final byte[][] at;
    private final byte[][] replace;
    /** At least this max_stack (what the insertions need), or 0. */
    private int minStack;
    /** A catch-all over the whole original code, handled right after it (0: none). */
    private boolean catchAllAtEnd;
    /** The handler's frame: {@code [] [Throwable]} with this class constant (0: none). */
    private int endFrameThrowable;
    private int newStackMapName; // the Utf8 "StackMapTable", when the method had none
    private int[] newLabel; // offset -> where its label (and what is inserted at it) begins
    private int[] newInsn;  // offset -> where its instruction begins
    private int newLength;

    /** Instruction lengths by opcode: 0 for variable (switches, wide), -1 for what is unsupported. */
    private static final byte[] LENGTH = new byte[256];

    static {
        java.util.Arrays.fill(LENGTH, (byte) -1);
        for (int op = 0; op <= 201; op++) {
            LENGTH[op] = 1;
        }
        LENGTH[16] = 2; // bipush
        LENGTH[17] = 3; // sipush
        LENGTH[18] = 2; // ldc
        LENGTH[19] = 3; // ldc_w
        LENGTH[20] = 3; // ldc2_w
        for (int op = 21; op <= 25; op++) {
            LENGTH[op] = 2; // xload
        }
        for (int op = 54; op <= 58; op++) {
            LENGTH[op] = 2; // xstore
        }
        LENGTH[132] = 3; // iinc
        for (int op = 153; op <= 167; op++) {
            LENGTH[op] = 3; // if*, goto
        }
        LENGTH[168] = -1; // jsr
        LENGTH[169] = -1; // ret
        LENGTH[170] = 0; // tableswitch
        LENGTH[171] = 0; // lookupswitch
        for (int op = 178; op <= 184; op++) {
            LENGTH[op] = 3; // field access, invokevirtual/special/static
        }
        LENGTH[185] = 5; // invokeinterface
        LENGTH[186] = 5; // invokedynamic
        LENGTH[187] = 3; // new
        LENGTH[188] = 2; // newarray
        LENGTH[189] = 3; // anewarray
        LENGTH[192] = 3; // checkcast
        LENGTH[193] = 3; // instanceof
        LENGTH[196] = 0; // wide
        LENGTH[197] = 4; // multianewarray
        LENGTH[198] = 3; // ifnull
        LENGTH[199] = 3; // ifnonnull
        LENGTH[200] = 5; // goto_w
        LENGTH[201] = -1; // jsr_w
    }

    /** The method's code, scanned into instructions. */
    CodePatch(RawClass rc, int attr) {
        this.rc = rc;
        this.attr = attr;
        this.codeLength = rc.u4(attr + 10);
        this.codeStart = attr + 14;
        if (codeLength <= 0 || codeStart + codeLength > rc.b.length) {
            throw new RawClass.Unsupported("bad code length");
        }
        insnLength = new int[codeLength + 1];
        before = new byte[codeLength + 1][];
        at = new byte[codeLength + 1][];
        replace = new byte[codeLength + 1][];
        for (int x = 0; x < codeLength; ) {
            int len = length(x, x);
            insnLength[x] = len;
            x += len;
            if (x > codeLength) {
                throw new RawClass.Unsupported("instruction past the end of the code");
            }
        }
    }

    int codeLength() {
        return codeLength;
    }

    /** Whether an instruction starts at x. */
    boolean isInsn(int x) {
        return x < codeLength && insnLength[x] > 0;
    }

    int insnLength(int x) {
        return insnLength[x];
    }

    int opcode(int x) {
        return rc.u1(codeStart + x);
    }

    /** The u2 operand right after the opcode at x (a constant index, a local). */
    int operand(int x) {
        return rc.u2(codeStart + x + 1);
    }

    /**
     * The targets of the branch or switch at x (empty for anything else). Offsets in the
     * original code.
     */
    int[] targets(int x) {
        int op = opcode(x);
        if ((op >= 153 && op <= 167) || op == 198 || op == 199) {
            return new int[] {x + (short) rc.u2(codeStart + x + 1)};
        }
        if (op == 200) {
            return new int[] {x + rc.u4(codeStart + x + 1)};
        }
        if (op == 170 || op == 171) {
            int p = (x + 4) & ~3; // after the padding
            int dflt = x + rc.u4(codeStart + p);
            int[] t;
            if (op == 170) {
                int lo = rc.u4(codeStart + p + 4), hi = rc.u4(codeStart + p + 8);
                t = new int[hi - lo + 2];
                for (int i = 0; i <= hi - lo; i++) {
                    t[i] = x + rc.u4(codeStart + p + 12 + 4 * i);
                }
            } else {
                int n = rc.u4(codeStart + p + 4);
                t = new int[n + 1];
                for (int i = 0; i < n; i++) {
                    t[i] = x + rc.u4(codeStart + p + 12 + 8 * i);
                }
            }
            t[t.length - 1] = dflt;
            for (int target : t) {
                checkTarget(target);
            }
            return t;
        }
        return new int[0];
    }

    private void checkTarget(int t) {
        if (t < 0 || t >= codeLength || insnLength[t] == 0) {
            throw new RawClass.Unsupported("branch into an instruction");
        }
    }

    /** Length of the instruction at old offset x, laid out at position pos (a switch's padding). */
    private int length(int x, int pos) {
        int op = opcode(x);
        int len = LENGTH[op];
        if (len > 0) {
            return len;
        }
        if (len < 0) {
            throw new RawClass.Unsupported("opcode " + op);
        }
        if (op == 196) { // wide
            return opcode(x + 1) == 132 ? 6 : 4;
        }
        int p = (x + 4) & ~3;
        int pad = ((pos + 4) & ~3) - pos - 1;
        if (op == 170) {
            int lo = rc.u4(codeStart + p + 4), hi = rc.u4(codeStart + p + 8);
            if (hi < lo || hi - lo > 65535) {
                throw new RawClass.Unsupported("bad tableswitch");
            }
            return 1 + pad + 12 + 4 * (hi - lo + 1);
        }
        int n = rc.u4(codeStart + p + 4);
        if (n < 0 || n > 65535) {
            throw new RawClass.Unsupported("bad lookupswitch");
        }
        return 1 + pad + 8 + 8 * n;
    }

    /** Inserts code before the label at x: a branch to x skips it. */
    void insertBefore(int x, byte[] code) {
        before[x] = concat(before[x], code);
    }

    /** Inserts code at the label at x: a branch to x runs it. */
    void insertAt(int x, byte[] code) {
        at[x] = concat(at[x], code);
    }

    /** Replaces the instruction at x (a call by a call: nothing may branch into it). */
    void replace(int x, byte[] code) {
        replace[x] = code;
    }

    /** Makes max_stack at least n. */
    void minStack(int n) {
        minStack = Math.max(minStack, n);
    }

    /**
     * A catch-all handler after the code, over all of it (from after what was inserted
     * before offset 0): the code inserted at {@link #codeLength()} is the handler. With
     * throwableClass (a Class constant, 0: no frames), the handler gets the frame
     * {@code locals [], stack [Throwable]}; stackMapName is the Utf8 "StackMapTable", for a
     * method that had no frames.
     */
    void catchAllAtEnd(int throwableClass, int stackMapName) {
        catchAllAtEnd = true;
        endFrameThrowable = throwableClass;
        newStackMapName = stackMapName;
    }

    /** Removes what {@link #insertBefore} put at x. */
    void clearBefore(int x) {
        before[x] = null;
    }

    /**
     * The offsets that have a stack map frame, or null if the method has none (no
     * StackMapTable, or an empty one).
     */
    boolean[] frameOffsets() {
        int p = codeStart + codeLength;
        p += 2 + 8 * rc.u2(p);
        int attrs = rc.u2(p);
        p += 2;
        for (int a = 0; a < attrs; a++) {
            if (rc.utf8(rc.u2(p)).equals("StackMapTable")) {
                int n = rc.u2(p + 6);
                if (n == 0) {
                    return null;
                }
                boolean[] at = new boolean[codeLength + 1];
                int q = p + 8;
                int x = -1;
                for (int i = 0; i < n; i++) {
                    int type = rc.u1(q);
                    int delta;
                    if (type < 64) {
                        delta = type;
                        q += 1;
                    } else if (type < 128) {
                        delta = type - 64;
                        q = skipTypes(q + 1, 1);
                    } else if (type < 247) {
                        throw new RawClass.Unsupported("frame type " + type);
                    } else {
                        delta = rc.u2(q + 1);
                        if (type == 247) {
                            q = skipTypes(q + 3, 1);
                        } else if (type <= 251) {
                            q += 3;
                        } else if (type <= 254) {
                            q = skipTypes(q + 3, type - 251);
                        } else {
                            q = skipTypes(q + 5, rc.u2(q + 3));
                            q = skipTypes(q + 2, rc.u2(q));
                        }
                    }
                    x += delta + 1;
                    if (x > codeLength) {
                        throw new RawClass.Unsupported("frame past the end of the code");
                    }
                    at[x] = true;
                }
                return at;
            }
            p += 6 + rc.u4(p + 2);
        }
        return null;
    }

    private int skipTypes(int p, int k) {
        for (int i = 0; i < k; i++) {
            p += rc.u1(p) >= 7 ? 3 : 1;
        }
        return p;
    }

    boolean changed() {
        if (catchAllAtEnd) {
            return true;
        }
        for (int x = 0; x <= codeLength; x++) {
            if (before[x] != null || at[x] != null || replace[x] != null) {
                return true;
            }
        }
        return false;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        if (a == null) {
            return b;
        }
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** Lays the new code out; returns its length. */
    int layout() {
        newLabel = new int[codeLength + 1];
        newInsn = new int[codeLength + 1];
        int pos = 0;
        for (int x = 0; x < codeLength; x += insnLength[x]) {
            pos += len(before[x]);
            newLabel[x] = pos;
            pos += len(at[x]);
            newInsn[x] = pos;
            pos += replace[x] != null ? replace[x].length : length(x, pos);
        }
        pos += len(before[codeLength]);
        newLabel[codeLength] = pos;
        newInsn[codeLength] = pos;
        pos += len(at[codeLength]);
        newLength = pos;
        return pos;
    }

    private static int len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    /** The new Code attribute, whole (its name index and length included). */
    byte[] write() {
        int len = layout();
        if (len > 65535) {
            throw new RawClass.Unsupported("method too large");
        }
        Out out = new Out(rc.b.length - attr);
        out.write(rc.b, attr, 6); // name index, length (patched at the end)
        out.u2(Math.max(rc.u2(attr + 6), minStack));
        out.write(rc.b, attr + 8, 2); // max_locals
        out.u4(len);
        for (int x = 0; x < codeLength; x += insnLength[x]) {
            out.bytes(before[x]);
            out.bytes(at[x]);
            if (replace[x] != null) {
                out.bytes(replace[x]);
            } else {
                writeInsn(out, x);
            }
        }
        out.bytes(before[codeLength]);
        out.bytes(at[codeLength]);
        int p = codeStart + codeLength;
        int handlers = rc.u2(p);
        out.u2(handlers + (catchAllAtEnd ? 1 : 0));
        p += 2;
        for (int i = 0; i < handlers; i++, p += 8) {
            out.u2(label(rc.u2(p)));
            out.u2(label(rc.u2(p + 2)));
            out.u2(label(rc.u2(p + 4)));
            out.u2(rc.u2(p + 6));
        }
        if (catchAllAtEnd) { // last: the method's own handlers come first
            out.u2(newLabel[0]);
            out.u2(newLabel[codeLength]);
            out.u2(newLabel[codeLength]);
            out.u2(0);
        }
        int attrs = rc.u2(p);
        boolean addFrames = endFrameThrowable != 0 && !hasAttribute(p, "StackMapTable");
        out.u2(attrs + (addFrames ? 1 : 0));
        p += 2;
        for (int a = 0; a < attrs; a++) {
            String name = rc.utf8(rc.u2(p));
            int alen = rc.u4(p + 2);
            int body = p + 6;
            out.u2(rc.u2(p));
            int lenAt = out.size();
            out.u4(0);
            switch (name) {
                case "LineNumberTable" -> {
                    int n = rc.u2(body);
                    out.u2(n);
                    for (int i = 0; i < n; i++) {
                        out.u2(label(rc.u2(body + 2 + 4 * i)));
                        out.u2(rc.u2(body + 4 + 4 * i));
                    }
                }
                case "LocalVariableTable", "LocalVariableTypeTable" -> {
                    int n = rc.u2(body);
                    out.u2(n);
                    for (int i = 0; i < n; i++) {
                        int e = body + 2 + 10 * i;
                        int start = rc.u2(e), end = start + rc.u2(e + 2);
                        out.u2(label(start));
                        out.u2(label(end) - label(start));
                        out.write(rc.b, e + 4, 6);
                    }
                }
                case "StackMapTable" -> writeFrames(out, body);
                default -> throw new RawClass.Unsupported("code attribute " + name);
            }
            out.patch4(lenAt, out.size() - lenAt - 4);
            p = body + alen;
        }
        if (addFrames) {
            out.u2(newStackMapName);
            out.u4(2 + 8);
            out.u2(1);
            endFrame(out, -1);
        }
        out.patch4(2, out.size() - 6);
        return out.toByteArray();
    }

    /** The new offset of the label at old offset x. */
    private int label(int x) {
        if (x < 0 || x > codeLength || (x < codeLength && insnLength[x] == 0)) {
            throw new RawClass.Unsupported("offset inside an instruction: " + x);
        }
        return newLabel[x];
    }

    private void writeInsn(Out out, int x) {
        int op = opcode(x);
        int s = codeStart + x;
        if ((op >= 153 && op <= 167) || op == 198 || op == 199) {
            int t = x + (short) rc.u2(s + 1);
            checkTarget(t);
            int off = newLabel[t] - newInsn[x];
            if (off != (short) off) {
                throw new RawClass.Unsupported("branch out of range");
            }
            out.u1(op);
            out.u2(off);
        } else if (op == 200) {
            int t = x + rc.u4(s + 1);
            checkTarget(t);
            out.u1(op);
            out.u4(newLabel[t] - newInsn[x]);
        } else if (op == 170 || op == 171) {
            int pos = newInsn[x];
            out.u1(op);
            int pad = ((pos + 4) & ~3) - pos - 1;
            for (int i = 0; i < pad; i++) {
                out.u1(0);
            }
            int p = codeStart + ((x + 4) & ~3);
            out.u4(relabel(x, rc.u4(p)));
            if (op == 170) {
                int lo = rc.u4(p + 4), hi = rc.u4(p + 8);
                out.u4(lo);
                out.u4(hi);
                for (int i = 0; i <= hi - lo; i++) {
                    out.u4(relabel(x, rc.u4(p + 12 + 4 * i)));
                }
            } else {
                int n = rc.u4(p + 4);
                out.u4(n);
                for (int i = 0; i < n; i++) {
                    out.u4(rc.u4(p + 8 + 8 * i));
                    out.u4(relabel(x, rc.u4(p + 12 + 8 * i)));
                }
            }
        } else {
            out.write(rc.b, s, insnLength[x]);
        }
    }

    /** A switch's relative target, moved. */
    private int relabel(int x, int rel) {
        checkTarget(x + rel);
        return newLabel[x + rel] - newInsn[x];
    }

    private boolean hasAttribute(int p, String name) {
        int attrs = rc.u2(p);
        p += 2;
        for (int a = 0; a < attrs; a++) {
            if (rc.utf8(rc.u2(p)).equals(name)) {
                return true;
            }
            p += 6 + rc.u4(p + 2);
        }
        return false;
    }

    /** The catch-all handler's frame (8 bytes), after a frame at new offset now (-1: none). */
    private void endFrame(Out out, int now) {
        out.u1(255);
        out.u2(newLabel[codeLength] - now - 1);
        out.u2(0);
        out.u2(1);
        out.u1(7);
        out.u2(endFrameThrowable);
    }

    private void writeFrames(Out out, int body) {
        int n = rc.u2(body);
        out.u2(n + (endFrameThrowable != 0 ? 1 : 0));
        int p = body + 2;
        int old = -1, now = -1; // the previous frame's offsets, old and new
        for (int i = 0; i < n; i++) {
            int type = rc.u1(p);
            int delta;
            int rest; // offset of what follows the delta
            if (type < 64) {
                delta = type;
                rest = p + 1;
            } else if (type < 128) {
                delta = type - 64;
                rest = p + 1;
            } else if (type >= 247) {
                delta = rc.u2(p + 1);
                rest = p + 3;
            } else {
                throw new RawClass.Unsupported("frame type " + type);
            }
            int x = old + delta + 1;
            int nx = label(x);
            int nd = nx - now - 1;
            old = x;
            now = nx;
            if (type < 64 || type == 251) { // same_frame(_extended)
                if (nd < 64) {
                    out.u1(nd);
                } else {
                    out.u1(251);
                    out.u2(nd);
                }
                p = rest;
            } else if (type < 128 || type == 247) { // same_locals_1_stack_item(_extended)
                if (nd < 64) {
                    out.u1(64 + nd);
                } else {
                    out.u1(247);
                    out.u2(nd);
                }
                p = types(out, rest, 1);
            } else if (type <= 250) { // chop
                out.u1(type);
                out.u2(nd);
                p = rest;
            } else if (type <= 254) { // append
                out.u1(type);
                out.u2(nd);
                p = types(out, rest, type - 251);
            } else { // full_frame
                out.u1(type);
                out.u2(nd);
                int locals = rc.u2(rest);
                out.u2(locals);
                p = types(out, rest + 2, locals);
                int stack = rc.u2(p);
                out.u2(stack);
                p = types(out, p + 2, stack);
            }
        }
        if (endFrameThrowable != 0) {
            endFrame(out, now);
        }
    }

    /** Copies k verification types from p, moving an uninitialized type's offset; returns the end. */
    private int types(Out out, int p, int k) {
        for (int i = 0; i < k; i++) {
            int tag = rc.u1(p);
            out.u1(tag);
            if (tag == 7) {
                out.u2(rc.u2(p + 1));
                p += 3;
            } else if (tag == 8) {
                int x = rc.u2(p + 1);
                if (!isInsn(x) || opcode(x) != 187) {
                    throw new RawClass.Unsupported("uninitialized type not at a new");
                }
                out.u2(newInsn[x]);
                p += 3;
            } else if (tag <= 6) {
                p += 1;
            } else {
                throw new RawClass.Unsupported("verification type " + tag);
            }
        }
        return p;
    }

    /** A byte buffer with big-endian writes and patching. */
    private static final class Out extends ByteArrayOutputStream {
        Out(int size) {
            super(size);
        }

        void u1(int v) {
            write(v);
        }

        void u2(int v) {
            write(v >>> 8);
            write(v);
        }

        void u4(int v) {
            u2(v >>> 16);
            u2(v);
        }

        void bytes(byte[] b) {
            if (b != null) {
                write(b, 0, b.length);
            }
        }

        void patch4(int at, int v) {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }
    }
}
