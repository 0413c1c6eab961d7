package dev.gort.agent;

import dev.gort.agent.fixtures.Shapes;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import dev.gort.Gort;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import static dev.gort.agent.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Each bytecode shape, instrumented: it verifies, behaves as before, and has its checks. */
class InstrumenterTest {
    private static final String SHAPES = "dev/gort/agent/fixtures/Shapes";
    private final Instrumenter in = instrumenter("");

    private final byte[] shapes = transformed(in, SHAPES, original(SHAPES));

    private Object call(Class<?> c, String name, Object target, Object... args) throws Exception {
        for (Method m : c.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    return e.getCause().toString();
                }
            }
        }
        throw new AssertionError("no method " + name);
    }

    /** Runs name(args) on the original and the instrumented class and compares. */
    private void same(String name, Object... args) throws Exception {
        Class<?> instrumented = new Loader().with(shapes).loadClass(Shapes.class.getName());
        assertNotSame(Shapes.class, instrumented);
        Object a = call(Shapes.class, name, new Shapes(), args);
        Object b = call(instrumented, name, instrumented.getConstructor().newInstance(), args);
        assertEquals(a, b, name);
    }

    @Test
    void everyShapeBehavesAsBefore() throws Exception {
        same("countedFor", (Object) new int[] {1, 2, 3, 4, 5});
        same("countedFor", (Object) new int[100_000]);
        same("countedForLe", 100_000);
        same("countedOverField", 10_000);
        same("whileLoop", 99_999);
        same("doWhile", 12_345);
        same("nested", 300);
        same("breakContinue", 100_000);
        same("longCounter", 100_000L);
        same("iterator", List.of(1, 2, 3, 4, 5, 6, 7));
        same("infiniteWithBreak", 50_000);
        same("tryCatchFinally", 10_000);
        same("tableSwitch", 10_000);
        same("lookupAndStringSwitch", (Object) new String[] {"alpha", "beta", "gamma", "delta", "alpha"});
        same("synchronizedBlock", 10_000);
        same("synchronizedMethod", 10_000);
        same("synchronizedMethod", -1);
        same("staticSynchronized", 77L);
        same("lockUnlock", new ReentrantLock(), 1000);
        same("lambdas", 300);
        same("fib", 20);
        same("leaf", 3, 4);
        same("parameterIsCounter", 5, 100_000);
        same("parameterIsCounter", 100_000, 5);
        same("loopAtOffsetZero", 1L << 40);
        same("overflowBound");
        same("sleeps");
        same("ownerBasedMutexes", 1000);
    }

    @Test
    void checksAtProloguesAndLoopsButNotInLeaves() {
        assertEquals(0, count(shapes, "leaf", Fixtures::isCheck), "a leaf method cannot run long (Go's NOSPLIT)");
        assertEquals(1, count(shapes, "fib", Fixtures::isCheck), "prologue of a method that calls");
        assertEquals(1, count(shapes, "whileLoop", Fixtures::isCheck), "loop header (a small method: no prologue)");
        assertEquals(3, count(shapes, "nested", Fixtures::isCheck), "prologue, outer header, inner strip");
        assertEquals(1, count(instrumentWith("preempt=prologue"), "whileLoop", Fixtures::isCheck),
                "without loop checks a small method keeps its prologue check");
        assertEquals(1, count(instrumentWith("preempt=backedge"), "whileLoop", Fixtures::isCheck));
        assertEquals(0, count(instrumentWith("preempt=off"), "nested", Fixtures::isCheck));
    }

    @Test
    void innermostCountedLoopsAreStripMined() {
        var min = calls("java/lang/Math", "min");
        assertEquals(2, count(shapes, "countedFor", min), "min(i + STRIP, MAX) and min(n, s)");
        assertEquals(2, count(shapes, "countedForLe", min));
        assertEquals(2, count(shapes, "countedOverField", min), "a field in the bound is still pure");
        assertEquals(2, count(shapes, "nested", min), "only the inner loop");
        assertEquals(2, count(shapes, "parameterIsCounter", min));
        assertEquals(0, count(shapes, "whileLoop", min), "i -= 2 counts down");
        assertEquals(0, count(shapes, "iterator", min), "the bound calls hasNext()");
        assertEquals(2, count(shapes, "breakContinue", min), "continue jumps forward to the update, break out");
        assertEquals(0, count(shapes, "longCounter", min), "a long counter");
        // The strip's check sits outside the inner loop: the only backward jumps are H's and O's.
        assertTrue(count(shapes, "countedFor", n -> n instanceof JumpInsnNode) >= 4);
    }

    @Test
    void pinsAroundMonitorsAndLocks() {
        var entered = calls(Hooks.PINNING, Hooks.MONITOR_ENTERED);
        var exited = calls(Hooks.PINNING, Hooks.MONITOR_EXITED);
        assertEquals(1, count(shapes, "synchronizedBlock", entered));
        assertEquals(2, count(shapes, "synchronizedBlock", exited), "the normal and the exceptional exit");
        assertEquals(1, count(shapes, "synchronizedMethod", entered));
        assertEquals(2, count(shapes, "synchronizedMethod", exited), "the return and the catch-all handler");
        assertEquals(0, count(shapes, "synchronizedMethod", Fixtures::isCheck) - 1, "a pinned method gets no prologue check");
        assertEquals(1, count(shapes, "lockUnlock", calls(Hooks.PINNING, "lock")));
        assertEquals(1, count(shapes, "lockUnlock", calls(Hooks.PINNING, "tryLock")));
        assertEquals(4, count(shapes, "lockUnlock", calls(Hooks.PINNING, "unlock")), "javac copies each finally");
        assertEquals(0, count(shapes, "lockUnlock", n -> n instanceof MethodInsnNode c && c.owner.startsWith("java/util/concurrent/locks/")
                && c.name.matches("lock|tryLock|unlock")), "every lock and unlock goes through its hook");
        String mutex = SHAPES + "$OwnableMutex";
        byte[] m = transformed(in, mutex, original(mutex));
        assertEquals(1, count(m, "tryAcquire", calls(Hooks.PINNING, Hooks.OWNER_SET)), "a synchronizer on AQS taken");
        assertEquals(1, count(m, "tryRelease", calls(Hooks.PINNING, Hooks.OWNER_SET)), "and released");
        String field = SHAPES + "$OwnerFieldMutex";
        byte[] f = transformed(in, field, original(field));
        assertEquals(1, count(f, "tryAcquire", calls(Hooks.PINNING, Hooks.OWNER_SET)), "an owner field set");
        assertEquals(1, count(f, "lock", calls(Hooks.PINNING, Hooks.OWNER_SET)), "on the fast path too");
        assertEquals(1, count(f, "tryRelease", calls(Hooks.PINNING, Hooks.OWNER_SET)), "and cleared");
        assertEquals(0, count(shapes, "ownerBasedMutexes", calls(Hooks.PINNING, Hooks.OWNER_SET)),
                "a Thread field of a class that is no synchronizer is no owner");
        assertEquals(0, count(f, "lock", Fixtures::isCheck), "no checks inside AQS's algorithms");
        assertEquals(0, count(m, "tryAcquire", Fixtures::isCheck));
    }

    /** The application's reads of the current thread go through the hook that reads it afresh on an M. */
    @Test
    void currentThreadReadsGoThroughTheHook() {
        String mutex = SHAPES + "$OwnableMutex";
        byte[] m = transformed(in, mutex, original(mutex));
        var hook = calls(Hooks.THREAD_IDENTITY, Hooks.CURRENT_THREAD);
        assertEquals(1, count(m, "tryAcquire", hook), "the owner a synchronizer on AQS names");
        assertEquals(1, count(m, "tryRelease", hook), "and the thread it checks on release");
        assertEquals(0, count(m, "tryAcquire", calls("java/lang/Thread", "currentThread")));
        assertEquals(0, count(m, "tryRelease", calls("java/lang/Thread", "currentThread")));
    }

    @Test
    void asyncpreemptoffLeavesOnlyPrologueChecks() {
        byte[] b = transformed(new Instrumenter(Options.parse(""), true), SHAPES, original(SHAPES));
        assertEquals(1, count(b, "whileLoop", Fixtures::isCheck));
        assertEquals(0, count(b, "countedFor", calls("java/lang/Math", "min")));
    }

    /** On a plain thread a raised flag costs one slow path, which lowers it: no goroutine asked. */
    @Test
    void aPlainThreadNeverYieldsAndLowersAStaleFlag() throws Exception {
        Class<?> k = new Loader().with(shapes).loadClass(Shapes.class.getName());
        dev.gort.runtime.hook.Preemption.requested = 5;
        assertEquals(15L, k.getMethod("countedFor", int[].class).invoke(null, (Object) new int[] {1, 2, 3, 4, 5}));
        assertEquals(0, dev.gort.runtime.hook.Preemption.requested);
    }

    @Test
    void blockingCallsAreWrapped() {
        assertEquals(2, count(shapes, "sleeps", calls(Hooks.BLOCKING, "sleep")));
        assertEquals(0, count(shapes, "sleeps", calls("java/lang/Thread", "sleep")));
        assertEquals(2, count(instrumentWith("blocking=off"), "sleeps", calls("java/lang/Thread", "sleep")));
    }

    @Test
    void constructorsStaticInitialisersAndDefaultMethods() throws Exception {
        String ctor = "dev/gort/agent/fixtures/Ctor", base = "dev/gort/agent/fixtures/Base",
                defaults = "dev/gort/agent/fixtures/Defaults";
        byte[] c = transformed(in, ctor, original(ctor));
        byte[] b = transformed(in, base, original(base));
        byte[] d = transformed(in, defaults, original(defaults));
        assertTrue(count(c, "<init>", Fixtures::isCheck) >= 2, "prologue and loop in a constructor");
        assertEquals(1, count(c, "<clinit>", Fixtures::isCheck), "a static initialiser's loop (no prologue)");
        assertTrue(count(d, "total", Fixtures::isCheck) >= 1);
        Loader l = new Loader().with(c).with(b).with(d);
        Class<?> k = l.loadClass("dev.gort.agent.fixtures.Ctor");
        Object o = k.getConstructor(int.class).newInstance(1000);
        assertEquals(new dev.gort.agent.fixtures.Ctor(1000).sum, k.getField("sum").get(o));
    }

    /**
     * Every static initializer is bracketed by the ClassInit hooks: enter first, exit before
     * its return and in a catch-all handler (last in the table) that rethrows; its own
     * monitors stay balanced for the JIT. Run on a goroutine, the runtime sees each
     * initializer while it runs (nested ones too) and none after, also after one failed.
     */
    @Test
    void staticInitializersAreBracketedOnEveryPath() throws Exception {
        String inits = "dev/gort/agent/fixtures/Inits";
        Loader l = new Loader();
        for (String name : List.of(inits, inits + "$Outer", inits + "$Inner", inits + "$Failing")) {
            byte[] b = transformed(in, name, original(name));
            assertEquals(1, count(b, "<clinit>", calls(Hooks.CLASS_INIT, Hooks.CLASS_INIT_ENTER)), name);
            assertEquals(2, count(b, "<clinit>", calls(Hooks.CLASS_INIT, Hooks.CLASS_INIT_EXIT)),
                    name + ": before the return, and in the catch-all");
            MethodNode clinit = method(b, "<clinit>");
            AbstractInsnNode first = clinit.instructions.getFirst();
            while (first.getOpcode() < 0) {
                first = first.getNext();
            }
            assertTrue(first instanceof LdcInsnNode ldc && ldc.cst.equals(Type.getObjectType(name)), name + ": ldc ThisClass first");
            assertTrue(isHook(first.getNext(), Hooks.CLASS_INIT_ENTER), name + ": then enter");
            TryCatchBlockNode all = clinit.tryCatchBlocks.get(clinit.tryCatchBlocks.size() - 1);
            assertNull(all.type, name + ": the last handler catches everything");
            assertTrue(isHook(next(next(all.handler)), Hooks.CLASS_INIT_EXIT), name + ": and exits");
            assertEquals(Opcodes.ATHROW, next(next(next(all.handler))).getOpcode(), name + ": then rethrows");
            assertEquals(List.of(), MonitorBalance.problems(clinit), name);
            l.with(b);
        }
        int[] got = new int[7];
        Gort.run(() -> {
            try {
                Class<?> k = Class.forName("dev.gort.agent.fixtures.Inits", true, l);
                got[0] = k.getField("DEPTH_INSIDE").getInt(null);
                got[1] = ((int[]) k.getField("TABLE").get(null))[63];
                Class<?> outer = Class.forName("dev.gort.agent.fixtures.Inits$Outer", true, l);
                got[2] = outer.getField("DEPTH_INSIDE").getInt(null);
                got[3] = outer.getField("INNER_DEPTH").getInt(null);
                got[4] = outer.getField("DEPTH_AFTER_INNER").getInt(null);
                try {
                    Class.forName("dev.gort.agent.fixtures.Inits$Failing", true, l);
                    got[5] = -1;
                } catch (ExceptionInInitializerError e) {
                    got[5] = dev.gort.agent.fixtures.InitProbe.failingDepth;
                }
                got[6] = dev.gort.runtime.HookRt.clinitDepth();
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        });
        assertArrayEquals(new int[] {1, 189, 1, 2, 1, 1, 0}, got,
                "depth in Inits, its table, in Outer, in Inner inside Outer, in Outer after, in Failing, after all");
    }

    /** Class files older than Java 5 cannot ldc a class: the hooks get null, and still pair up. */
    @Test
    void oldInitializersPassNull() throws Exception {
        byte[] out = in.transform(oldInitClass(), false);
        assertNotNull(out);
        verify(out);
        assertEquals(0, count(out, "<clinit>", n -> n instanceof LdcInsnNode));
        assertEquals(3, count(out, "<clinit>", calls(Hooks.CLASS_INIT, Hooks.CLASS_INIT_EXIT)), "two returns and the catch-all");
        Loader l = new Loader().with(out);
        int[] got = new int[2];
        Gort.run(() -> {
            try {
                got[0] = Class.forName("gen.OldInit", true, l).getField("depth").getInt(null);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            got[1] = dev.gort.runtime.HookRt.clinitDepth();
        });
        assertArrayEquals(new int[] {1, 0}, got);
    }

    private static MethodNode method(byte[] b, String name) {
        ClassNode cn = new ClassNode();
        new ClassReader(b).accept(cn, 0);
        return cn.methods.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    private static boolean isHook(AbstractInsnNode n, String name) {
        return n instanceof MethodInsnNode m && m.owner.equals(Hooks.CLASS_INIT) && m.name.equals(name);
    }

    private static AbstractInsnNode next(AbstractInsnNode n) {
        do {
            n = n.getNext();
        } while (n != null && n.getOpcode() < 0);
        return n;
    }

    /** gen.OldInit, class version 48: a static initializer with two returns that records the depth it sees. */
    static byte[] oldInitClass() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V1_4, Opcodes.ACC_PUBLIC, "gen/OldInit", null, "java/lang/Object", null);
        cw.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "depth", "I", null, null).visitEnd();
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
        mv.visitCode();
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "dev/gort/runtime/HookRt", "clinitDepth", "()I", false);
        mv.visitInsn(Opcodes.DUP);
        mv.visitFieldInsn(Opcodes.PUTSTATIC, "gen/OldInit", "depth", "I");
        Label other = new Label();
        mv.visitJumpInsn(Opcodes.IFEQ, other);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitLabel(other);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    @Test
    void aMethodThatWouldPassTheSizeLimitIsLeftAsItWas() throws Exception {
        byte[] big = bigClass();
        byte[] out = in.transform(big, false);
        assertNotNull(out, "the small method is still instrumented");
        verify(out);
        assertEquals(0, count(out, "huge", Fixtures::isCheck));
        assertTrue(count(out, "small", Fixtures::isCheck) > 0);
        Class<?> k = new Loader().with(out).loadClass("gen.Big");
        assertEquals(3 * 2000, k.getMethod("small", int.class).invoke(null, 2000));
    }

    @Test
    void smallMethodsAndMethodsTheCheckWouldTakeAcrossAnInliningLimitHaveNoPrologueCheck() throws Exception {
        byte[] out = in.transform(sizedClass(), false);
        verify(out);
        Map<String, Integer> len = InlineLimits.codeLengths(out);
        assertEquals(0, count(out, "at34", Fixtures::isCheck), "34 bytes stay 34: still inlined everywhere");
        assertEquals(34, len.get("at34(I)I"));
        assertEquals(0, count(out, "at324", Fixtures::isCheck), "324 bytes stay under FreqInlineSize");
        assertEquals(0, count(out, "at32", Fixtures::isCheck), "32 bytes: inlined everywhere anyway");
        assertEquals(1, count(out, "at36", Fixtures::isCheck), "over the limit already");
        assertEquals(1, count(out, "recursive34", Fixtures::isCheck), "direct recursion keeps its check");
        Class<?> k = new Loader().with(out).loadClass("gen.Sized");
        assertEquals(8, k.getMethod("at34", int.class).invoke(null, 7));
        assertEquals(0, k.getMethod("recursive34", int.class).invoke(null, 5));
    }

    @Test
    void codeLengthsAreReadFromTheClassFile() {
        Map<String, Integer> len = InlineLimits.codeLengths(sizedClass());
        assertEquals(34, len.get("at34(I)I"));
        assertEquals(324, len.get("at324(I)I"));
        assertEquals(36, len.get("at36(I)I"));
        assertTrue(InlineLimits.checkLeftOut(4, true) && InlineLimits.checkLeftOut(35, true) && InlineLimits.checkLeftOut(38, true));
        assertTrue(!InlineLimits.checkLeftOut(39, true) && !InlineLimits.checkLeftOut(200, true));
        assertTrue(InlineLimits.checkLeftOut(326, true) && !InlineLimits.checkLeftOut(329, true));
        assertTrue(!InlineLimits.checkLeftOut(4, false) && !InlineLimits.checkLeftOut(35, false) && InlineLimits.checkLeftOut(38, false));
    }

    /**
     * gen.Sized: static methods (I)I of exact sizes that call gen.Sized.one(I)I (a leaf) and
     * pad with NOPs, and recursive34, which calls itself.
     */
    static byte[] sizedClass() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V21, Opcodes.ACC_PUBLIC, "gen/Sized", null, "java/lang/Object", null);
        MethodVisitor one = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "one", "(I)I", null, null);
        one.visitCode();
        one.visitVarInsn(Opcodes.ILOAD, 0);
        one.visitInsn(Opcodes.ICONST_1);
        one.visitInsn(Opcodes.IADD);
        one.visitInsn(Opcodes.IRETURN);
        one.visitMaxs(0, 0);
        one.visitEnd();
        for (int size : new int[] {32, 34, 36, 324}) {
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "at" + size, "(I)I", null, null);
            mv.visitCode();
            mv.visitVarInsn(Opcodes.ILOAD, 0); // 1 byte
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "gen/Sized", "one", "(I)I", false); // 3
            for (int i = 0; i < size - 5; i++) {
                mv.visitInsn(Opcodes.NOP);
            }
            mv.visitInsn(Opcodes.IRETURN); // 1
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }
        // if (n <= 0) return 0; return recursive34(n - 1) + NOPs: 1+3+1+1 + 1+1+1+3 + NOPs + 1
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "recursive34", "(I)I", null, null);
        mv.visitCode();
        Label go = new Label();
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitJumpInsn(Opcodes.IFGT, go);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitLabel(go);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitInsn(Opcodes.ISUB);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "gen/Sized", "recursive34", "(I)I", false);
        for (int i = 0; i < 34 - 13; i++) {
            mv.visitInsn(Opcodes.NOP);
        }
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    @Test
    void oldClassFilesWithJsrAreInstrumentedWithoutFrames() throws Exception {
        byte[] old = jsrClass();
        byte[] out = in.transform(old, false);
        assertNotNull(out);
        verify(out);
        assertTrue(count(out, "loop", Fixtures::isCheck) > 0);
        Class<?> k = new Loader().with(out).loadClass("gen.Old");
        assertEquals(45, k.getMethod("loop", int.class).invoke(null, 10));
    }

    @Test
    void obfuscatedNamesAreFine() throws Exception {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V21, Opcodes.ACC_PUBLIC, "gen/\u00e4$1$$", null, "java/lang/Object", null);
        countdown(cw, "if", 0);
        cw.visitEnd();
        byte[] out = in.transform(cw.toByteArray(), false);
        verify(out);
        Class<?> k = new Loader().with(out).loadClass("gen.\u00e4$1$$");
        assertEquals(3 * 77, k.getMethod("if", int.class).invoke(null, 77));
    }

    private byte[] instrumentWith(String options) {
        return transformed(instrumenter(options), SHAPES, original(SHAPES));
    }

    /**
     * gen.Big: huge(I)I with a loop, 65,532 bytes (the limit is 65,535: its two 3-byte checks
     * push it over), and small(I)I with a loop.
     */
    static byte[] bigClass() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V21, Opcodes.ACC_PUBLIC, "gen/Big", null, "java/lang/Object", null);
        // 4-byte pads, plus 24 bytes of loop (ASM widens the two branches that span 64 KB).
        countdown(cw, "huge", (65_532 - 24) / 4);
        countdown(cw, "small", 0);
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * A static name(I)I that adds 3 to a sum n times, counting n down, with pad 4-byte
     * no-op pairs (iinc 1 0, nop) in the loop body to make the method as large as wanted.
     */
    static void countdown(ClassWriter cw, String name, int pad) {
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, name, "(I)I", null, null);
        mv.visitCode();
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ISTORE, 1);
        Label top = new Label(), done = new Label();
        mv.visitLabel(top);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitJumpInsn(Opcodes.IFLE, done);
        mv.visitIincInsn(1, 3);
        for (int i = 0; i < pad; i++) {
            mv.visitIincInsn(1, 0);
            mv.visitInsn(Opcodes.NOP);
        }
        mv.visitIincInsn(0, -1);
        mv.visitJumpInsn(Opcodes.GOTO, top);
        mv.visitLabel(done);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** gen.Old, class version 49 (no frames), loop(I)I summing 0..n-1 through a jsr subroutine. */
    static byte[] jsrClass() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC, "gen/Old", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "loop", "(I)I", null, null);
        mv.visitCode();
        Label top = new Label(), done = new Label(), sub = new Label();
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ISTORE, 1); // s
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ISTORE, 2); // i
        mv.visitLabel(top);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitJumpInsn(Opcodes.IF_ICMPGE, done);
        mv.visitJumpInsn(Opcodes.JSR, sub);
        mv.visitIincInsn(2, 1);
        mv.visitJumpInsn(Opcodes.GOTO, top);
        mv.visitLabel(sub);
        mv.visitVarInsn(Opcodes.ASTORE, 3);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitInsn(Opcodes.IADD);
        mv.visitVarInsn(Opcodes.ISTORE, 1);
        mv.visitVarInsn(Opcodes.RET, 3);
        mv.visitLabel(done);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }
}
