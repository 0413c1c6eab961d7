package dev.gort.agent;

import java.util.Arrays;
import java.util.List;

/**
 * {@link StripMining} on a method's bytes, for {@link FastPath}: the same shape test, on
 * offsets instead of nodes, and the same code, inserted through {@link CodePatch}. Read
 * StripMining for the shape and the code; the notes here are about the translation.
 *
 * <p>Where the tree has a label, the bytes have an offset that ASM's reader gives a label
 * ({@link CodePatch#labelOffsets}): the shape allows none inside the condition, so both
 * refuse the same loops. A node index below the header's label is an offset below the
 * header, one above the back-edge an offset after it. Code the tree inserts before the
 * header's label ({@code O}) is an edit before the header, reached by the branches from
 * outside the loop ({@link CodePatch#enterAt}); the tail after the back-edge is an edit
 * before the label that follows it.
 */
final class RawStripMining {
    private RawStripMining() {}

    private static final int ILOAD = 21, ILOAD_0 = 26, ISTORE = 54, ISTORE_0 = 59, IINC = 132, WIDE = 196, GOTO = 167,
            IF_ICMPGE = 162, IF_ICMPGT = 163, INVOKESTATIC = 184;

    /**
     * What one method's loops share: its labels and frames (decoded on the first loop that
     * passes the cheap tests), and the two new locals.
     */
    static final class Method {
        final RawClass rc;
        final RawClass.Method m;
        final CodePatch code;
        private int[] labels;
        List<RawFrames.Frame> frames;
        private boolean decoded;
        final int s;
        final int t;
        boolean stripped;

        Method(RawClass rc, RawClass.Method m, CodePatch code) {
            this.rc = rc;
            this.m = m;
            this.code = code;
            this.s = code.maxLocals();
            this.t = s + 1;
        }

        private void decode() {
            if (!decoded) {
                decoded = true;
                labels = code.labelOffsets();
                int body = code.stackMapTable();
                frames = body < 0 ? null : RawFrames.decode(rc, body, RawFrames.initial(rc, m));
            }
        }

        private boolean label(int x) {
            return Arrays.binarySearch(labels, x) >= 0;
        }

        private RawFrames.Frame frameAt(int x) {
            if (frames != null) {
                for (RawFrames.Frame f : frames) {
                    if (f.edit < 0 && f.offset == x) {
                        return f;
                    }
                }
            }
            return null;
        }
    }

    /**
     * Strip-mines the loop at header h closed by the single back-edge j, if it has
     * StripMining's shape; returns false (changing nothing) otherwise.
     */
    static boolean apply(Method mm, int h, int j, byte[] check) {
        CodePatch code = mm.code;
        RawClass rc = mm.rc;
        if (code.opcode(j) != GOTO) {
            return false;
        }
        int i = load(code, h);
        if (i < 0) {
            return false; // most loops (an iterator's, a while's): no decoding for them
        }
        mm.decode();
        RawFrames.Frame fh = mm.frameAt(h);
        if (fh == null || fh.stack.length != 0) {
            return false;
        }
        int boundStart = h + code.insnLength(h);
        int x = boundStart;
        int depth = 0;
        for (;; x += code.insnLength(x)) {
            if (x >= code.codeLength() || mm.label(x)) {
                return false;
            }
            int op = code.opcode(x);
            if ((op >= 153 && op <= 168) || op >= 198 && op <= 201) {
                break; // the condition (ASM's JumpInsnNode)
            }
            int d = pureEffect(rc, code, x);
            if (d == Integer.MIN_VALUE) {
                return false;
            }
            depth += d;
            if (depth < 1 && x != boundStart) {
                return false;
            }
        }
        int cond = x;
        int condOp = code.opcode(cond);
        if (depth != 1 || cond == boundStart || (condOp != IF_ICMPGE && condOp != IF_ICMPGT)) {
            return false;
        }
        int exit = code.targets(cond)[0];
        if (exit <= j) {
            return false;
        }
        int u = code.previous(j);
        if (incremented(code, u) != i) {
            return false;
        }
        for (int b = cond + code.insnLength(cond); b < j; b += code.insnLength(b)) {
            if (b != u && writes(code, b, i)) {
                return false;
            }
        }
        if (!closed(code, h, j)) {
            return false;
        }

        int s = mm.s, t = mm.t;
        // O: s = (int) min((long) i + STRIP, MAX_VALUE), before H; entries from outside come here.
        int minJ = rc.addMethodref("java/lang/Math", "min", "(JJ)J");
        int minI = rc.addMethodref("java/lang/Math", "min", "(II)I");
        Bytes pre = new Bytes();
        pre.var(ILOAD, ILOAD_0, i);
        pre.u1(133); // i2l
        pre.u1(20).u2(rc.addLong(StripMining.STRIP)); // ldc2_w
        pre.u1(97); // ladd
        pre.u1(20).u2(rc.addLong(Integer.MAX_VALUE));
        pre.u1(INVOKESTATIC).u2(minJ);
        pre.u1(136); // l2i
        pre.var(ISTORE, ISTORE_0, s);
        int o = code.insertBefore(h, pre.bytes());
        code.enterAt(h, h, j, o);
        // H: the limit becomes min(n, s); t keeps n for the tail.
        Bytes lim = new Bytes();
        lim.u1(89); // dup
        lim.var(ISTORE, ISTORE_0, t);
        lim.var(ILOAD, ILOAD_0, s);
        lim.u1(INVOKESTATIC).u2(minI);
        code.insertAt(cond, lim.bytes());
        // T: the original exit test, then the check, then a new strip.
        Bytes tail = new Bytes();
        tail.var(ILOAD, ILOAD_0, i);
        tail.var(ILOAD, ILOAD_0, t);
        int test = tail.size();
        tail.u1(condOp).u2(0);
        tail.raw(check);
        int back = tail.size();
        tail.u1(GOTO).u2(0);
        int tl = code.insertBefore(j + code.insnLength(j), tail.bytes());
        code.branchToLabel(tl, test, exit);
        code.branchToEdit(tl, back, o);
        code.redirect(cond, tl);
        // Frames: O has H's as it was; at H, s is set and t not yet; in the body both are.
        RawFrames.Frame fo = fh.copy();
        fo.edit = o;
        fo.offset = -1;
        RawFrames.Frame ft = fh.copy();
        ft.edit = tl;
        ft.offset = -1;
        ft.setLocals(s, RawFrames.INTEGER, RawFrames.INTEGER);
        fh.setLocals(s, RawFrames.INTEGER, RawFrames.TOP);
        for (RawFrames.Frame f : mm.frames) {
            if (f.edit < 0 && f.offset > cond && f.offset <= j) {
                f.setLocals(s, RawFrames.INTEGER, RawFrames.INTEGER);
            }
        }
        mm.frames.add(fo);
        mm.frames.add(ft);
        code.minStack(4); // O: a long and a long
        code.minLocals(t + 1);
        mm.stripped = true;
        return true;
    }

    /** The local an {@code iload} at x loads, or -1. */
    private static int load(CodePatch code, int x) {
        int op = code.opcode(x);
        if (op == ILOAD) {
            return code.operand(x) >>> 8;
        }
        if (op >= ILOAD_0 && op <= ILOAD_0 + 3) {
            return op - ILOAD_0;
        }
        if (op == WIDE && code.opcode(x + 1) == ILOAD) {
            return code.operand(x + 1);
        }
        return -1;
    }

    /** The local an {@code iinc} at x increments by a positive amount, or -1. */
    private static int incremented(CodePatch code, int x) {
        int op = code.opcode(x);
        if (op == IINC) {
            return (byte) code.operand(x) > 0 ? code.operand(x) >>> 8 : -1;
        }
        if (op == WIDE && code.opcode(x + 1) == IINC) {
            return (short) code.operand(x + 3) > 0 ? code.operand(x + 1) : -1;
        }
        return -1;
    }

    /** Whether the instruction at x writes local var (an istore or an iinc). */
    private static boolean writes(CodePatch code, int x, int var) {
        int op = code.opcode(x);
        if (op == ISTORE || op == IINC) {
            return code.operand(x) >>> 8 == var;
        }
        if (op >= ISTORE_0 && op <= ISTORE_0 + 3) {
            return op - ISTORE_0 == var;
        }
        if (op == WIDE) {
            int w = code.opcode(x + 1);
            return (w == ISTORE || w == IINC) && code.operand(x + 1) == var;
        }
        return false;
    }

    /** StripMining.pureEffect, on the instruction at x. */
    private static int pureEffect(RawClass rc, CodePatch code, int x) {
        int op = code.opcode(x);
        switch (op) {
            case 21, 25, 26, 27, 28, 29, 42, 43, 44, 45, 2, 3, 4, 5, 6, 7, 8, 16, 17: // iload, aload, iconst, bipush, sipush
                return 1;
            case WIDE: {
                int w = code.opcode(x + 1);
                return w == 21 || w == 25 ? 1 : Integer.MIN_VALUE;
            }
            case 18: // ldc
                return rc.tag(code.operand(x) >>> 8) == RawClass.INTEGER ? 1 : Integer.MIN_VALUE;
            case 19: // ldc_w
                return rc.tag(code.operand(x)) == RawClass.INTEGER ? 1 : Integer.MIN_VALUE;
            case 178: // getstatic
                return singleSlot(rc.memberRef(code.operand(x))[2]) ? 1 : Integer.MIN_VALUE;
            case 180: // getfield
                return singleSlot(rc.memberRef(code.operand(x))[2]) ? 0 : Integer.MIN_VALUE;
            case 190: // arraylength
                return 0;
            case 96, 100, 104, 120, 122, 124, 126, 128, 130: // int arithmetic that cannot throw
                return -1;
            default:
                return Integer.MIN_VALUE;
        }
    }

    private static boolean singleSlot(String desc) {
        return !desc.equals("J") && !desc.equals("D") && !desc.equals("F");
    }

    /** StripMining.closed, by offsets: the loop [h, j] is innermost and closed. */
    private static boolean closed(CodePatch code, int h, int j) {
        int[] branches = code.branches();
        for (int b = 0; b < branches.length; b++) {
            int x = branches[b];
            boolean inside = x >= h && x <= j;
            for (int t : code.branchTargets(b)) {
                if (inside && x != j && t <= x) {
                    return false; // another back-edge: a nested loop, or a continue to H
                }
                if (!inside && t > h && t <= j) {
                    return false; // a jump into the body from outside
                }
            }
        }
        return code.handlersClosed(h, j);
    }

    /** A small growable byte array for inserted code. */
    private static final class Bytes {
        private byte[] b = new byte[24];
        private int n;

        Bytes u1(int v) {
            if (n == b.length) {
                b = Arrays.copyOf(b, 2 * n);
            }
            b[n++] = (byte) v;
            return this;
        }

        Bytes u2(int v) {
            return u1(v >>> 8).u1(v);
        }

        void raw(byte[] code) {
            for (byte x : code) {
                u1(x);
            }
        }

        /** A load or store of local var in the form ASM's writer chooses. */
        void var(int op, int shortOp, int var) {
            if (var < 4) {
                u1(shortOp + var);
            } else if (var < 256) {
                u1(op).u1(var);
            } else {
                u1(WIDE).u1(op).u2(var);
            }
        }

        int size() {
            return n;
        }

        byte[] bytes() {
            return Arrays.copyOf(b, n);
        }
    }
}
