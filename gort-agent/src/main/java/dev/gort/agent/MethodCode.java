package dev.gort.agent;

/**
 * One method's code, read in place in its class file: where its instructions start, what
 * they are and where they branch, and the offsets its attributes name (frames, labels,
 * handler ranges). Read-only: {@link CodePatch} adds the edits and writes the new code.
 *
 * <p>The scans run interpreted at start-up, so they read the opcode tables in place and
 * call out only for what needs more than a length ({@link #SPECIAL}).
 */
class MethodCode {
    final RawClass rc;
    final int attr; // the Code attribute's offset in rc.b
    final int codeStart;
    final int codeLength;
    /** One bit per offset: an instruction starts there. */
    private final long[] starts;
    int[] switches = new int[0];
    int nswitches;

    /**
     * Instruction lengths by opcode: 0 for variable (switches, wide), -1 for what is
     * unsupported. Read in place by the scans (no call per instruction: at start-up they run
     * interpreted, where a call costs more than the rest of the loop).
     */
    static final byte[] LENGTH = new byte[256];

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
    MethodCode(RawClass rc, int attr) {
        this.rc = rc;
        this.attr = attr;
        this.codeLength = rc.u4(attr + 10);
        this.codeStart = attr + 14;
        if (codeLength <= 0 || codeStart + codeLength > rc.b.length) {
            throw new RawClass.Unsupported("bad code length");
        }
        starts = new long[(codeLength >> 6) + 1];
        byte[] b = rc.b;
        for (int x = 0; x < codeLength; ) {
            starts[x >> 6] |= 1L << x;
            int op = b[codeStart + x] & 0xFF;
            int len = LENGTH[op];
            if (len <= 0) {
                if (op == 170 || op == 171) {
                    if (nswitches == switches.length) {
                        switches = java.util.Arrays.copyOf(switches, Math.max(4, 2 * nswitches));
                    }
                    switches[nswitches++] = x;
                }
                len = length(x, x);
            }
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
        return x >= 0 && x < codeLength && (starts[x >> 6] & (1L << x)) != 0;
    }

    /** The length of the instruction at x. */
    int insnLength(int x) {
        int len = LENGTH[rc.b[codeStart + x] & 0xFF];
        return len > 0 ? len : length(x, x);
    }

    /**
     * The opcodes that need more than a copy here or in the fast path's scan: a branch, a
     * switch, an invoke, a monitor, a return, {@code wide} (for its length). The scans skip
     * everything else at table speed, which is most of the code.
     */
    static final boolean[] SPECIAL = new boolean[256];

    static {
        for (int op = 153; op <= 171; op++) {
            SPECIAL[op] = true; // if*, goto, jsr, ret, switches
        }
        for (int op = 172; op <= 177; op++) {
            SPECIAL[op] = true; // returns
        }
        for (int op = 182; op <= 186; op++) {
            SPECIAL[op] = true; // invokes
        }
        SPECIAL[194] = SPECIAL[195] = true; // monitors
        SPECIAL[196] = true; // wide (its length)
        for (int op = 198; op <= 201; op++) {
            SPECIAL[op] = true; // ifnull, ifnonnull, goto_w, jsr_w
        }
        for (int op = 202; op < 256; op++) {
            SPECIAL[op] = true; // not an opcode: length() refuses it
        }
    }

    /** The offset where the code starts in the class file. */
    int codeStart() {
        return codeStart;
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
            int t = x + (short) rc.u2(codeStart + x + 1);
            checkTarget(t);
            return new int[] {t};
        }
        if (op == 200) {
            int t = x + rc.u4(codeStart + x + 1);
            checkTarget(t);
            return new int[] {t};
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
        return NO_TARGETS;
    }

    private static final int[] NO_TARGETS = new int[0];

    void checkTarget(int t) {
        if (!isInsn(t)) {
            throw new RawClass.Unsupported("branch into an instruction");
        }
    }

    /** Length of the instruction at old offset x, laid out at position pos (a switch's padding). */
    int length(int x, int pos) {
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

    /**
     * The offsets that have a stack map frame, ascending, or null if the method has none (no
     * StackMapTable, or an empty one).
     */
    int[] frameOffsets() {
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
                int[] at = new int[n];
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
                    at[i] = x;
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

    /**
     * Every offset ASM's reader gives a label, ascending: branch and switch targets, handler
     * ranges, line number and local variable starts and ends, frames, and the {@code new} of
     * an uninitialized type in a frame.
     */
    int[] labelOffsets() {
        int[] l = new int[64];
        int n = 0;
        branches();
        for (int[] ts : branchTargets) {
            for (int t : ts) {
                l = add(l, n++, t);
            }
        }
        int p = codeStart + codeLength;
        int handlers = rc.u2(p);
        for (int i = 0; i < handlers; i++) {
            l = add(l, n++, rc.u2(p + 2 + 8 * i));
            l = add(l, n++, rc.u2(p + 4 + 8 * i));
            l = add(l, n++, rc.u2(p + 6 + 8 * i));
        }
        p += 2 + 8 * handlers;
        int attrs = rc.u2(p);
        p += 2;
        for (int a = 0; a < attrs; a++) {
            String name = rc.utf8(rc.u2(p));
            int body = p + 6;
            switch (name) {
                case "LineNumberTable" -> {
                    for (int i = 0; i < rc.u2(body); i++) {
                        l = add(l, n++, rc.u2(body + 2 + 4 * i));
                    }
                }
                case "LocalVariableTable", "LocalVariableTypeTable" -> {
                    for (int i = 0; i < rc.u2(body); i++) {
                        int e = body + 2 + 10 * i;
                        l = add(l, n++, rc.u2(e));
                        l = add(l, n++, rc.u2(e) + rc.u2(e + 2));
                    }
                }
                case "StackMapTable" -> {
                    // ASM's reader: any 3 bytes that look like an uninitialized type whose
                    // offset holds a new (a guess, false positives included: the labels match).
                    int end = body + rc.u4(p + 2);
                    for (int c = body + 2; c < end - 2; c++) {
                        if (rc.u1(c) == RawFrames.UNINITIALIZED) {
                            int x = rc.u2(c + 1);
                            if (x < codeLength && opcode(x) == 187) {
                                l = add(l, n++, x);
                            }
                        }
                    }
                }
                default -> { }
            }
            p = body + rc.u4(p + 2);
        }
        int[] f = frameOffsets();
        if (f != null) {
            for (int x : f) {
                l = add(l, n++, x);
            }
        }
        l = java.util.Arrays.copyOf(l, n);
        java.util.Arrays.sort(l);
        return l;
    }

    private static int[] add(int[] a, int n, int v) {
        if (n == a.length) {
            a = java.util.Arrays.copyOf(a, 2 * n);
        }
        a[n] = v;
        return a;
    }

    /** The StackMapTable's contents (after its length), or -1. */
    int stackMapTable() {
        int p = codeStart + codeLength;
        p += 2 + 8 * rc.u2(p);
        int attrs = rc.u2(p);
        p += 2;
        for (int a = 0; a < attrs; a++) {
            if (rc.utf8(rc.u2(p)).equals("StackMapTable")) {
                return p + 6;
            }
            p += 6 + rc.u4(p + 2);
        }
        return -1;
    }

    private int[] branchAt;

    private int[][] branchTargets;

    /** The offsets of the branches and switches, ascending (computed once); their targets are {@link #branchTargets(int)}. */
    int[] branches() {
        if (branchAt == null) {
            int[] at = new int[16];
            int[][] ts = new int[16][];
            int n = 0;
            for (int x = 0, len; x < codeLength; x += len) {
                int op = rc.b[codeStart + x] & 0xFF;
                len = LENGTH[op];
                if (len <= 0) {
                    len = length(x, x);
                }
                if ((op >= 153 && op <= 171) || op >= 198 && op <= 201) {
                    int[] t = targets(x);
                    if (t.length > 0) {
                        if (n == at.length) {
                            at = java.util.Arrays.copyOf(at, 2 * n);
                            ts = java.util.Arrays.copyOf(ts, 2 * n);
                        }
                        at[n] = x;
                        ts[n] = t;
                        n++;
                    }
                }
            }
            branchAt = java.util.Arrays.copyOf(at, n);
            branchTargets = java.util.Arrays.copyOf(ts, n);
        }
        return branchAt;
    }

    /** The targets of the i-th branch of {@link #branches()}. */
    int[] branchTargets(int i) {
        return branchTargets[i];
    }

    /** No handler inside (h, j] covers code outside [h, j] (StripMining.closed). */
    boolean handlersClosed(int h, int j) {
        int p = codeStart + codeLength;
        int handlers = rc.u2(p);
        for (int i = 0; i < handlers; i++) {
            int e = p + 2 + 8 * i;
            int start = rc.u2(e), end = rc.u2(e + 2), hd = rc.u2(e + 4);
            if (hd > h && hd <= j && (start < h || end > j)) {
                return false;
            }
        }
        return true;
    }

    int maxLocals() {
        return rc.u2(attr + 8);
    }

    /** The offset of the instruction before the one at x (x > 0). */
    int previous(int x) {
        int y = x - 1;
        while (y > 0 && !isInsn(y)) {
            y--;
        }
        return y;
    }
}
