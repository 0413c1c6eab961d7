package dev.gort.agent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A class file read just far enough to patch its methods' code ({@link FastPath}): the
 * constant pool's entry offsets, the super class, each method's name, descriptor, flags and
 * Code attribute, and the BootstrapMethods attribute. Constants the patch needs are appended
 * to the pool (never deduplicated against the existing ones: an extra entry costs a few
 * bytes, a lookup table of every string would cost the decoding of all of them); the class
 * is written back with some Code attributes replaced and everything else copied as it was.
 *
 * <p>Anything this reader does not expect (a malformed file, a constant tag it does not
 * know) throws {@link Unsupported}, and the class goes to ASM instead.
 */
final class RawClass {
    /** Thrown for any class file the fast path leaves to ASM. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String why) {
            super(why, null, false, false);
        }
    }

    static final int UTF8 = 1, INTEGER = 3, FLOAT = 4, LONG = 5, DOUBLE = 6, CLASS = 7, STRING = 8,
            FIELDREF = 9, METHODREF = 10, INTERFACE_METHODREF = 11, NAME_AND_TYPE = 12, METHOD_HANDLE = 15,
            METHOD_TYPE = 16, DYNAMIC = 17, INVOKE_DYNAMIC = 18, MODULE = 19, PACKAGE = 20;

    /** One method: where its Code attribute is (-1: none). */
    static final class Method {
        int access;
        String name;
        String desc;
        /** Offset of the Code attribute's name index, and its total length (header included). */
        int codeAttr = -1;
        int codeAttrLength;
    }

    final byte[] b;
    final int major;
    /** Offset of each constant's tag (index 0 and the second slot of a long or double: 0). */
    private final int[] cp;
    private final int cpEnd;
    final int thisClass;
    final String superName;
    final List<Method> methods = new ArrayList<>();
    /** Offset of the BootstrapMethods attribute's info (after its length), or -1. */
    private int bootstrapMethods = -1;
    private final String[] strings;

    // Appended constants.
    private final ByteOut added = new ByteOut(64);
    private int nextIndex;
    private final Map<String, Integer> addedIndex = new HashMap<>();

    RawClass(byte[] b) {
        this.b = b;
        try {
            if (u4(0) != 0xCAFEBABE) {
                throw new Unsupported("not a class file");
            }
            major = u2(6);
            int count = u2(8);
            cp = new int[count];
            strings = new String[count];
            int p = 10;
            for (int i = 1; i < count; i++) {
                cp[i] = p;
                int tag = b[p] & 0xFF;
                switch (tag) {
                    case UTF8 -> p += 3 + (((b[p + 1] & 0xFF) << 8) | (b[p + 2] & 0xFF)); // inline: one call per constant shows at start-up
                    case INTEGER, FLOAT, FIELDREF, METHODREF, INTERFACE_METHODREF, NAME_AND_TYPE, DYNAMIC, INVOKE_DYNAMIC -> p += 5;
                    case LONG, DOUBLE -> {
                        p += 9;
                        i++;
                    }
                    case CLASS, STRING, METHOD_TYPE, MODULE, PACKAGE -> p += 3;
                    case METHOD_HANDLE -> p += 4;
                    default -> throw new Unsupported("constant tag " + tag);
                }
            }
            cpEnd = p;
            nextIndex = count;
            thisClass = u2(p + 2);
            int superIndex = u2(p + 4);
            superName = superIndex == 0 ? null : className(superIndex);
            p += 6;
            p += 2 + 2 * u2(p); // interfaces
            int fields = u2(p);
            p += 2;
            for (int i = 0; i < fields; i++) {
                p = skipAttributes(p + 6);
            }
            int nmethods = u2(p);
            int codeName = -1; // the Utf8 "Code", once found
            p += 2;
            for (int i = 0; i < nmethods; i++) {
                Method m = new Method();
                m.access = u2(p);
                m.name = utf8(u2(p + 2));
                m.desc = utf8(u2(p + 4));
                int attrs = u2(p + 6);
                p += 8;
                for (int a = 0; a < attrs; a++) {
                    int len = u4(p + 2);
                    int name = u2(p);
                    if (name == codeName || (codeName < 0 && utf8(name).equals("Code") && (codeName = name) > 0)) {
                        m.codeAttr = p;
                        m.codeAttrLength = 6 + len;
                    }
                    p += 6 + len;
                }
                methods.add(m);
            }
            int attrs = u2(p);
            p += 2;
            for (int a = 0; a < attrs; a++) {
                if (utf8(u2(p)).equals("BootstrapMethods")) {
                    bootstrapMethods = p + 6;
                }
                p += 6 + u4(p + 2);
            }
            if (p != b.length) {
                throw new Unsupported("trailing bytes");
            }
        } catch (IndexOutOfBoundsException e) {
            throw new Unsupported("truncated");
        }
    }

    private int skipAttributes(int p) {
        int attrs = u2(p);
        p += 2;
        for (int a = 0; a < attrs; a++) {
            p += 6 + u4(p + 2);
        }
        return p;
    }

    /** The constant pool's count (as read: what was appended is not in it). */
    int constants() {
        return cp.length;
    }

    int u1(int p) {
        return b[p] & 0xFF;
    }

    int u2(int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    int u4(int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    int tag(int index) {
        if (index <= 0 || index >= cp.length || cp[index] == 0) {
            throw new Unsupported("constant index " + index);
        }
        return u1(cp[index]);
    }

    /** Offset of constant index's contents (after its tag). */
    int at(int index) {
        tag(index);
        return cp[index] + 1;
    }

    /** The UTF-8 constant at index (modified UTF-8: the ASCII and common cases decode alike). */
    String utf8(int index) {
        String s = strings[index];
        if (s == null) {
            if (tag(index) != UTF8) {
                throw new Unsupported("not a Utf8 constant: " + index);
            }
            int p = cp[index];
            int len = u2(p + 1);
            boolean ascii = true;
            for (int i = 0; i < len; i++) {
                int c = b[p + 3 + i];
                if (c <= 0) { // a zero or a multi-byte sequence: modified UTF-8 differs from UTF-8 there
                    ascii = false;
                    break;
                }
            }
            if (!ascii) {
                throw new Unsupported("non-ASCII name");
            }
            s = new String(b, p + 3, len, StandardCharsets.ISO_8859_1);
            strings[index] = s;
        }
        return s;
    }

    /** The internal name of the Class constant at index. */
    String className(int index) {
        if (tag(index) != CLASS) {
            throw new Unsupported("not a Class constant: " + index);
        }
        return utf8(u2(cp[index] + 1));
    }

    /** {owner, name, descriptor} of the Methodref or InterfaceMethodref at index. */
    String[] memberRef(int index) {
        int t = tag(index);
        if (t != METHODREF && t != INTERFACE_METHODREF && t != FIELDREF) {
            throw new Unsupported("not a member reference: " + index);
        }
        int p = cp[index];
        int nat = u2(p + 3);
        if (tag(nat) != NAME_AND_TYPE) {
            throw new Unsupported("bad NameAndType: " + nat);
        }
        return new String[] {className(u2(p + 1)), utf8(u2(cp[nat] + 1)), utf8(u2(cp[nat] + 3))};
    }

    /**
     * The bootstrap method and arguments of the InvokeDynamic constant at index: the
     * constant indices {bsm handle, arg0, arg1, ...}.
     */
    int[] bootstrap(int indyIndex) {
        if (tag(indyIndex) != INVOKE_DYNAMIC || bootstrapMethods < 0) {
            throw new Unsupported("bad invokedynamic constant " + indyIndex);
        }
        int which = u2(cp[indyIndex] + 1);
        int p = bootstrapMethods + 2;
        if (which >= u2(bootstrapMethods)) {
            throw new Unsupported("bootstrap method " + which);
        }
        for (int i = 0; i < which; i++) {
            p += 4 + 2 * u2(p + 2);
        }
        int n = u2(p + 2);
        int[] r = new int[1 + n];
        r[0] = u2(p);
        for (int i = 0; i < n; i++) {
            r[1 + i] = u2(p + 4 + 2 * i);
        }
        return r;
    }

    /**
     * Whether constant c (one an ldc loads) is repeated at an index past 255: ASM's writer,
     * whose table finds the last of equal constants, then loads that one, with an ldc_w.
     */
    boolean repeatedPast255(int c) {
        int tag = tag(c);
        for (int j = Math.max(256, c + 1); j < cp.length; j++) {
            if (cp[j] != 0 && u1(cp[j]) == tag && sameConstant(tag, cp[c] + 1, cp[j] + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the constants (of tag) whose contents are at p and q are equal, as ASM compares them. */
    private boolean sameConstant(int tag, int p, int q) {
        switch (tag) {
            case INTEGER, FLOAT:
                return u4(p) == u4(q);
            case CLASS, STRING, METHOD_TYPE:
                return sameUtf8(u2(p), u2(q));
            case METHOD_HANDLE:
                return u1(p) == u1(q) && tag(u2(p + 1)) == tag(u2(q + 1))
                        && java.util.Arrays.equals(memberRef(u2(p + 1)), memberRef(u2(q + 1)));
            default:
                throw new Unsupported("ldc of constant tag " + tag); // a dynamic constant: the tree decides
        }
    }

    private boolean sameUtf8(int a, int b) {
        if (a == b) {
            return true;
        }
        if (tag(a) != UTF8 || tag(b) != UTF8) {
            throw new Unsupported("not a Utf8 constant");
        }
        int p = cp[a], q = cp[b], len = u2(p + 1);
        return len == u2(q + 1) && java.util.Arrays.equals(this.b, p + 3, p + 3 + len, this.b, q + 3, q + 3 + len);
    }

    // ---- appending constants ----

    int addUtf8(String s) {
        Integer i = addedIndex.get("U" + s);
        if (i != null) {
            return i;
        }
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        added.u1(UTF8);
        write2(bytes.length);
        added.write(bytes, 0, bytes.length);
        return added("U" + s);
    }

    int addClass(String internalName) {
        Integer i = addedIndex.get("C" + internalName);
        if (i != null) {
            return i;
        }
        int name = addUtf8(internalName);
        added.u1(CLASS);
        write2(name);
        return added("C" + internalName);
    }

    /** A Methodref (not an interface's) to owner.name desc. */
    int addMethodref(String owner, String name, String desc) {
        String key = "M" + owner + "." + name + desc;
        Integer i = addedIndex.get(key);
        if (i != null) {
            return i;
        }
        int c = addClass(owner);
        int n = addUtf8(name);
        int d = addUtf8(desc);
        added.u1(NAME_AND_TYPE);
        write2(n);
        write2(d);
        int nat = added("N" + key);
        added.u1(METHODREF);
        write2(c);
        write2(nat);
        return added(key);
    }

    /** A Long constant (two pool slots). */
    int addLong(long v) {
        String key = "J" + v;
        Integer i = addedIndex.get(key);
        if (i != null) {
            return i;
        }
        added.u1(LONG);
        for (int shift = 56; shift >= 0; shift -= 8) {
            added.u1((int) (v >>> shift));
        }
        int index = added(key);
        nextIndex++; // the second slot
        return index;
    }

    /** Records the constant just written under key; returns its index. */
    private int added(String key) {
        if (nextIndex >= 0xFFFE) {
            throw new Unsupported("constant pool full");
        }
        addedIndex.put(key, nextIndex);
        return nextIndex++;
    }

    private void write2(int v) {
        added.u2(v);
    }

    /**
     * The class with the Code attributes of the methods in {@code codes} replaced by the
     * given attributes (each a whole attribute, name index and length included).
     */
    byte[] write(Map<Method, byte[]> codes) {
        ByteOut out = new ByteOut(b.length + added.size() + 64 * codes.size());
        out.write(b, 0, 8);
        out.u2(nextIndex);
        out.write(b, 10, cpEnd - 10);
        byte[] extra = added.toByteArray();
        out.write(extra, 0, extra.length);
        int p = cpEnd;
        for (Method m : methods) {
            byte[] code = codes.get(m);
            if (code != null) {
                out.write(b, p, m.codeAttr - p);
                out.write(code, 0, code.length);
                p = m.codeAttr + m.codeAttrLength;
            }
        }
        out.write(b, p, b.length - p);
        return out.toByteArray();
    }
}
