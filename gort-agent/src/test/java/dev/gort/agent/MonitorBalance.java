package dev.gort.agent;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * HotSpot's test of whether a method's monitors are balanced, which both JIT compilers
 * ask before compiling it ({@code ciMethod::has_balanced_monitors}: C1 gives up with
 * "invalid parsing", C2 with "not compilable (unbalanced monitors)", and the method runs
 * interpreted forever). It is {@code GenerateOopMap}'s monitor stack, followed over the
 * control flow; this is the same walk, by depth only (HotSpot also checks that each
 * monitorexit names the object on top of the stack: javac's code always does).
 *
 * <p>The rules, from {@code generateOopMap.cpp}: at every instruction that can throw, the
 * monitor depth before it flows into each handler whose range covers it, up to the first
 * catch-all one, and must equal the depth every other path reaches that handler with
 * ("monitor stack height merge conflict"); if no catch-all covers it, the depth must be 0
 * ("non-empty monitor stack at exceptional exit"). A monitorexit with monitors held and a
 * return without are taken not to throw. A return with monitors held is unbalanced.
 * That is why javac's range for a synchronized block starts right after the monitorenter
 * and ends right after the monitorexit, and its handler's range covers the handler's own
 * monitorexit: every instruction that can throw while the monitor is held is covered, by a
 * handler that is reached holding it.
 */
final class MonitorBalance {
    private MonitorBalance() {}

    private static final int UNSEEN = -1;

    /** What {@link #inJar} found: how many instrumented methods have monitors, and what went wrong in them. */
    record JarReport(int withMonitors, List<String> problems) {}

    /**
     * Every class in a jar, instrumented as the agent would: the methods that HotSpot finds
     * balanced before and not after, with their problems (an application's real shapes,
     * javac's and other compilers', beside the fixtures').
     */
    static JarReport inJar(Path jar, Instrumenter in) throws IOException {
        int withMonitors = 0;
        List<String> problems = new ArrayList<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (ZipEntry e : Collections.list(z.entries())) {
                if (!e.getName().endsWith(".class") || e.getName().endsWith("module-info.class")) {
                    continue;
                }
                byte[] original = z.getInputStream(e).readAllBytes();
                byte[] out = in.transform(original, false);
                if (out == null) {
                    continue;
                }
                Set<String> balancedBefore = new HashSet<>();
                for (MethodNode mn : methods(original)) {
                    if (problems(mn).isEmpty()) {
                        balancedBefore.add(mn.name + mn.desc);
                    }
                }
                for (MethodNode mn : methods(out)) {
                    boolean monitors = (mn.access & Opcodes.ACC_SYNCHRONIZED) != 0;
                    for (AbstractInsnNode i : mn.instructions) {
                        monitors |= i.getOpcode() == Opcodes.MONITORENTER;
                    }
                    if (!monitors) {
                        continue;
                    }
                    withMonitors++;
                    List<String> p = problems(mn);
                    if (!p.isEmpty() && balancedBefore.contains(mn.name + mn.desc)) {
                        problems.add(e.getName() + " " + p);
                    }
                }
            }
        }
        return new JarReport(withMonitors, problems);
    }

    private static List<MethodNode> methods(byte[] b) {
        ClassNode cn = new ClassNode();
        new ClassReader(b).accept(cn, 0);
        return cn.methods;
    }

    /** What HotSpot would find unbalanced in mn (empty: the JIT compilers accept it). */
    static List<String> problems(MethodNode mn) {
        InsnList insns = mn.instructions;
        int n = insns.size();
        int[] depth = new int[n];
        Arrays.fill(depth, UNSEEN);
        List<String> problems = new ArrayList<>();
        Deque<Integer> work = new ArrayDeque<>();
        if (n == 0) {
            return problems;
        }
        depth[0] = 0;
        work.push(0);
        while (!work.isEmpty()) {
            int i = work.pop();
            int d = depth[i];
            AbstractInsnNode insn = insns.get(i);
            int op = insn.getOpcode();
            if (op == Opcodes.JSR || op == Opcodes.RET) {
                problems.add("jsr/ret: not followed");
                return problems;
            }
            if (canThrow(op, d)) {
                boolean caught = false;
                for (TryCatchBlockNode t : mn.tryCatchBlocks) {
                    if (insns.indexOf(t.start) <= i && i < insns.indexOf(t.end)) {
                        merge(insns.indexOf(t.handler), d, depth, work, problems, at(mn, i));
                        if (t.type == null) {
                            caught = true;
                            break;
                        }
                    }
                }
                if (!caught && d != 0) {
                    problems.add("non-empty monitor stack at exceptional exit: " + at(mn, i));
                }
            }
            int after = d;
            if (op == Opcodes.MONITORENTER) {
                after = d + 1;
            } else if (op == Opcodes.MONITOREXIT) {
                if (d == 0) {
                    problems.add("monitorexit with an empty monitor stack: " + at(mn, i));
                    continue;
                }
                after = d - 1;
            } else if (op >= Opcodes.IRETURN && op <= Opcodes.RETURN && d != 0) {
                problems.add("non-empty monitor stack at return: " + at(mn, i));
            }
            for (int s : successors(insns, insn, i)) {
                merge(s, after, depth, work, problems, at(mn, i));
            }
        }
        return problems;
    }

    private static void merge(int target, int d, int[] depth, Deque<Integer> work, List<String> problems, String from) {
        if (depth[target] == UNSEEN) {
            depth[target] = d;
            work.push(target);
        } else if (depth[target] != d) {
            problems.add("monitor stack height merge conflict (" + depth[target] + " and " + d + ") from " + from);
        }
    }

    private static List<Integer> successors(InsnList insns, AbstractInsnNode insn, int i) {
        List<Integer> s = new ArrayList<>();
        int op = insn.getOpcode();
        if (insn instanceof JumpInsnNode j) {
            s.add(insns.indexOf(j.label));
            if (op != Opcodes.GOTO) {
                s.add(i + 1);
            }
        } else if (insn instanceof TableSwitchInsnNode t) {
            t.labels.forEach(l -> s.add(insns.indexOf(l)));
            s.add(insns.indexOf(t.dflt));
        } else if (insn instanceof LookupSwitchInsnNode t) {
            t.labels.forEach(l -> s.add(insns.indexOf(l)));
            s.add(insns.indexOf(t.dflt));
        } else if (op == Opcodes.ATHROW || (op >= Opcodes.IRETURN && op <= Opcodes.RETURN)) {
            return s;
        } else if (i + 1 < insns.size()) {
            s.add(i + 1);
        }
        return s;
    }

    /** Whether HotSpot takes the instruction to throw, with d monitors held before it. */
    private static boolean canThrow(int op, int d) {
        return switch (op) {
            case Opcodes.MONITOREXIT -> d == 0;
            case Opcodes.IRETURN, Opcodes.LRETURN, Opcodes.FRETURN, Opcodes.DRETURN, Opcodes.ARETURN,
                 Opcodes.RETURN -> d != 0;
            case Opcodes.IALOAD, Opcodes.LALOAD, Opcodes.FALOAD, Opcodes.DALOAD, Opcodes.AALOAD, Opcodes.BALOAD,
                 Opcodes.CALOAD, Opcodes.SALOAD, Opcodes.IASTORE, Opcodes.LASTORE, Opcodes.FASTORE, Opcodes.DASTORE,
                 Opcodes.AASTORE, Opcodes.BASTORE, Opcodes.CASTORE, Opcodes.SASTORE, Opcodes.ARRAYLENGTH,
                 Opcodes.IDIV, Opcodes.IREM, Opcodes.LDIV, Opcodes.LREM, Opcodes.LDC, Opcodes.GETSTATIC,
                 Opcodes.PUTSTATIC, Opcodes.GETFIELD, Opcodes.PUTFIELD, Opcodes.INVOKEVIRTUAL, Opcodes.INVOKESPECIAL,
                 Opcodes.INVOKESTATIC, Opcodes.INVOKEINTERFACE, Opcodes.INVOKEDYNAMIC, Opcodes.NEW, Opcodes.NEWARRAY,
                 Opcodes.ANEWARRAY, Opcodes.MULTIANEWARRAY, Opcodes.CHECKCAST, Opcodes.INSTANCEOF, Opcodes.ATHROW,
                 Opcodes.MONITORENTER -> true;
            default -> false;
        };
    }

    private static String at(MethodNode mn, int i) {
        return mn.name + mn.desc + " at instruction " + i + " (opcode " + mn.instructions.get(i).getOpcode() + ")";
    }
}
