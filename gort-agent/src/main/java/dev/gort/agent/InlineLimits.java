package dev.gort.agent;

import org.objectweb.asm.ClassReader;

import java.util.HashMap;
import java.util.Map;

/**
 * The JIT's inlining limits, which a prologue check must not push a method across.
 *
 * <p>HotSpot decides what to inline by the callee's bytecode size: C1 and C2 inline a method
 * of at most {@code MaxInlineSize}/{@code C1MaxInlineSize} bytes (35) at any call site, C2
 * a method of at most {@code FreqInlineSize} (325) at a hot one. Library code has many
 * methods right under those limits, some of them hot: with Jackson,
 * {@code UTF8StreamJsonParser._closeArrayScope} and {@code _closeObjectScope} are 34 bytes
 * and {@code _skipColon} 324; with a 3-byte prologue check they were no longer inlined
 * (-XX:+PrintInlining: "callee is too large", "hot method too big"), and the parser's
 * {@code nextFieldName} around them got slower. So a method whose prologue check alone would
 * take it across one of the limits gets no prologue check, and neither does a method small
 * enough to be inlined anywhere (at most 35 bytes without the check), as the issue that
 * measured this suggested: inlined, its check would run again inside a caller that has its
 * own (measured on Jackson's rounds, best 1.16x to 1.13x of the run without the agent).
 * {@link Instrumenter} removes the check before it writes the class, from the lengths the
 * writer will give each method ({@link CodeSize}); {@link FastPath} from its own layout.
 *
 * <p>Why that keeps preemption working. The prologue check is there for recursion (loops
 * have their own checks; a method without loops runs a bounded stretch of its own code
 * between calls). A method left without one never calls a method of its own name (any
 * receiver, any descriptor), so direct recursion and structural recursion through a data
 * structure (fib, tree walks, equals/hashCode/compareTo of nested objects, visitors that
 * visit) keep their checks. What is left open is a cycle of calls between differently named
 * methods that are all small (or all within 3 bytes under the hot limit): each method on it
 * would have to be one left without a check. On such a cycle a goroutine would run past its
 * time slice until the recursion returns to a method with a check or a loop; nothing else
 * changes. Go takes a similar risk with NOSPLIT, which it bounds statically instead (the
 * linker's nosplit stack check); the JVM's stack limit would end an unbounded descent, but
 * a recursion that returns and calls again can run long, so the rule above is needed.
 *
 * <p>The limits are HotSpot's defaults on x86-64 and AArch64; a JVM run with other values
 * simply gets the checks placed for the defaults. The sizes are those of the code the agent
 * writes, so every other change the agent made is counted.
 */
final class InlineLimits {
    private InlineLimits() {}

    /** MaxInlineSize and C1MaxInlineSize: inlined at any call site up to this many bytes. */
    static final int MAX_INLINE_SIZE = 35;
    /** FreqInlineSize: C2 inlines a hot callee up to this many bytes. */
    static final int FREQ_INLINE_SIZE = 325;
    /** The prologue check: one invokestatic (PreemptChecks). */
    static final int CHECK_BYTES = 3;

    /**
     * Whether a method of this size (its prologue check included) does without the check:
     * across an inlining limit only because of the check, or, while loops have their own
     * checks ({@code backedges}), small enough to be inlined at any call site. Without loop
     * checks (GODEBUG=asyncpreemptoff=1) the prologue checks are all there is, as in Go
     * without asynchronous preemption, so small methods keep theirs.
     */
    static boolean checkLeftOut(int codeLength, boolean backedges) {
        int without = codeLength - CHECK_BYTES;
        return (without <= MAX_INLINE_SIZE && (backedges || codeLength > MAX_INLINE_SIZE))
                || (without <= FREQ_INLINE_SIZE && codeLength > FREQ_INLINE_SIZE);
    }

    /** The bytecode length of each method of a class file, by name + descriptor. */
    static Map<String, Integer> codeLengths(byte[] classfile) {
        ClassReader cr = new ClassReader(classfile);
        char[] buf = new char[cr.getMaxStringLength()];
        Map<String, Integer> lengths = new HashMap<>();
        int p = cr.header + 6; // access, this_class, super_class
        p += 2 + 2 * cr.readUnsignedShort(p); // interfaces
        int fields = cr.readUnsignedShort(p);
        p += 2;
        for (int i = 0; i < fields; i++) {
            p = skipAttributes(cr, p + 6);
        }
        int methods = cr.readUnsignedShort(p);
        p += 2;
        for (int i = 0; i < methods; i++) {
            String name = cr.readUTF8(p + 2, buf);
            String desc = cr.readUTF8(p + 4, buf);
            int attrs = cr.readUnsignedShort(p + 6);
            p += 8;
            for (int a = 0; a < attrs; a++) {
                int len = cr.readInt(p + 2);
                if ("Code".equals(cr.readUTF8(p, buf))) {
                    lengths.put(name + desc, cr.readInt(p + 10)); // max_stack, max_locals, code_length
                }
                p += 6 + len;
            }
        }
        return lengths;
    }

    private static int skipAttributes(ClassReader cr, int p) {
        int attrs = cr.readUnsignedShort(p);
        p += 2;
        for (int a = 0; a < attrs; a++) {
            p += 6 + cr.readInt(p + 2);
        }
        return p;
    }
}
