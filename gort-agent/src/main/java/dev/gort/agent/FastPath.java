package dev.gort.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's changes made in a class file's bytes instead of through ASM's tree: the same
 * changes, in the same order, as {@link Instrumenter#method} (read it first; each step
 * here names the one it mirrors): call sites replaced in place ({@link CallSites}),
 * monitors' pins ({@link Monitors}), checks at loop headers or strip mining
 * ({@link PreemptChecks}, {@link RawStripMining}), a synchronized method's or a static
 * initializer's bracket ({@link MethodBracket}), the prologue check and its inlining rule
 * ({@link InlineLimits}). The edits themselves are {@link CodePatch}'s.
 *
 * <p>A class goes to the tree instead ({@link #NOT_HANDLED}) when it is the main class, a
 * synchronizer whose owner fields are hooked, or has a method reference to a wrapped method,
 * a {@code goto_w} back-edge or a static initializer flagged synchronized, or when anything
 * cannot be moved exactly (a branch pushed out of range, JSR/RET, type annotations on code,
 * an unknown attribute in code). Of the
 * 538 classes H2 loads at start-up, none does; of Groovy's 4952 classes, one; of java.base's
 * java.util, java.io, java.time, java.net and java.lang, 9 of 2872.
 *
 * <h2>Why</h2>
 * At start-up the agent runs cold. Through the tree, each class is decoded into an object
 * per instruction and encoded again, by ASM's code running interpreted and then compiled on
 * the other core while the application loads: H2's start-up took 3.3 times as long
 * (bench/RESULTS.md). Here the changes are a few short insertions and same-place
 * replacements: the bytes between them are copied, and the offsets that cross them moved.
 * ASM is then not loaded at all for such a start-up.
 *
 * <h2>Same output</h2>
 * For every class it takes, the result has the instructions, frames, handlers, line
 * numbers and local variables the tree produces: FastPathTest compares the two on every
 * class of H2, Groovy and five packages of java.base, and has the JVM load and link the
 * results. Only the constant pool's layout, the frames' encoding (strip-mined methods'
 * frames are all written in full) and the maximum stack and locals (kept or raised, where
 * the tree recomputes them) may differ.
 */
final class FastPath {
    /** transform's answer for a class it leaves to ASM. */
    static final byte[] NOT_HANDLED = new byte[0];

    private static final int ACC_SYNCHRONIZED = 0x0020, ACC_BRIDGE = 0x0040, ACC_NATIVE = 0x0100,
            ACC_ABSTRACT = 0x0400;
    private static final int ACONST_NULL = 1, LDC = 18, LDC_W = 19, IRETURN = 172, RETURN = 177, ATHROW = 191,
            GOTO = 167, GOTO_W = 200, INVOKEVIRTUAL = 182, INVOKESPECIAL = 183, INVOKESTATIC = 184,
            INVOKEINTERFACE = 185, INVOKEDYNAMIC = 186, MONITORENTER = 194, MONITOREXIT = 195;
    private static final int H_INVOKEVIRTUAL = 5, H_INVOKESTATIC = 6, H_INVOKEINTERFACE = 9;

    private final CallSites callSites;
    private final boolean prologue;
    private final boolean backedges;

    FastPath(CallSites callSites, boolean prologue, boolean backedges) {
        this.callSites = callSites;
        this.prologue = prologue;
        this.backedges = backedges;
    }

    /** The patched class; null if nothing changes; {@link #NOT_HANDLED} to leave it to ASM. */
    byte[] transform(byte[] classfile, boolean isMain) {
        if (isMain) {
            return NOT_HANDLED;
        }
        try {
            RawClass rc = new RawClass(classfile);
            if (CallSites.isSynchronizer(rc.superName)) {
                return NOT_HANDLED;
            }
            Map<RawClass.Method, byte[]> codes = new HashMap<>();
            Call[] calls = new Call[rc.constants()];
            for (RawClass.Method m : rc.methods) {
                if ((m.access & (ACC_ABSTRACT | ACC_NATIVE)) != 0 || m.codeAttr < 0) {
                    continue;
                }
                byte[] code = method(rc, m, calls);
                if (code == NOT_HANDLED) {
                    return NOT_HANDLED;
                }
                if (code != null) {
                    codes.put(m, code);
                }
            }
            return codes.isEmpty() ? null : rc.write(codes);
        } catch (RawClass.Unsupported | IndexOutOfBoundsException | IllegalArgumentException e) {
            // Something it does not take, or a malformed class file (a read past the end, a
            // bad constant): the tree decides, and reports what it cannot read.
            return NOT_HANDLED;
        }
    }

    /** One method's new Code attribute, null if unchanged, or NOT_HANDLED. As Instrumenter.method. */
    private byte[] method(RawClass rc, RawClass.Method m, Call[] calls0) {
        if ((m.access & ACC_SYNCHRONIZED) != 0 && m.name.equals("<clinit>")) {
            // The tree brackets it twice (the pin, then the initializer's hooks: two
            // catch-alls), CodePatch has one. No compiler sets the flag (the JVM ignores it).
            return NOT_HANDLED;
        }
        CodePatch code = new CodePatch(rc, m.codeAttr);
        int n = code.codeLength();
        int[] frameAt = code.frameOffsets();
        boolean frames = rc.major >= 51 || (rc.major == 50 && frameAt != null);
        boolean calls = false;
        boolean callsItself = false;
        int[] beyondJdk = new int[8]; // offsets of calls that keep a loop from strip mining (Instrumenter.callsBeyondJdk)
        int nbeyond = 0;
        Map<Integer, List<Integer>> headers = new LinkedHashMap<>(); // header -> its back-edges, as PreemptChecks.loopHeaders
        byte[] b = rc.b;
        int codeStart = code.codeStart();
        byte[] lengths = MethodCode.LENGTH;
        boolean[] special = MethodCode.SPECIAL;
        for (int x = 0, len; x < n; x += len) {
            int op = b[codeStart + x] & 0xFF;
            len = lengths[op];
            if (len <= 0) {
                len = code.insnLength(x);
            }
            if (!special[op]) {
                continue; // most of the code: nothing to see
            }
            if (op == MONITORENTER || op == MONITOREXIT) {
                // Monitors.blocks: the pin right after it, before the labels there; a handler
                // range ending there ends before the pin, one starting there after a
                // monitorenter starts before it (the pin is the block's first instruction).
                int y = x + 1;
                int hook = rc.addMethodref(Hooks.PINNING, op == MONITORENTER ? Hooks.MONITOR_ENTERED : Hooks.MONITOR_EXITED,
                        Hooks.VOID_DESC);
                int e = code.insertBefore(y, new byte[] {(byte) INVOKESTATIC, (byte) (hook >>> 8), (byte) hook});
                code.rangeEdge(y, e, op == MONITORENTER);
                // Instrumenter counts calls after the pins went in: a pin is a call.
                calls = true;
                callsItself |= m.name.equals(op == MONITORENTER ? Hooks.MONITOR_ENTERED : Hooks.MONITOR_EXITED);
                continue;
            }
            if (op == INVOKEDYNAMIC) {
                calls = true;
                if (nbeyond == beyondJdk.length) {
                    beyondJdk = java.util.Arrays.copyOf(beyondJdk, 2 * nbeyond);
                }
                beyondJdk[nbeyond++] = x;
                if (wrapsMethodReference(rc, code.operand(x))) {
                    return NOT_HANDLED;
                }
                continue;
            }
            if (op >= INVOKEVIRTUAL && op <= INVOKEINTERFACE) {
                Call c = call(rc, calls0, op, code.operand(x));
                if (c == null) {
                    return NOT_HANDLED;
                }
                calls |= !c.objectInit;
                callsItself |= c.name.equals(m.name);
                if (c.replacement != null) {
                    code.replace(x, c.replacement);
                }
                if (c.beyondJdk) {
                    if (nbeyond == beyondJdk.length) {
                        beyondJdk = java.util.Arrays.copyOf(beyondJdk, 2 * nbeyond);
                    }
                    beyondJdk[nbeyond++] = x;
                }
                continue;
            }
        }
        int[] branches = code.branches(); // in order, as PreemptChecks.loopHeaders meets them
        for (int k = 0; k < branches.length; k++) {
            int x = branches[k];
            for (int t : code.branchTargets(k)) {
                if (t <= x) {
                    List<Integer> edges = headers.get(t);
                    if (edges == null) {
                        edges = new ArrayList<>();
                        headers.put(t, edges);
                    }
                    edges.add(x);
                }
            }
        }
        byte[] check = null;
        RawStripMining.Method strip = null;
        if (!headers.isEmpty()) {
            calls = true;
            if (backedges) {
                check = check(rc);
                for (Map.Entry<Integer, List<Integer>> e : headers.entrySet()) {
                    int h = e.getKey();
                    List<Integer> edges = e.getValue();
                    if (frames && edges.size() == 1 && !anyBetween(beyondJdk, nbeyond, h, edges.get(0))) {
                        if (code.opcode(edges.get(0)) == GOTO_W) {
                            return NOT_HANDLED; // the tree reads it as a goto; rare enough to leave
                        }
                        if (strip == null) {
                            strip = new RawStripMining.Method(rc, m, code);
                        }
                        if (RawStripMining.apply(strip, h, edges.get(0), check)) {
                            continue; // Instrumenter.method: strip-mined, its check is in the strip's tail
                        }
                    }
                    if (frames && (frameAt == null || java.util.Arrays.binarySearch(frameAt, h) < 0)) {
                        return NOT_HANDLED; // ASM reports it (PreemptChecks.atHeader)
                    }
                    code.insertAt(h, check);
                }
                if (strip != null && strip.stripped) {
                    code.setFrames(strip.frames);
                    callsItself |= m.name.equals("min"); // Instrumenter asks after the strips' Math.min calls
                }
            }
        }
        boolean initializer = m.name.equals("<clinit>");
        boolean sync = (m.access & ACC_SYNCHRONIZED) != 0;
        if (sync) { // Monitors.method: pinned for the whole body
            bracket(rc, code, frames, hook(rc, Hooks.MONITOR_ENTERED), hook(rc, Hooks.MONITOR_EXITED));
        }
        if (initializer) {
            bracket(rc, code, frames, classInitHook(rc, Hooks.CLASS_INIT_ENTER), classInitHook(rc, Hooks.CLASS_INIT_EXIT));
        } else if (prologue && calls && !sync && (m.access & ACC_BRIDGE) == 0) {
            code.insertFirst(0, check != null ? check : check(rc));
            // InlineLimits: a method the check alone takes across an inlining limit, or small
            // enough to be inlined anywhere, does without it (unless it calls its own name;
            // Instrumenter asks after inserting the check, so a method named as the check
            // calls itself).
            callsItself |= m.name.equals(Hooks.PREEMPTION_CHECK);
            if (!callsItself && checkLeftOut(rc, code)) {
                code.clearFirst(0);
            }
        }
        return code.changed() ? code.write() : null;
    }

    /**
     * InlineLimits.checkLeftOut on the length the tree gives the patched code (CodeSize): ASM
     * writes every instruction in its shortest form, where a class from another compiler may
     * have longer ones (JUnit 4's ldc_w of constants below 256: 38 bytes here, 34 there).
     * Shortening at most halves an instruction, so past twice the hot inlining limit the
     * answer cannot change and the code is not scanned again. ASM also writes an ldc as
     * ldc_w when the pool holds its constant twice, the second past index 255 (Jackson's
     * JacksonAnnotationIntrospector): the pool is searched for such twins only when they
     * could change the answer (each lengthens the code by a byte, and a switch after it by
     * up to 3 more).
     */
    private boolean checkLeftOut(RawClass rc, CodePatch code) {
        int n = code.layout();
        if (n > 2 * (InlineLimits.FREQ_INLINE_SIZE + InlineLimits.CHECK_BYTES)) {
            return InlineLimits.checkLeftOut(n, backedges);
        }
        n = code.shortestLength(false);
        boolean out = InlineLimits.checkLeftOut(n, backedges);
        if (code.lowConstants > 0 && rc.constants() > 256) {
            for (int more = 1; more <= code.lowConstants + 3; more++) {
                if (InlineLimits.checkLeftOut(n + more, backedges) != out) {
                    return InlineLimits.checkLeftOut(code.shortestLength(true), backedges);
                }
            }
        }
        return out;
    }

    /**
     * MethodBracket.around (an initializer's hooks, a synchronized method's pin): enter
     * first, exit before every return, and a catch-all handler after the code that exits
     * and rethrows.
     */
    private static void bracket(RawClass rc, CodePatch code, boolean frames, byte[] enter, byte[] exit) {
        code.insertFirst(0, enter);
        int n = code.codeLength();
        for (int x = 0; x < n; x += code.insnLength(x)) {
            int op = code.opcode(x);
            if (op >= IRETURN && op <= RETURN) {
                code.insertAt(x, exit);
            }
        }
        byte[] handler = java.util.Arrays.copyOf(exit, exit.length + 1);
        handler[exit.length] = (byte) ATHROW;
        code.insertAt(n, handler);
        code.catchAllAtEnd(frames ? rc.addClass("java/lang/Throwable") : 0, frames ? rc.addUtf8("StackMapTable") : 0);
        code.minStack(2); // the handler's Throwable and the class
    }

    /** {@code invokestatic Pinning.name()V}. */
    private static byte[] hook(RawClass rc, String name) {
        int index = rc.addMethodref(Hooks.PINNING, name, Hooks.VOID_DESC);
        return new byte[] {(byte) INVOKESTATIC, (byte) (index >>> 8), (byte) index};
    }

    /** {@code ldc ThisClass} ({@code aconst_null} before version 49); {@code invokestatic ClassInit.name}. */
    private static byte[] classInitHook(RawClass rc, String name) {
        int hook = rc.addMethodref(Hooks.CLASS_INIT, name, Hooks.CLASS_INIT_DESC);
        int c = rc.thisClass;
        byte[] load = rc.major < 49 ? new byte[] {(byte) ACONST_NULL}
                : c < 256 ? new byte[] {(byte) LDC, (byte) c}
                : new byte[] {(byte) LDC_W, (byte) (c >>> 8), (byte) c};
        byte[] r = java.util.Arrays.copyOf(load, load.length + 3);
        r[load.length] = (byte) INVOKESTATIC;
        r[load.length + 1] = (byte) (hook >>> 8);
        r[load.length + 2] = (byte) hook;
        return r;
    }

    /** Whether one of the first n (ascending) offsets is in [from, to). */
    private static boolean anyBetween(int[] offsets, int n, int from, int to) {
        int k = java.util.Arrays.binarySearch(offsets, 0, n, from);
        k = k >= 0 ? k : -k - 1; // the first at or after from
        return k < n && offsets[k] < to;
    }

    /** The bytes of {@code invokestatic Preemption.check()}. */
    private static byte[] check(RawClass rc) {
        int index = rc.addMethodref(Hooks.PREEMPTION, Hooks.PREEMPTION_CHECK, Hooks.PREEMPTION_CHECK_DESC);
        return new byte[] {(byte) INVOKESTATIC, (byte) (index >>> 8), (byte) index};
    }

    /** What one call site's constant (with its opcode) means here, worked out once per class. */
    private static final class Call {
        int op;
        String name;
        boolean objectInit;
        boolean beyondJdk;
        byte[] replacement; // the invokestatic of the hook, or null to keep the call
    }

    /** The Call for op's constant index, from the class's cache; null if the class is left to ASM. */
    private Call call(RawClass rc, Call[] cache, int op, int index) {
        Call c = index < cache.length ? cache[index] : null;
        if (c != null && c.op == op) {
            return c;
        }
        String[] ref = rc.memberRef(index);
        String owner = ref[0], name = ref[1], desc = ref[2];
        c = new Call();
        c.op = op;
        c.name = name;
        c.objectInit = owner.equals("java/lang/Object") && name.equals("<init>");
        String hook = op == INVOKESPECIAL ? null : hook(op, owner, name, desc);
        if (hook == NOT_A_CALL_SITE) {
            return null;
        }
        if (hook != null) {
            int sep = hook.indexOf(' ');
            owner = hook.substring(0, sep);
            int m = rc.addMethodref(owner, name, hook.substring(sep + 1));
            c.replacement = new byte[] {(byte) INVOKESTATIC, (byte) (m >>> 8), (byte) m};
        }
        c.beyondJdk = !owner.startsWith("java/") && !owner.startsWith(Hooks.HOOK_PACKAGE);
        if (index < cache.length) {
            cache[index] = c;
        }
        return c;
    }

    /** hook's answer for a call the fast path cannot rewrite (CallSites adds code around it). */
    private static final String NOT_A_CALL_SITE = "";

    /**
     * What CallSites.apply does with this call (not an invokespecial): "owner desc" of the
     * static method that replaces it (same name), null to keep it, or NOT_A_CALL_SITE.
     */
    private String hook(int op, String owner, String name, String desc) {
        if (op == INVOKESTATIC && CallSites.isCurrentThread(owner, name, desc)) {
            return Hooks.THREAD_IDENTITY + " " + desc;
        }
        String wrapper = callSites.wrapperFor(owner, name, desc, op == INVOKESTATIC);
        if (wrapper != null) {
            return Hooks.BLOCKING + " " + wrapper;
        }
        if (op == INVOKEVIRTUAL && name.equals(CallSites.OWNER_SET) && desc.equals(CallSites.OWNER_SET_DESC)) {
            return NOT_A_CALL_SITE;
        }
        if (op != INVOKESTATIC && CallSites.LOCKS.contains(owner) && CallSites.isLockCall(name, desc)) {
            return Hooks.PINNING + " (L" + Hooks.LOCK_TYPE + ";" + desc.substring(1);
        }
        return null;
    }

    /** Whether CallSites.wrapMethodReference would change this invokedynamic. */
    private boolean wrapsMethodReference(RawClass rc, int indyIndex) {
        int[] bsm = rc.bootstrap(indyIndex);
        if (bsm.length < 4 || rc.tag(bsm[0]) != RawClass.METHOD_HANDLE || rc.tag(bsm[2]) != RawClass.METHOD_HANDLE) {
            return false;
        }
        String[] factory = rc.memberRef(rc.u2(rc.at(bsm[0]) + 1));
        if (!factory[0].equals(CallSites.LAMBDA_METAFACTORY) || !factory[1].equals("metafactory")) {
            return false;
        }
        int implAt = rc.at(bsm[2]);
        int kind = rc.u1(implAt);
        if (kind != H_INVOKESTATIC && kind != H_INVOKEVIRTUAL && kind != H_INVOKEINTERFACE) {
            return false;
        }
        String[] impl = rc.memberRef(rc.u2(implAt + 1));
        return callSites.wrapperFor(impl[0], impl[1], impl[2], kind == H_INVOKESTATIC) != null;
    }
}
