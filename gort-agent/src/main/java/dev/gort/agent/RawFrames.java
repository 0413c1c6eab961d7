package dev.gort.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * A method's stack map frames decoded in full, for the fast path's strip mining
 * ({@link FastPath}), which changes the locals of some frames and adds others: a frame
 * in the class file is mostly a difference from the one before it, so changing one means
 * writing them all again (as full frames, which need no predecessor).
 *
 * <p>A verification type is an int: its tag in the low byte and, for an object (7) or an
 * uninitialized value (8), its constant index or {@code new} offset above it. A long or a
 * double is one entry standing for two slots, as in the class file.
 */
final class RawFrames {
    private RawFrames() {}

    static final int TOP = 0, INTEGER = 1, LONG = 4, DOUBLE = 3, FLOAT = 2, NULL = 5, UNINITIALIZED_THIS = 6,
            OBJECT = 7, UNINITIALIZED = 8;

    /** One frame: at an offset of the original code, or at the start of an inserted piece. */
    static final class Frame {
        /** Offset in the original code, or -1 for a frame at the start of edit {@link #edit}. */
        int offset;
        int edit = -1;
        int[] locals;
        int[] stack;

        Frame(int offset, int[] locals, int[] stack) {
            this.offset = offset;
            this.locals = locals;
            this.stack = stack;
        }

        Frame copy() {
            Frame f = new Frame(offset, locals.clone(), stack.clone());
            f.edit = edit;
            return f;
        }

        /** Locals from slot on become types, padded with TOP before (Frames.setLocals). */
        void setLocals(int slot, int... types) {
            int[] kept = new int[locals.length + slot + types.length];
            int n = 0, slots = 0;
            for (int t : locals) {
                int size = t == LONG || t == DOUBLE ? 2 : 1;
                if (slots + size > slot) {
                    break;
                }
                kept[n++] = t;
                slots += size;
            }
            while (slots < slot) {
                kept[n++] = TOP;
                slots++;
            }
            for (int t : types) {
                kept[n++] = t;
            }
            locals = java.util.Arrays.copyOf(kept, n);
        }
    }

    /** The frame at a method's entry, from its descriptor (Frames.initial). */
    static int[] initial(RawClass rc, RawClass.Method m) {
        List<Integer> l = new ArrayList<>();
        if ((m.access & 0x0008) == 0) {
            boolean init = m.name.equals("<init>") && !rc.className(rc.thisClass).equals("java/lang/Object");
            l.add(init ? UNINITIALIZED_THIS : OBJECT | rc.thisClass << 8);
        }
        String d = m.desc;
        int i = 1;
        while (d.charAt(i) != ')') {
            char c = d.charAt(i);
            switch (c) {
                case 'Z', 'B', 'C', 'S', 'I' -> {
                    l.add(INTEGER);
                    i++;
                }
                case 'F' -> {
                    l.add(FLOAT);
                    i++;
                }
                case 'J' -> {
                    l.add(LONG);
                    i++;
                }
                case 'D' -> {
                    l.add(DOUBLE);
                    i++;
                }
                case 'L', '[' -> {
                    int start = i;
                    while (d.charAt(i) == '[') {
                        i++;
                    }
                    if (d.charAt(i) == 'L') {
                        i = d.indexOf(';', i);
                    }
                    i++;
                    String name = d.charAt(start) == 'L' ? d.substring(start + 1, i - 1) : d.substring(start, i);
                    l.add(OBJECT | rc.addClass(name) << 8);
                }
                default -> throw new RawClass.Unsupported("descriptor " + d);
            }
        }
        int[] r = new int[l.size()];
        for (int k = 0; k < r.length; k++) {
            r[k] = l.get(k);
        }
        return r;
    }

    /** The StackMapTable at body (after its length), decoded from the entry frame. */
    static List<Frame> decode(RawClass rc, int body, int[] entryLocals) {
        int n = rc.u2(body);
        List<Frame> frames = new ArrayList<>(n);
        int p = body + 2;
        int x = -1;
        int[] locals = entryLocals;
        for (int i = 0; i < n; i++) {
            int type = rc.u1(p);
            int[] stack = new int[0];
            int delta;
            if (type < 64) {
                delta = type;
                p += 1;
            } else if (type < 128) {
                delta = type - 64;
                stack = new int[1];
                p = read(rc, p + 1, stack, 0, 1);
            } else if (type < 247) {
                throw new RawClass.Unsupported("frame type " + type);
            } else {
                delta = rc.u2(p + 1);
                p += 3;
                if (type == 247) {
                    stack = new int[1];
                    p = read(rc, p, stack, 0, 1);
                } else if (type <= 250) {
                    int chop = 251 - type;
                    if (chop > locals.length) {
                        throw new RawClass.Unsupported("chop past the locals");
                    }
                    locals = java.util.Arrays.copyOf(locals, locals.length - chop);
                } else if (type <= 254) {
                    int k = type - 251;
                    int[] more = java.util.Arrays.copyOf(locals, locals.length + k);
                    p = read(rc, p, more, locals.length, k);
                    locals = more;
                } else {
                    locals = new int[rc.u2(p)];
                    p = read(rc, p + 2, locals, 0, locals.length);
                    stack = new int[rc.u2(p)];
                    p = read(rc, p + 2, stack, 0, stack.length);
                }
            }
            x += delta + 1;
            frames.add(new Frame(x, locals, stack));
        }
        return frames;
    }

    private static int read(RawClass rc, int p, int[] into, int from, int k) {
        for (int i = 0; i < k; i++) {
            int tag = rc.u1(p);
            if (tag >= 7) {
                into[from + i] = tag | rc.u2(p + 1) << 8;
                p += 3;
            } else {
                into[from + i] = tag;
                p += 1;
            }
        }
        return p;
    }
}
