package dev.gort.agent;

import java.util.List;

/**
 * Inserts bytecode into one method's Code attribute (read through {@link MethodCode}) and moves everything that names a code
 * offset to match: branch and switch offsets (a switch's padding recomputed at its new
 * place), the exception table, the stack map frames (their deltas re-encoded, an
 * uninitialized type's {@code new} moved), line numbers and local variable ranges. It is the
 * byte-level twin of inserting nodes into ASM's tree. An insertion at offset X goes, in this
 * order: {@linkplain #insertFirst first} (before everything at X: the prologue check, an
 * enter hook, which ASM puts at the head of the list), {@linkplain #insertBefore before}
 * X's label (a branch to X skips it: a pin after a monitor instruction, a strip's set-up),
 * or {@linkplain #insertAt at} it (a branch to X runs it first: a loop header's check,
 * after the header's frame, which stays where the header starts). An instruction can also
 * be {@linkplain #replace replaced} (a call by a call).
 *
 * <p>For strip mining, inserted code may branch ({@link #branchToLabel},
 * {@link #branchToEdit}), original branches may be sent into inserted code
 * ({@link #redirect}, {@link #enterAt}), and the frames may be replaced by a full list
 * ({@link #setFrames}). A bracketed method gets a catch-all handler and its frame after the
 * code ({@link #catchAllAtEnd}).
 *
 * <p>Edits are kept sparse (a list sorted once, positions found by binary search), not in
 * arrays as long as the code: at start-up every allocated byte is paid for.
 *
 * <p>Whatever it cannot move exactly (a 16-bit branch pushed out of range, JSR and RET,
 * type annotations or an attribute it does not know inside the code, a method grown past
 * 64 KB) throws {@link RawClass.Unsupported}: ASM, which handles all of that, takes the
 * class instead.
 */
final class CodePatch extends MethodCode {
    /** The method's code, ready for edits. */
    CodePatch(RawClass rc, int attr) {
        super(rc, attr);
    }

    private static final int FIRST = 0, BEFORE = 1, AT = 2, REPLACE = 3;
    /** Edits in the order made: offset, kind, code. */
    private int[] editAt = new int[8];
    private byte[] editKind = new byte[8];
    private byte[][] editCode = new byte[8][];
    private int nedits;

    /** At least this max_stack (what the insertions need), or 0. */
    private int minStack;
    /** A catch-all over the whole original code, handled right after it. */
    private boolean catchAllAtEnd;
    /** The handler's frame: {@code [] [Throwable]} with this class constant (0: none). */
    private int endFrameThrowable;
    private int newStackMapName; // the Utf8 "StackMapTable", when the method had none

    // The layout: one point per offset with edits or a switch, in offset order.
    private int npoints;
    private int[] px;       // the offset
    private int[] pBefore;  // new position of what is inserted before its label (after insertFirst's)
    private int[] pLabel;   // new position of its label
    private int[] pInsn;    // new position of its instruction (after what is inserted at it)
    private int[] pShift;   // new - old position of the offsets after it, up to the next point
    private int[] pEdits;   // its edits: order[pEdits[k] .. pEdits[k + 1])
    private int[] order;    // edit indices sorted by offset, kind, then order made
    private int[] editPos;  // new position of each edit's first byte
    private int newLength = -1;

    /**
     * Inserts code before everything at x, even what {@link #insertBefore} puts there (the
     * prologue check, an initializer's enter hook: ASM's {@code insns.insert}, at the head).
     */
    int insertFirst(int x, byte[] code) {
        return edit(x, FIRST, code);
    }

    /** Inserts code before the label at x: a branch to x skips it. Returns the edit's index. */
    int insertBefore(int x, byte[] code) {
        return edit(x, BEFORE, code);
    }

    /** Inserts code at the label at x: a branch to x runs it. Returns the edit's index. */
    int insertAt(int x, byte[] code) {
        return edit(x, AT, code);
    }

    /** Replaces the instruction at x (a call by a call: nothing may branch into it). */
    void replace(int x, byte[] code) {
        edit(x, REPLACE, code);
    }

    private int edit(int x, int kind, byte[] code) {
        if (nedits == editAt.length) {
            editAt = java.util.Arrays.copyOf(editAt, 2 * nedits);
            editKind = java.util.Arrays.copyOf(editKind, 2 * nedits);
            editCode = java.util.Arrays.copyOf(editCode, 2 * nedits);
        }
        editAt[nedits] = x;
        editKind[nedits] = (byte) kind;
        editCode[nedits] = code;
        newLength = -1;
        return nedits++;
    }

    // ---- branches into and out of inserted code (strip mining) ----

    /** Relocations: a 3-byte branch at byte off of edit e goes to a label (target >= 0) or edit (-1 - index). */
    private int[] relocEdit = new int[0], relocOff = new int[0], relocTarget = new int[0];
    private int nrelocs;
    /** Original branches sent elsewhere: the branch at offset from goes to the start of edit to. */
    private int[][] redirects = new int[0][]; // {from, edit}
    /** Original branches to header h from outside [lo, hi] go to the start of edit e instead. */
    private int[][] entries = new int[0][]; // {header, lo, hi, edit}
    private int minLocals;
    /** All frames, written in full (null: the original ones, moved). */
    private List<RawFrames.Frame> frames;

    /** The 3-byte branch at byte off of edit e jumps to the label at original offset target. */
    void branchToLabel(int e, int off, int target) {
        reloc(e, off, target);
    }

    /** The 3-byte branch at byte off of edit e jumps to the start of edit to. */
    void branchToEdit(int e, int off, int to) {
        reloc(e, off, -1 - to);
    }

    private void reloc(int e, int off, int target) {
        if (nrelocs == relocEdit.length) {
            int n = Math.max(4, 2 * nrelocs);
            relocEdit = java.util.Arrays.copyOf(relocEdit, n);
            relocOff = java.util.Arrays.copyOf(relocOff, n);
            relocTarget = java.util.Arrays.copyOf(relocTarget, n);
        }
        relocEdit[nrelocs] = e;
        relocOff[nrelocs] = off;
        relocTarget[nrelocs] = target;
        nrelocs++;
    }

    /** The original branch at offset from (a jump, not a switch) goes to the start of edit to. */
    void redirect(int from, int to) {
        redirects = row(redirects, from, to);
    }

    /** rows with one more row appended (a method has a handful of these at most). */
    private static int[][] row(int[][] rows, int... row) {
        int[][] r = java.util.Arrays.copyOf(rows, rows.length + 1);
        r[rows.length] = row;
        return r;
    }

    /** Branches to h from outside [lo, hi] (switches too) go to the start of edit e. */
    void enterAt(int h, int lo, int hi, int e) {
        entries = row(entries, h, lo, hi, e);
    }

    /** Handler ranges moved onto an edit ({@link #rangeEdge}). */
    private int[][] edges = new int[0][]; // {y, edit, starts (1) or not (0)}

    /**
     * Handler ranges that end at offset y end at the start of edit e instead (before the code
     * inserted there), and with starts, those that begin at y begin there too (Monitors.blocks).
     */
    void rangeEdge(int y, int e, boolean starts) {
        edges = row(edges, y, e, starts ? 1 : 0);
    }

    /** The new offset of a handler range's start (start true) or end at original offset y. */
    private int rangeLabel(int y, boolean start) {
        for (int[] g : edges) {
            if (g[0] == y && (!start || g[2] == 1)) {
                return editPos[g[1]];
            }
        }
        return newLabel(y);
    }

    /** Makes max_locals at least n. */
    void minLocals(int n) {
        minLocals = Math.max(minLocals, n);
    }

    /** The frames to write, all in full, instead of the original ones moved. */
    void setFrames(List<RawFrames.Frame> frames) {
        this.frames = frames;
    }

    /** The new position a branch at original offset x to original offset t lands on. */
    private int branchTarget(int x, int t) {
        for (int[] r : redirects) {
            if (r[0] == x) {
                return editPos[r[1]];
            }
        }
        for (int[] en : entries) {
            if (en[0] == t && (x < en[1] || x > en[2])) {
                return editPos[en[3]];
            }
        }
        return newLabel(t);
    }

    /** Makes max_stack at least n. */
    void minStack(int n) {
        minStack = Math.max(minStack, n);
    }

    /**
     * A catch-all handler after the code, over all of it (from after what
     * {@link #insertFirst} put at offset 0): the code inserted at {@link #codeLength()} is the handler. With
     * throwableClass (a Class constant, 0: no frames), the handler gets the frame
     * {@code locals [], stack [Throwable]}; stackMapName is the Utf8 "StackMapTable", for a
     * method that had no frames.
     */
    void catchAllAtEnd(int throwableClass, int stackMapName) {
        catchAllAtEnd = true;
        endFrameThrowable = throwableClass;
        newStackMapName = stackMapName;
    }

    /** Removes what {@link #insertFirst} put at x. */
    void clearFirst(int x) {
        int k = 0;
        for (int i = 0; i < nedits; i++) {
            if (editAt[i] != x || editKind[i] != FIRST) {
                editAt[k] = editAt[i];
                editKind[k] = editKind[i];
                editCode[k] = editCode[i];
                k++;
            }
        }
        nedits = k;
        newLength = -1;
    }

    boolean changed() {
        return catchAllAtEnd || nedits > 0;
    }

    /** Lays the new code out; returns its length. */
    int layout() {
        if (newLength >= 0) {
            return newLength;
        }
        long[] keys = new long[nedits];
        for (int i = 0; i < nedits; i++) {
            keys[i] = ((long) editAt[i] << 24) | ((long) editKind[i] << 20) | i;
        }
        java.util.Arrays.sort(keys);
        order = new int[nedits];
        editPos = new int[nedits];
        for (int i = 0; i < nedits; i++) {
            order[i] = (int) (keys[i] & 0xFFFFF);
        }
        int cap = nedits + nswitches + 1;
        px = new int[cap];
        pLabel = new int[cap];
        pBefore = new int[cap];
        pInsn = new int[cap];
        pShift = new int[cap];
        pEdits = new int[cap + 1];
        npoints = 0;
        int shift = 0;
        int e = 0, sw = 0;
        while (e < nedits || sw < nswitches) {
            int x = e < nedits ? editAt[order[e]] : Integer.MAX_VALUE;
            if (sw < nswitches && switches[sw] < x) {
                x = switches[sw];
            }
            if (sw < nswitches && switches[sw] == x) {
                sw++;
            }
            int k = npoints++;
            px[k] = x;
            pEdits[k] = e;
            int first = 0, before = 0, at = 0;
            byte[] repl = null;
            for (; e < nedits && editAt[order[e]] == x; e++) {
                int i = order[e];
                switch (editKind[i]) {
                    case FIRST -> first += editCode[i].length;
                    case BEFORE -> before += editCode[i].length;
                    case AT -> at += editCode[i].length;
                    default -> repl = editCode[i];
                }
            }
            pBefore[k] = x + shift + first;
            pLabel[k] = pBefore[k] + before;
            pInsn[k] = pLabel[k] + at;
            int fpos = x + shift, bpos = pBefore[k], apos = pLabel[k];
            for (int j = pEdits[k]; j < e; j++) {
                int i = order[j];
                if (editKind[i] == FIRST) {
                    editPos[i] = fpos;
                    fpos += editCode[i].length;
                } else if (editKind[i] == BEFORE) {
                    editPos[i] = bpos;
                    bpos += editCode[i].length;
                } else if (editKind[i] == AT) {
                    editPos[i] = apos;
                    apos += editCode[i].length;
                } else {
                    editPos[i] = pInsn[k];
                }
            }
            if (x < codeLength) {
                int oldLen = length(x, x);
                int newLen = repl != null ? repl.length : length(x, pInsn[k]);
                shift = pInsn[k] - x + newLen - oldLen;
            } else {
                shift = pInsn[k] - x;
            }
            pShift[k] = shift;
        }
        pEdits[npoints] = e;
        newLength = codeLength + shift;
        return newLength;
    }

    /**
     * The length of the patched code with each original instruction in its shortest form, as
     * ASM's writer gives it (CodeSize): {@code ldc_w} of a constant below 256 as {@code ldc},
     * a load or store of locals 0-3 in one byte, {@code wide} only where needed,
     * {@code goto_w} as {@code goto} (exact for code under 32 KB), switches padded from their
     * place there. The inserted code is in that form already. With duplicates, an
     * {@code ldc} of a constant the pool holds again past index 255 is an {@code ldc_w}, as
     * ASM's writer, whose table finds the last of equal constants, makes it.
     */
    int shortestLength(boolean duplicates) {
        layout();
        lowConstants = 0;
        byte[] b = rc.b;
        int pos = 0;
        int k = 0; // the next point
        for (int x = 0; x < codeLength; ) {
            int op = b[codeStart + x] & 0xFF;
            int ilen = LENGTH[op];
            if (ilen <= 0) {
                ilen = length(x, x);
            }
            byte[] repl = null;
            if (k < npoints && px[k] == x) {
                for (int e = pEdits[k]; e < pEdits[k + 1]; e++) {
                    int i = order[e];
                    if (editKind[i] == REPLACE) {
                        repl = editCode[i];
                    } else {
                        pos += editCode[i].length;
                    }
                }
                k++;
            }
            if (repl != null) {
                pos += repl.length;
            } else if (op == 18 || op == 19) { // ldc, ldc_w
                int c = op == 18 ? b[codeStart + x + 1] & 0xFF : operand(x);
                if (c >= 256) {
                    pos += 3;
                } else {
                    lowConstants++;
                    pos += duplicates && rc.repeatedPast255(c) ? 3 : 2;
                }
            } else if ((op >= 21 && op <= 25) || (op >= 54 && op <= 58)) { // xload, xstore
                pos += (b[codeStart + x + 1] & 0xFF) < 4 ? 1 : 2;
            } else if (op == 196) { // wide
                int var = operand(x + 1);
                if (opcode(x + 1) == 132) {
                    int inc = (short) rc.u2(codeStart + x + 4);
                    pos += var > 255 || inc != (byte) inc ? 6 : 3;
                } else {
                    pos += var < 4 && opcode(x + 1) != 169 ? 1 : var < 256 ? 2 : 4; // ret: no short form
                }
            } else if (op == 200) { // goto_w
                pos += 3;
            } else if (op == 170 || op == 171) {
                pos += length(x, pos);
            } else {
                pos += ilen;
            }
            x += ilen;
        }
        if (k < npoints && px[k] == codeLength) {
            for (int e = pEdits[k]; e < pEdits[k + 1]; e++) {
                pos += editCode[order[e]].length;
            }
        }
        return pos;
    }

    /** shortestLength's count of ldc and ldc_w of constants below 256 (duplicates may lengthen them). */
    int lowConstants;

    /** The last point at or before x, or -1. */
    private int point(int x) {
        int k = java.util.Arrays.binarySearch(px, 0, npoints, x);
        return k >= 0 ? k : -k - 2;
    }

    /** The new offset of the label at old offset x. */
    private int newLabel(int x) {
        if (x != codeLength && !isInsn(x)) {
            throw new RawClass.Unsupported("offset inside an instruction: " + x);
        }
        int k = point(x);
        return k >= 0 && px[k] == x ? pLabel[k] : x + (k >= 0 ? pShift[k] : 0);
    }

    /** The new offset of the instruction at old offset x. */
    private int newInsn(int x) {
        int k = point(x);
        return k >= 0 && px[k] == x ? pInsn[k] : x + (k >= 0 ? pShift[k] : 0);
    }

    /** The new Code attribute, whole (its name index and length included). */
    byte[] write() {
        int len = layout();
        if (len > 65535) {
            throw new RawClass.Unsupported("method too large");
        }
        ByteOut out = new ByteOut(6 + rc.u4(attr + 2) + len - codeLength + 64);
        out.write(rc.b, attr, 6); // name index, length (patched at the end)
        out.u2(Math.max(rc.u2(attr + 6), minStack));
        out.u2(Math.max(rc.u2(attr + 8), minLocals));
        out.u4(len);
        int k = 0; // the next point
        int run = 0; // start of the bytes not yet copied
        byte[] b = rc.b;
        for (int x = 0; x < codeLength; ) {
            int op = b[codeStart + x] & 0xFF;
            int ilen = LENGTH[op];
            if (ilen <= 0) {
                ilen = length(x, x);
            }
            boolean atPoint = k < npoints && px[k] == x;
            if (atPoint || (SPECIAL[op] && ((op >= 153 && op <= 167) || op >= 198 && op <= 200 || op == 170 || op == 171))) {
                out.write(rc.b, codeStart + run, x - run);
                byte[] repl = null;
                if (atPoint) {
                    for (int e = pEdits[k]; e < pEdits[k + 1]; e++) {
                        int i = order[e];
                        if (editKind[i] == REPLACE) {
                            repl = editCode[i];
                        } else {
                            writeEdit(out, i);
                        }
                    }
                    k++;
                }
                if (repl != null) {
                    out.bytes(repl);
                } else {
                    writeInsn(out, x, ilen);
                }
                run = x + ilen;
            }
            x += ilen;
        }
        out.write(rc.b, codeStart + run, codeLength - run);
        if (k < npoints && px[k] == codeLength) {
            for (int e = pEdits[k]; e < pEdits[k + 1]; e++) {
                writeEdit(out, order[e]);
            }
        }
        int p = codeStart + codeLength;
        int handlers = rc.u2(p);
        out.u2(handlers + (catchAllAtEnd ? 1 : 0));
        p += 2;
        for (int i = 0; i < handlers; i++, p += 8) {
            out.u2(rangeLabel(rc.u2(p), true));
            out.u2(rangeLabel(rc.u2(p + 2), false));
            out.u2(newLabel(rc.u2(p + 4)));
            out.u2(rc.u2(p + 6));
        }
        if (catchAllAtEnd) { // last: the method's own handlers come first; from after the enter hook
            int k0 = point(0);
            out.u2(k0 >= 0 && px[k0] == 0 ? pBefore[k0] : 0);
            out.u2(newLabel(codeLength));
            out.u2(newLabel(codeLength));
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
                        out.u2(newLabel(rc.u2(body + 2 + 4 * i)));
                        out.u2(rc.u2(body + 4 + 4 * i));
                    }
                }
                case "LocalVariableTable", "LocalVariableTypeTable" -> {
                    int n = rc.u2(body);
                    out.u2(n);
                    for (int i = 0; i < n; i++) {
                        int e = body + 2 + 10 * i;
                        int start = rc.u2(e), end = start + rc.u2(e + 2);
                        out.u2(newLabel(start));
                        out.u2(newLabel(end) - newLabel(start));
                        out.write(rc.b, e + 4, 6);
                    }
                }
                case "StackMapTable" -> {
                    if (frames != null) {
                        writeFullFrames(out);
                    } else {
                        writeFrames(out, body);
                    }
                }
                default -> throw new RawClass.Unsupported("code attribute " + name);
            }
            out.patch4(lenAt, out.size() - lenAt - 4);
            p = body + alen;
        }
        if (addFrames) {
            out.u2(newStackMapName);
            out.u4(2 + END_FRAME_BYTES);
            out.u2(1);
            endFrame(out, -1);
        }
        out.patch4(2, out.size() - 6);
        return out.toByteArray();
    }

    /** Edit i's code, its branches (relocations) pointed at their new targets. */
    private void writeEdit(ByteOut out, int i) {
        int start = out.size();
        out.bytes(editCode[i]);
        for (int r = 0; r < nrelocs; r++) {
            if (relocEdit[r] == i) {
                int t = relocTarget[r];
                int to = t >= 0 ? relocLabel(i, t) : editPos[-1 - t];
                int off = to - (editPos[i] + relocOff[r]);
                if (off != (short) off) {
                    throw new RawClass.Unsupported("branch out of range");
                }
                out.patch2(start + relocOff[r] + 1, off);
            }
        }
    }

    /**
     * Where a branch in edit i to the original label t lands: as for an original branch
     * (branchTarget), with the edit's place standing for the branch's: code inserted before
     * a header's label is outside that header's loop.
     */
    private int relocLabel(int i, int t) {
        int y = editAt[i];
        for (int[] en : entries) {
            boolean inside = editKind[i] <= BEFORE ? y > en[1] && y <= en[2] : y >= en[1] && y <= en[2];
            if (en[0] == t && !inside) {
                return editPos[en[3]];
            }
        }
        return newLabel(t);
    }

    /** A branch or switch at x, its offsets moved; any other instruction as it was. */
    private void writeInsn(ByteOut out, int x, int ilen) {
        int op = opcode(x);
        int s = codeStart + x;
        if ((op >= 153 && op <= 167) || op == 198 || op == 199) {
            int t = x + (short) rc.u2(s + 1);
            checkTarget(t);
            int off = branchTarget(x, t) - newInsn(x);
            if (off != (short) off) {
                throw new RawClass.Unsupported("branch out of range");
            }
            out.u1(op);
            out.u2(off);
        } else if (op == 200) {
            int t = x + rc.u4(s + 1);
            checkTarget(t);
            out.u1(op);
            out.u4(branchTarget(x, t) - newInsn(x));
        } else if (op == 170 || op == 171) {
            int pos = newInsn(x);
            out.u1(op);
            int pad = ((pos + 4) & ~3) - pos - 1;
            for (int i = 0; i < pad; i++) {
                out.u1(0);
            }
            int p = codeStart + ((x + 4) & ~3);
            out.u4(relabel(x, pos, rc.u4(p)));
            if (op == 170) {
                int lo = rc.u4(p + 4), hi = rc.u4(p + 8);
                out.u4(lo);
                out.u4(hi);
                for (int i = 0; i <= hi - lo; i++) {
                    out.u4(relabel(x, pos, rc.u4(p + 12 + 4 * i)));
                }
            } else {
                int n = rc.u4(p + 4);
                out.u4(n);
                for (int i = 0; i < n; i++) {
                    out.u4(rc.u4(p + 8 + 8 * i));
                    out.u4(relabel(x, pos, rc.u4(p + 12 + 8 * i)));
                }
            }
        } else {
            out.write(rc.b, s, ilen);
        }
    }

    /** A switch's relative target, moved (pos: the switch's new offset). */
    private int relabel(int x, int pos, int rel) {
        checkTarget(x + rel);
        return branchTarget(x, x + rel) - pos;
    }

    /** {@link #frames}, each as a full frame, in the order of their new offsets. */
    private void writeFullFrames(ByteOut out) {
        int n = frames.size();
        int[] pos = new int[n];
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            RawFrames.Frame f = frames.get(i);
            pos[i] = f.edit >= 0 ? editPos[f.edit] : newLabel(f.offset);
            // Insertion sort by position: the list is in order but for the few frames added.
            int j = i;
            while (j > 0 && pos[idx[j - 1]] > pos[i]) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = i;
        }
        out.u2(n + (endFrameThrowable != 0 ? 1 : 0));
        int now = -1;
        for (int i : idx) {
            RawFrames.Frame f = frames.get(i);
            if (pos[i] == now) {
                throw new RawClass.Unsupported("two frames at one offset");
            }
            out.u1(255);
            out.u2(pos[i] - now - 1);
            now = pos[i];
            fullTypes(out, f.locals);
            fullTypes(out, f.stack);
        }
        if (endFrameThrowable != 0) {
            endFrame(out, now);
        }
    }

    private void fullTypes(ByteOut out, int[] types) {
        out.u2(types.length);
        for (int t : types) {
            int tag = t & 0xFF;
            out.u1(tag);
            if (tag == RawFrames.OBJECT) {
                out.u2(t >>> 8);
            } else if (tag == RawFrames.UNINITIALIZED) {
                int x = t >>> 8;
                if (!isInsn(x) || opcode(x) != 187) {
                    throw new RawClass.Unsupported("uninitialized type not at a new");
                }
                out.u2(newInsn(x));
            }
        }
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

    private static final int END_FRAME_BYTES = 10;

    /** The catch-all handler's frame (END_FRAME_BYTES), after a frame at new offset now (-1: none). */
    private void endFrame(ByteOut out, int now) {
        out.u1(255);
        out.u2(newLabel(codeLength) - now - 1);
        out.u2(0);
        out.u2(1);
        out.u1(7);
        out.u2(endFrameThrowable);
    }

    private void writeFrames(ByteOut out, int body) {
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
            int nx = newLabel(x);
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
    private int types(ByteOut out, int p, int k) {
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
                out.u2(newInsn(x));
                p += 3;
            } else if (tag <= 6) {
                p += 1;
            } else {
                throw new RawClass.Unsupported("verification type " + tag);
            }
        }
        return p;
    }
}
