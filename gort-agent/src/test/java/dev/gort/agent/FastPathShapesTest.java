package dev.gort.agent;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.lang.reflect.Method;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast path against the tree on class shapes that javac-compiled H2, Groovy and the JDK
 * may not hold (FastPathTest compares those): generated with ASM, or patched into forms
 * other compilers write. Each result the fast path gives is the tree's (ASM's text), and
 * is loaded and run, with the original's answers.
 */
class FastPathShapesTest implements Opcodes {
    private static final Instrumenter TREE = new Instrumenter(Options.parse(""), false, false);
    private static final FastPath FAST = new FastPath(new CallSites(true), true, true);

    /** The fast path takes b, with the tree's result; returns the fast path's (b if unchanged). */
    static byte[] same(byte[] b) {
        byte[] f = FAST.transform(b, false);
        assertNotSame(FastPath.NOT_HANDLED, f, "left to the tree");
        byte[] t = TREE.transform(b, false);
        String ft = FastPathTest.text(f != null ? f : b), tt = FastPathTest.text(t != null ? t : b);
        assertEquals(tt, ft, () -> FastPathTest.firstDifference(ft, tt));
        if (f == null) {
            return b;
        }
        assertNull(FastPathTest.lengths(f));
        Fixtures.verifyStructure(f);
        return f;
    }

    /** Either the fast path leaves b to the tree, or it gives the tree's result. */
    static byte[] sameOrLeft(byte[] b) {
        byte[] f = FAST.transform(b, false);
        return f == FastPath.NOT_HANDLED ? TREE.transform(b, false) : same(b);
    }

    /** A class of that version, its methods written by body (frames computed from version 50). */
    static byte[] cls(int version, String name, Consumer<ClassWriter> body) {
        return cls(version, name, version >= V1_6, body);
    }

    static byte[] cls(int version, String name, boolean frames, Consumer<ClassWriter> body) {
        ClassWriter cw = new ClassWriter(frames ? ClassWriter.COMPUTE_FRAMES : ClassWriter.COMPUTE_MAXS);
        cw.visit(version, ACC_PUBLIC | ACC_SUPER, name, null, "java/lang/Object", null);
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        body.accept(cw);
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** The class defined alone in a loader of its own (the hooks come from the test's class path). */
    static Class<?> define(byte[] b) {
        String name = new org.objectweb.asm.ClassReader(b).getClassName().replace('/', '.');
        return new ClassLoader(FastPathShapesTest.class.getClassLoader()) {
            Class<?> c = defineClass(name, b, 0, b.length);
        }.c;
    }

    /** Static method name of class b, called with args. */
    static Object call(byte[] b, String name, Object... args) throws ReflectiveOperationException {
        Class<?> c = define(b);
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name)) {
                m.setAccessible(true);
                return m.invoke(null, args);
            }
        }
        throw new NoSuchMethodException(name);
    }

    /** Runs name in the original and in the fast path's result: the same answer. */
    static void sameAnswer(byte[] original, byte[] fast, String name, Object... args) throws ReflectiveOperationException {
        assertEquals(call(original, name, args), call(fast, name, args), name);
    }

    /** {@code static int name(int n)}: the strip-minable {@code for (i = 0; i < n; i++) sum += i}. */
    static void countedLoop(ClassWriter cw, String name) {
        MethodVisitor mv = cw.visitMethod(ACC_STATIC, name, "(I)I", null, null);
        mv.visitCode();
        Label h = new Label(), x = new Label();
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 1);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 2);
        mv.visitLabel(h);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitVarInsn(ILOAD, 0);
        mv.visitJumpInsn(IF_ICMPGE, x);
        mv.visitIincInsn(1, 3);
        mv.visitIincInsn(2, 1);
        mv.visitJumpInsn(GOTO, h);
        mv.visitLabel(x);
        mv.visitVarInsn(ILOAD, 1);
        mv.visitInsn(IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    // ---- shapes ----

    @Test
    void aCountedLoopIsStripMined() throws Exception {
        byte[] b = cls(V17, "S0", cw -> countedLoop(cw, "sum"));
        byte[] f = same(b);
        assertTrue(Fixtures.count(f, "sum", n -> n instanceof org.objectweb.asm.tree.MethodInsnNode m && m.name.equals("min")) == 2);
        sameAnswer(b, f, "sum", 10_000);
    }

    /** do { r += new Integer(f ? 1 : 2).intValue(); } while (--n > 0): the loop's header is a new that frames name. */
    @Test
    void loopHeaderAtANew() throws Exception {
        byte[] b = cls(V17, "S1", cw -> {
            MethodVisitor mv = cw.visitMethod(ACC_STATIC, "run", "(IZ)I", null, null);
            mv.visitCode();
            Label h = new Label(), a = new Label(), c = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 2);
            mv.visitLabel(h);
            mv.visitTypeInsn(NEW, "java/lang/Integer");
            mv.visitInsn(DUP);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitJumpInsn(IFEQ, a);
            mv.visitInsn(ICONST_1);
            mv.visitJumpInsn(GOTO, c);
            mv.visitLabel(a);
            mv.visitInsn(ICONST_2);
            mv.visitLabel(c);
            mv.visitMethodInsn(INVOKESPECIAL, "java/lang/Integer", "<init>", "(I)V", false);
            mv.visitMethodInsn(INVOKEVIRTUAL, "java/lang/Integer", "intValue", "()I", false);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitInsn(IADD);
            mv.visitVarInsn(ISTORE, 2);
            mv.visitIincInsn(0, -1);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitJumpInsn(IFGT, h);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
        byte[] f = same(b);
        sameAnswer(b, f, "run", 5, true);
        byte[] t = TREE.transform(b, false);
        sameAnswer(b, t, "run", 5, false);
    }

    /** A static initializer flagged synchronized (the JVM ignores the flag). */
    @Test
    void synchronizedStaticInitializer() throws Exception {
        byte[] b = cls(V17, "S2", cw -> {
            cw.visitField(ACC_STATIC, "v", "I", null, null);
            MethodVisitor mv = cw.visitMethod(ACC_STATIC | ACC_SYNCHRONIZED, "<clinit>", "()V", null, null);
            mv.visitCode();
            mv.visitLdcInsn(7);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Integer", "valueOf", "(I)Ljava/lang/Integer;", false);
            mv.visitMethodInsn(INVOKEVIRTUAL, "java/lang/Integer", "intValue", "()I", false);
            mv.visitFieldInsn(PUTSTATIC, "S2", "v", "I");
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
        sameOrLeft(b);
    }

    /** Loops whose header is the first instruction: strip-minable and not, with and without a prologue. */
    @Test
    void loopHeaderAtOffsetZero() throws Exception {
        byte[] b = cls(V17, "S3", cw -> {
            // static int strip(int i, int n) { for (; i < n; i++) Math.abs(i); return i; } with the header at 0
            MethodVisitor mv = cw.visitMethod(ACC_STATIC, "strip", "(II)I", null, null);
            mv.visitCode();
            Label h = new Label(), x = new Label();
            mv.visitLabel(h);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitJumpInsn(IF_ICMPGE, x);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "abs", "(I)I", false);
            mv.visitInsn(POP);
            mv.visitIincInsn(0, 1);
            mv.visitJumpInsn(GOTO, h);
            mv.visitLabel(x);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            // static int down(int n) { do n--; while (n > 0) ... } with a call beyond the JDK, header at 0
            mv = cw.visitMethod(ACC_STATIC, "down", "(I)I", null, null);
            mv.visitCode();
            Label d = new Label();
            mv.visitLabel(d);
            mv.visitIincInsn(0, -1);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitMethodInsn(INVOKESTATIC, "S3", "id", "(I)I", false);
            mv.visitJumpInsn(IFGT, d);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            mv = cw.visitMethod(ACC_STATIC, "id", "(I)I", null, null);
            mv.visitCode();
            mv.visitVarInsn(ILOAD, 0);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            // synchronized, header at 0
            mv = cw.visitMethod(ACC_STATIC | ACC_SYNCHRONIZED, "syncStrip", "(II)I", null, null);
            mv.visitCode();
            Label sh = new Label(), sx = new Label();
            mv.visitLabel(sh);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitJumpInsn(IF_ICMPGE, sx);
            mv.visitIincInsn(0, 2);
            mv.visitJumpInsn(GOTO, sh);
            mv.visitLabel(sx);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
        byte[] f = same(b);
        sameAnswer(b, f, "strip", 3, 10_000);
        sameAnswer(b, f, "down", 100);
        sameAnswer(b, f, "syncStrip", 1, 100_001);
    }

    /** Two counted loops, the first's exit the second's header; then a loop nested in a loop. */
    @Test
    void consecutiveAndNestedLoops() throws Exception {
        byte[] b = cls(V17, "S4", cw -> {
            MethodVisitor mv = cw.visitMethod(ACC_STATIC, "two", "(I)I", null, null);
            mv.visitCode();
            Label h1 = new Label(), h2 = new Label(), x = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 1);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 2);
            mv.visitLabel(h1);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitJumpInsn(IF_ICMPGE, h2);
            mv.visitIincInsn(2, 1);
            mv.visitIincInsn(1, 1);
            mv.visitJumpInsn(GOTO, h1);
            mv.visitLabel(h2); // loop 2 reuses i: i from n to 2n
            mv.visitVarInsn(ILOAD, 1);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitInsn(ICONST_2);
            mv.visitInsn(IMUL);
            mv.visitJumpInsn(IF_ICMPGT, x);
            mv.visitIincInsn(2, 3);
            mv.visitIincInsn(1, 1);
            mv.visitJumpInsn(GOTO, h2);
            mv.visitLabel(x);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();

            mv = cw.visitMethod(ACC_STATIC, "nested", "(I)I", null, null);
            mv.visitCode();
            Label oh = new Label(), ox = new Label(), ih = new Label(), ix = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 1); // sum
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 2); // i
            mv.visitLabel(oh);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitJumpInsn(IF_ICMPGE, ox);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 3); // j
            mv.visitLabel(ih);
            mv.visitVarInsn(ILOAD, 3);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitJumpInsn(IF_ICMPGT, ix);
            mv.visitIincInsn(1, 1);
            mv.visitIincInsn(3, 1);
            mv.visitJumpInsn(GOTO, ih);
            mv.visitLabel(ix);
            mv.visitIincInsn(2, 1);
            mv.visitJumpInsn(GOTO, oh);
            mv.visitLabel(ox);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
        byte[] f = same(b);
        sameAnswer(b, f, "two", 10_000);
        sameAnswer(b, f, "nested", 300);
    }

    /** Switches after insertions of each length mod 4 (their padding changes), one of them a loop's back-edge. */
    @Test
    void switchesMoved() throws Exception {
        for (int nops = 0; nops < 4; nops++) {
            int k = nops;
            byte[] b = cls(V17, "S5", cw -> {
                MethodVisitor mv = cw.visitMethod(ACC_STATIC, "sw", "(I)I", null, null);
                mv.visitCode();
                Label h = new Label(), c0 = new Label(), c1 = new Label(), c2 = new Label(), d = new Label(),
                        l0 = new Label(), l1 = new Label(), ld = new Label(), x = new Label();
                mv.visitInsn(ICONST_0);
                mv.visitVarInsn(ISTORE, 1);
                mv.visitLabel(h); // loop: r += i % 3 via tableswitch, the back-edge in the switch
                for (int i = 0; i < k; i++) {
                    mv.visitInsn(NOP);
                }
                mv.visitIincInsn(0, -1);
                mv.visitVarInsn(ILOAD, 0);
                mv.visitJumpInsn(IFLT, x);
                mv.visitVarInsn(ILOAD, 0);
                mv.visitInsn(ICONST_3);
                mv.visitInsn(IREM);
                mv.visitTableSwitchInsn(0, 2, d, c0, c1, c2);
                mv.visitLabel(c0);
                mv.visitIincInsn(1, 1);
                mv.visitVarInsn(ILOAD, 0);
                mv.visitLookupSwitchInsn(h, new int[] {5, 1000}, new Label[] {l0, l1});
                mv.visitLabel(l0);
                mv.visitIincInsn(1, 100);
                mv.visitJumpInsn(GOTO, h);
                mv.visitLabel(l1);
                mv.visitIincInsn(1, 1000);
                mv.visitJumpInsn(GOTO, h);
                mv.visitLabel(c1);
                mv.visitIincInsn(1, 10);
                mv.visitVarInsn(ILOAD, 1);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "abs", "(I)I", false);
                mv.visitInsn(POP);
                mv.visitJumpInsn(GOTO, h);
                mv.visitLabel(c2);
                mv.visitLabel(d);
                mv.visitIincInsn(1, 3);
                mv.visitVarInsn(ILOAD, 1);
                mv.visitInsn(ICONST_1);
                mv.visitInsn(IAND);
                mv.visitTableSwitchInsn(0, 0, h, ld);
                mv.visitLabel(ld);
                mv.visitJumpInsn(GOTO, h);
                mv.visitLabel(x);
                mv.visitVarInsn(ILOAD, 1);
                mv.visitInsn(IRETURN);
                mv.visitMaxs(0, 0);
                mv.visitEnd();
            });
            byte[] f = same(b);
            sameAnswer(b, f, "sw", 2000);
        }
    }

    /** Locals past 255: a counted loop on local 300 (wide iload, iinc), and a wide iinc by 1000. */
    @Test
    void wideLocals() throws Exception {
        byte[] b = cls(V17, "S6", cw -> {
            MethodVisitor mv = cw.visitMethod(ACC_STATIC, "wide", "(I)I", null, null);
            mv.visitCode();
            Label h = new Label(), x = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 299);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 300);
            mv.visitLabel(h);
            mv.visitVarInsn(ILOAD, 300);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitJumpInsn(IF_ICMPGE, x);
            mv.visitIincInsn(299, 1000);
            mv.visitIincInsn(300, 1);
            mv.visitJumpInsn(GOTO, h);
            mv.visitLabel(x);
            mv.visitVarInsn(ILOAD, 299);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            // a strip by 300 (wide iinc as the update)
            mv = cw.visitMethod(ACC_STATIC, "step", "(I)I", null, null);
            mv.visitCode();
            Label h2 = new Label(), x2 = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 1);
            mv.visitLabel(h2);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitJumpInsn(IF_ICMPGE, x2);
            mv.visitIincInsn(1, 300);
            mv.visitJumpInsn(GOTO, h2);
            mv.visitLabel(x2);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
        byte[] f = same(b);
        sameAnswer(b, f, "wide", 10_000);
        sameAnswer(b, f, "step", 100_000);
    }

    /**
     * Methods near 32 KB: a back-edge and a forward branch whose offsets the inserted checks
     * push past 16 bits. The fast path leaves them to the tree, or gives the tree's result.
     */
    @Test
    void branchesPushedOutOfRange() throws Exception {
        for (int extra = -8; extra <= 0; extra++) { // past 0, ASM cannot write the original
            int body = (32767 - 20) / 3 + extra; // iinc's of 3 bytes
            for (boolean counted : new boolean[] {false, true}) {
                byte[] b = cls(V17, "S7", cw -> {
                    MethodVisitor mv = cw.visitMethod(ACC_STATIC, "big", "(I)I", null, null);
                    mv.visitCode();
                    Label h = new Label(), x = new Label(), skip = new Label();
                    mv.visitInsn(ICONST_0);
                    mv.visitVarInsn(ISTORE, 1);
                    mv.visitInsn(ICONST_0);
                    mv.visitVarInsn(ISTORE, 2);
                    mv.visitVarInsn(ILOAD, 0);
                    mv.visitJumpInsn(IFLT, skip); // forward over the loop
                    mv.visitLabel(h);
                    mv.visitVarInsn(ILOAD, 2);
                    mv.visitVarInsn(ILOAD, 0);
                    mv.visitJumpInsn(IF_ICMPGE, x);
                    for (int i = 0; i < body; i++) {
                        mv.visitIincInsn(1, 1);
                    }
                    if (!counted) {
                        mv.visitVarInsn(ILOAD, 1);
                        mv.visitMethodInsn(INVOKESTATIC, "S7", "id", "(I)I", false); // not strip-mined
                        mv.visitInsn(POP);
                    }
                    mv.visitIincInsn(2, 1);
                    mv.visitJumpInsn(GOTO, h);
                    mv.visitLabel(x);
                    mv.visitLabel(skip);
                    mv.visitVarInsn(ILOAD, 1);
                    mv.visitInsn(IRETURN);
                    mv.visitMaxs(0, 0);
                    mv.visitEnd();
                    mv = cw.visitMethod(ACC_STATIC, "id", "(I)I", null, null);
                    mv.visitCode();
                    mv.visitVarInsn(ILOAD, 0);
                    mv.visitInsn(IRETURN);
                    mv.visitMaxs(0, 0);
                    mv.visitEnd();
                });
                byte[] f = FAST.transform(b, false);
                if (f != FastPath.NOT_HANDLED) {
                    same(b);
                    sameAnswer(b, f, "big", 3);
                }
            }
        }
    }

    /** Constructors with a loop before super(): the frames hold uninitializedThis. */
    @Test
    void constructorLoopsBeforeSuper() throws Exception {
        byte[] b = cls(V17, "S8", cw -> {
            cw.visitField(ACC_PUBLIC, "v", "I", null, null);
            MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", "(I)V", null, null);
            mv.visitCode();
            Label h = new Label(), x = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 2);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 3);
            mv.visitLabel(h);
            mv.visitVarInsn(ILOAD, 3);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitJumpInsn(IF_ICMPGE, x);
            mv.visitIincInsn(2, 2);
            mv.visitIincInsn(3, 1);
            mv.visitJumpInsn(GOTO, h);
            mv.visitLabel(x);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
            // a second loop, with a call (a header check), after super()
            Label h2 = new Label(), x2 = new Label();
            mv.visitLabel(h2);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitJumpInsn(IFLE, x2);
            mv.visitIincInsn(1, -1);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Integer", "valueOf", "(I)Ljava/lang/Integer;", false);
            mv.visitInsn(POP);
            mv.visitJumpInsn(GOTO, h2);
            mv.visitLabel(x2);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitFieldInsn(PUTFIELD, "S8", "v", "I");
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            // static int make(int n) { return new S8(new S8(n).v ...) } with a loop between new and <init>
            mv = cw.visitMethod(ACC_STATIC, "make", "(I)I", null, null);
            mv.visitCode();
            Label lh = new Label(), lx = new Label();
            mv.visitTypeInsn(NEW, "S8");
            mv.visitInsn(DUP);
            mv.visitLabel(lh); // a loop with uninitialized values on the stack
            mv.visitIincInsn(0, -1);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitIntInsn(BIPUSH, 10);
            mv.visitJumpInsn(IF_ICMPGT, lh);
            mv.visitLabel(lx);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitMethodInsn(INVOKESPECIAL, "S8", "<init>", "(I)V", false);
            mv.visitFieldInsn(GETFIELD, "S8", "v", "I");
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
        byte[] f = same(b);
        sameAnswer(b, f, "make", 5000);
    }

    /** Synchronized methods and blocks with loops; a block whose first instruction is a loop's header. */
    @Test
    void monitorsAndLoops() throws Exception {
        byte[] b = cls(V17, "S9", cw -> {
            MethodVisitor mv = cw.visitMethod(ACC_STATIC | ACC_SYNCHRONIZED, "sync", "(I)I", null, null);
            mv.visitCode();
            Label h = new Label(), x = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 1);
            mv.visitLabel(h);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitJumpInsn(IF_ICMPGE, x);
            mv.visitIincInsn(1, 1);
            mv.visitJumpInsn(GOTO, h);
            mv.visitLabel(x);
            mv.visitIincInsn(0, -1000);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitJumpInsn(IFGT, h); // a second back-edge: not strip-mined, a header check
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();

            // static int block(Object o, int i, int n) { synchronized (o) { while (i < n) i++; } return i; }
            mv = cw.visitMethod(ACC_STATIC, "block", "(Ljava/lang/Object;II)I", null, null);
            mv.visitCode();
            Label s = new Label(), e = new Label(), hd = new Label(), he = new Label(), out = new Label(),
                    lh = new Label(), lx = new Label();
            mv.visitTryCatchBlock(s, e, hd, null);
            mv.visitTryCatchBlock(hd, he, hd, null);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitInsn(DUP);
            mv.visitVarInsn(ASTORE, 3);
            mv.visitInsn(MONITORENTER);
            mv.visitLabel(s);
            mv.visitLabel(lh);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitJumpInsn(IF_ICMPGE, lx);
            mv.visitIincInsn(1, 1);
            mv.visitJumpInsn(GOTO, lh);
            mv.visitLabel(lx);
            mv.visitVarInsn(ALOAD, 3);
            mv.visitInsn(MONITOREXIT);
            mv.visitLabel(e);
            mv.visitJumpInsn(GOTO, out);
            mv.visitLabel(hd);
            mv.visitVarInsn(ASTORE, 4);
            mv.visitVarInsn(ALOAD, 3);
            mv.visitInsn(MONITOREXIT);
            mv.visitLabel(he);
            mv.visitVarInsn(ALOAD, 4);
            mv.visitInsn(ATHROW);
            mv.visitLabel(out);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();

            // static initializer with a counted loop and a synchronized block
            cw.visitField(ACC_STATIC, "v", "I", null, null);
            mv = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
            mv.visitCode();
            mv.visitLdcInsn("lock");
            mv.visitLdcInsn(5000);
            mv.visitLdcInsn(100_000);
            mv.visitMethodInsn(INVOKESTATIC, "S9", "block", "(Ljava/lang/Object;II)I", false);
            mv.visitFieldInsn(PUTSTATIC, "S9", "v", "I");
            Label ch = new Label(), cx = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 0);
            mv.visitLabel(ch);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitFieldInsn(GETSTATIC, "S9", "v", "I");
            mv.visitJumpInsn(IF_ICMPGE, cx);
            mv.visitIincInsn(0, 1);
            mv.visitJumpInsn(GOTO, ch);
            mv.visitLabel(cx);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitFieldInsn(PUTSTATIC, "S9", "v", "I");
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();

            mv = cw.visitMethod(ACC_STATIC, "v", "()I", null, null);
            mv.visitCode();
            mv.visitFieldInsn(GETSTATIC, "S9", "v", "I");
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
        byte[] f = same(b);
        sameAnswer(b, f, "sync", 50_000);
        sameAnswer(b, f, "block", new Object(), 3, 100_000);
        sameAnswer(b, f, "v");
    }

    /** Small methods named as the hooks they get (the inlining rule asks whether a method calls its own name). */
    @Test
    void methodsNamedAsHooks() throws Exception {
        byte[] b = cls(V17, "S10", cw -> {
            for (String name : new String[] {"check", "min", "monitorEntered", "monitorExited", "currentThread", "enter"}) {
                MethodVisitor mv = cw.visitMethod(ACC_STATIC, name, "(Ljava/lang/Object;I)I", null, null);
                mv.visitCode();
                mv.visitVarInsn(ALOAD, 0);
                mv.visitInsn(MONITORENTER);
                mv.visitVarInsn(ALOAD, 0);
                mv.visitInsn(MONITOREXIT);
                mv.visitInsn(ICONST_0);
                mv.visitVarInsn(ISTORE, 2);
                Label h = new Label(), x = new Label();
                mv.visitLabel(h);
                mv.visitVarInsn(ILOAD, 2);
                mv.visitVarInsn(ILOAD, 1);
                mv.visitJumpInsn(IF_ICMPGE, x);
                mv.visitIincInsn(2, 1);
                mv.visitJumpInsn(GOTO, h);
                mv.visitLabel(x);
                mv.visitVarInsn(ILOAD, 2);
                mv.visitInsn(IRETURN);
                mv.visitMaxs(0, 0);
                mv.visitEnd();
                // and a loop-free caller of the same name
                mv = cw.visitMethod(ACC_STATIC, name, "()V", null, null);
                mv.visitCode();
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Thread", "onSpinWait", "()V", false);
                mv.visitInsn(RETURN);
                mv.visitMaxs(0, 0);
                mv.visitEnd();
            }
        });
        same(b);
    }

    /** Class files before Java 6 (no frames; before 5, no class constants), and Java 6's with and without frames. */
    @Test
    void oldClassVersions() throws Exception {
        int[][] versions = {{V1_1, 0}, {V1_4, 0}, {V1_5, 0}, {V1_6, 0}, {V1_6, 1}};
        for (int[] v : versions) {
            String name = "S11v" + (v[0] & 0xFFFF) + "f" + v[1];
            byte[] b = cls(v[0], name, v[1] == 1, cw -> {
                countedLoop(cw, "sum");
                MethodVisitor mv = cw.visitMethod(ACC_STATIC | ACC_SYNCHRONIZED, "sync", "(I)I", null, null);
                mv.visitCode();
                mv.visitVarInsn(ILOAD, 0);
                mv.visitMethodInsn(INVOKESTATIC, name, "sum", "(I)I", false);
                mv.visitInsn(IRETURN);
                mv.visitMaxs(0, 0);
                mv.visitEnd();
                cw.visitField(ACC_STATIC, "v", "I", null, null);
                mv = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
                mv.visitCode();
                mv.visitIntInsn(SIPUSH, 1000);
                mv.visitMethodInsn(INVOKESTATIC, name, "sync", "(I)I", false);
                mv.visitFieldInsn(PUTSTATIC, name, "v", "I");
                mv.visitInsn(RETURN);
                mv.visitMaxs(0, 0);
                mv.visitEnd();
            });
            byte[] f = same(b);
            sameAnswer(b, f, "sum", 9999);
            sameAnswer(b, f, "sync", 10);
        }
    }

    /**
     * Rewrites method name's code into the longer forms other compilers write, each over the
     * nops ahead of it (offsets stay): {@code nop; ldc} as {@code ldc_w}, {@code nop; iload_n}
     * as {@code iload n}, {@code nop nop nop; iinc} as {@code wide iinc}, {@code nop nop; goto}
     * as {@code goto_w}.
     */
    static byte[] longForms(byte[] b, String name) {
        b = b.clone();
        RawClass rc = new RawClass(b);
        for (RawClass.Method m : rc.methods) {
            if (!m.name.equals(name)) {
                continue;
            }
            CodePatch code = new CodePatch(rc, m.codeAttr);
            int s = code.codeStart();
            for (int x = 0; x < code.codeLength(); x += code.insnLength(x)) {
                if (code.opcode(x) != NOP) {
                    continue;
                }
                int y = x + 1, op = b[s + y] & 0xFF;
                if (op == LDC) {
                    b[s + x] = (byte) 19;
                    b[s + x + 1] = 0;
                    b[s + x + 2] = b[s + y + 1];
                    x += 2;
                } else if (op >= 26 && op <= 29) { // iload_n
                    b[s + x] = (byte) ILOAD;
                    b[s + x + 1] = (byte) (op - 26);
                    x += 1;
                } else if (op == NOP && code.opcode(x + 2) == NOP && code.opcode(x + 3) == IINC) {
                    int v = b[s + x + 4] & 0xFF, c = b[s + x + 5];
                    byte[] w = {(byte) 196, (byte) IINC, 0, (byte) v, (byte) (c >> 8), (byte) c};
                    System.arraycopy(w, 0, b, s + x, 6);
                    x += 5;
                } else if (op == NOP && code.opcode(x + 2) == GOTO) {
                    int off = (short) (((b[s + x + 3] & 0xFF) << 8) | (b[s + x + 4] & 0xFF)) + 2;
                    byte[] w = {(byte) 200, (byte) (off >> 24), (byte) (off >> 16), (byte) (off >> 8), (byte) off};
                    System.arraycopy(w, 0, b, s + x, 5);
                    x += 4;
                }
            }
        }
        return b;
    }

    /**
     * A method short in ASM's forms and long in the class file's (JUnit 4.12's
     * {@code BlockJUnit4ClassRunner.rules}: {@code ldc_w} of constants below 256): the
     * inlining rule reads the length the tree writes, so both leave the prologue check out.
     */
    @Test
    void longInstructionForms() throws Exception {
        byte[] b = cls(V17, "S12", cw -> {
            MethodVisitor mv = cw.visitMethod(ACC_STATIC, "m", "(I)I", null, null);
            mv.visitCode();
            for (int i = 0; i < 5; i++) { // ldc_w: 5 bytes more
                mv.visitInsn(NOP);
                mv.visitLdcInsn("x" + i);
                mv.visitInsn(POP);
            }
            mv.visitInsn(NOP); // iload 0: 1 more
            mv.visitVarInsn(ILOAD, 0);
            mv.visitInsn(POP);
            mv.visitInsn(NOP); // wide iinc: 3 more
            mv.visitInsn(NOP);
            mv.visitInsn(NOP);
            mv.visitIincInsn(0, 1);
            Label end = new Label();
            mv.visitInsn(NOP); // goto_w: 2 more
            mv.visitInsn(NOP);
            mv.visitJumpInsn(GOTO, end);
            mv.visitLabel(end);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "abs", "(I)I", false);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
        byte[] l = longForms(b, "m");
        assertEquals(39, InlineLimits.codeLengths(l).get("m(I)I"));
        byte[] f = same(l);
        assertEquals(0, Fixtures.count(f, "m", PreemptChecks::isCheck), "left out: 28 bytes in ASM's forms");
        sameAnswer(b, f, "m", -7);
        sameAnswer(l, f, "m", -7);
    }

    /**
     * A constant the pool holds twice, below and past index 255 (Jackson's jars have such):
     * ASM's writer loads the second with an ldc_w, a byte longer, which the inlining rule
     * reads (35 bytes and the check: left out; 36: kept).
     */
    @Test
    void constantRepeatedPastIndex255() throws Exception {
        byte[] b = cls(V17, "S13", cw -> {
            MethodVisitor mv = cw.visitMethod(ACC_STATIC, "m", "()I", null, null);
            mv.visitCode();
            mv.visitLdcInsn("dupA");
            mv.visitMethodInsn(INVOKEVIRTUAL, "java/lang/String", "length", "()I", false);
            for (int i = 0; i < 14; i++) {
                mv.visitInsn(ICONST_1);
                mv.visitInsn(IADD);
            }
            mv.visitInsn(NOP);
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            mv = cw.visitMethod(ACC_STATIC, "filler", "()V", null, null);
            mv.visitCode();
            for (int i = 0; i < 300; i++) {
                mv.visitLdcInsn("c" + i);
                mv.visitInsn(POP);
            }
            mv.visitLdcInsn("dupB"); // made "dupA" below: the same string again, past 255
            mv.visitInsn(POP);
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
        byte[] d = b.clone();
        int at = indexOf(d, "dupB".getBytes());
        d[at + 3] = 'A';
        assertEquals(35, InlineLimits.codeLengths(d).get("m()I"));
        byte[] f = same(d);
        assertEquals(1, Fixtures.count(f, "m", PreemptChecks::isCheck), "kept: 36 bytes as ASM writes them");
        sameAnswer(d, f, "m");
        f = same(b); // no twin: left out
        assertEquals(0, Fixtures.count(f, "m", PreemptChecks::isCheck));
    }

    private static int indexOf(byte[] b, byte[] s) {
        outer:
        for (int i = 0; i + s.length <= b.length; i++) {
            for (int j = 0; j < s.length; j++) {
                if (b[i + j] != s[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
