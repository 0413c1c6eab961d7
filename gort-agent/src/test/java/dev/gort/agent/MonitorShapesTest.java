package dev.gort.agent;

import dev.gort.Gort;
import dev.gort.agentit.MonitorShapes;
import dev.gort.agentit.PinProbe;
import dev.gort.runtime.HookRt;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.gort.agent.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The pins around monitors and locks ({@link Monitors}, {@link CallSites}) on javac's
 * shapes ({@link MonitorShapes}): the exception ranges stay exactly javac's, so HotSpot's
 * JIT compilers still find the monitors balanced (AgentIT checks the compilers
 * themselves), and run on a goroutine, every path that holds a monitor or lock is pinned
 * and every exit, normal or exceptional, unpins once.
 */
class MonitorShapesTest {
    private static final String SHAPES = "dev/gort/agentit/MonitorShapes";
    /** The shapes, and the classes they use package-privately (so they load beside them). */
    private static final List<String> CLASSES = List.of(SHAPES, SHAPES + "$Holder",
            "dev/gort/agentit/AqsPinning$Mutex", "dev/gort/agentit/AqsPinning$OwnerSetMutex",
            "dev/gort/agentit/AqsPinning$OwnerFieldMutex");
    /** Every other fixture with monitors, locks or owner hooks. */
    private static final List<String> OTHERS = List.of("dev/gort/agent/fixtures/Shapes",
            "dev/gort/agent/fixtures/Shapes$OwnableMutex", "dev/gort/agent/fixtures/Shapes$OwnerFieldMutex",
            "dev/gort/agent/fixtures/Ctor", "dev/gort/agent/fixtures/Inits");

    private final Instrumenter in = instrumenter("");

    private static List<MethodNode> methods(byte[] b) {
        ClassNode cn = new ClassNode();
        new ClassReader(b).accept(cn, 0);
        return cn.methods;
    }

    /** HotSpot's monitor analysis, on every method before and after the agent. */
    @Test
    void theJitCompilersStillFindEveryMonitorBalanced() {
        int monitors = 0;
        List<String> names = new ArrayList<>(CLASSES);
        names.addAll(OTHERS);
        for (String name : names) {
            byte[] original = original(name);
            for (MethodNode mn : methods(original)) {
                assertEquals(List.of(), MonitorBalance.problems(mn), "javac's own " + name + "." + mn.name);
            }
            for (MethodNode mn : methods(transformed(in, name, original))) {
                assertEquals(List.of(), MonitorBalance.problems(mn), name + "." + mn.name);
                monitors += count(mn, i -> i.getOpcode() == Opcodes.MONITORENTER);
            }
        }
        assertEquals(20, monitors, "the fixtures' synchronized blocks, all looked at");
    }

    /**
     * Each pin sits on the edge of javac's range: monitorEntered is the first instruction
     * of the ranges that started right after the monitorenter (the block's catch-all is one),
     * and monitorExited lies outside the ranges that ended right after the monitorexit (the
     * block's, or its handler's own), so that no handler can exit the monitor twice; with
     * and without the preemption checks beside them. Past the hooks, the exception table is
     * javac's.
     */
    @Test
    void pinsSitOnTheEdgesOfJavacsRanges() {
        for (String name : CLASSES) {
            byte[] original = original(name);
            Map<String, MethodNode> before = new LinkedHashMap<>();
            methods(original).forEach(mn -> before.put(mn.name + mn.desc, mn));
            for (String options : List.of("", "preempt=off")) {
                for (MethodNode mn : methods(transformed(instrumenter(options), name, original))) {
                    String where = name + "." + mn.name + " (" + options + ")";
                    pinsOnTheEdges(mn, where);
                    if (options.isEmpty()) {
                        continue; // checks and strips add instructions, and no ranges
                    }
                    List<String> table = table(mn);
                    if ((mn.access & Opcodes.ACC_SYNCHRONIZED) != 0 || mn.name.equals("<clinit>")) {
                        // the method's own catch-all, or the initializer hooks' (Initializers), last
                        table = table.subList(0, table.size() - 1);
                    }
                    assertEquals(table(before.get(mn.name + mn.desc)), table, where + ": javac's exception table");
                }
            }
        }
    }

    private static void pinsOnTheEdges(MethodNode mn, String where) {
        for (AbstractInsnNode n : mn.instructions) {
            if (n.getOpcode() == Opcodes.MONITORENTER) {
                AbstractInsnNode hook = next(n);
                assertTrue(isHook(hook, Hooks.MONITOR_ENTERED), where + ": monitorEntered right after monitorenter");
                Set<TryCatchBlockNode> covering = covering(mn, hook);
                assertEquals(covering(mn, next(hook)), covering, where + ": the pin is in the block's ranges");
                assertTrue(covering.stream().anyMatch(t -> t.type == null), where + ": covered by a catch-all");
            } else if (n.getOpcode() == Opcodes.MONITOREXIT) {
                AbstractInsnNode hook = next(n);
                assertTrue(isHook(hook, Hooks.MONITOR_EXITED), where + ": monitorExited right after monitorexit");
                Set<TryCatchBlockNode> both = covering(mn, n);
                both.retainAll(covering(mn, next(hook)));
                assertEquals(both, covering(mn, hook), where + ": the unpin is outside the ranges that end at the monitorexit");
            }
        }
    }

    /** The loops inside blocks are instrumented (so the shapes checked here have their checks). */
    @Test
    void loopsInsideBlocksHaveTheirChecks() {
        byte[] b = transformed(in, SHAPES, original(SHAPES));
        var min = calls("java/lang/Math", "min");
        assertEquals(2, Fixtures.count(b, "stripMinedAtBlockStart", min), "strip-mined");
        assertEquals(2, Fixtures.count(b, "loopInside", min), "its counted loop strip-mined");
        assertEquals(2, Fixtures.count(b, "loopAtBlockStart", Fixtures::isCheck), "prologue and loop header");
        assertEquals(2, Fixtures.count(b, "loopAround", min), "a strip-mined loop around a block");
    }

    /** The exception table as [start, end) -> handler, each label as the count of original instructions before it. */
    private static List<String> table(MethodNode mn) {
        List<String> t = new ArrayList<>();
        for (TryCatchBlockNode b : mn.tryCatchBlocks) {
            t.add("[" + position(mn, b.start) + ", " + position(mn, b.end) + ") -> " + position(mn, b.handler) + " " + b.type);
        }
        return t;
    }

    /** How many instructions, added hooks not counted, come before n (a Lock's call replaced by its hook counts). */
    private static int position(MethodNode mn, AbstractInsnNode n) {
        int k = 0;
        for (AbstractInsnNode i = mn.instructions.getFirst(); i != n; i = i.getNext()) {
            boolean added = isHook(i, null) && !((MethodInsnNode) i).desc.startsWith("(L" + Hooks.LOCK_TYPE + ";");
            k += i.getOpcode() >= 0 && !added ? 1 : 0;
        }
        return k;
    }

    private static boolean isHook(AbstractInsnNode n, String name) {
        return n instanceof MethodInsnNode m && m.owner.equals(Hooks.PINNING) && (name == null || m.name.equals(name));
    }

    private static AbstractInsnNode next(AbstractInsnNode n) {
        do {
            n = n.getNext();
        } while (n != null && n.getOpcode() < 0);
        return n;
    }

    private static Set<TryCatchBlockNode> covering(MethodNode mn, AbstractInsnNode n) {
        int i = mn.instructions.indexOf(n);
        Set<TryCatchBlockNode> s = new HashSet<>();
        for (TryCatchBlockNode t : mn.tryCatchBlocks) {
            if (mn.instructions.indexOf(t.start) <= i && i < mn.instructions.indexOf(t.end)) {
                s.add(t);
            }
        }
        return s;
    }

    private static int count(MethodNode mn, java.util.function.Predicate<AbstractInsnNode> p) {
        int k = 0;
        for (AbstractInsnNode i : mn.instructions) {
            k += p.test(i) ? 1 : 0;
        }
        return k;
    }

    /** One call: what it returned (or threw), the pins seen inside, the pins and the monitor held after. */
    record Call(String call, String result, List<String> inside, int pinsAfter, boolean lockHeldAfter) {}

    /** The shapes, each called with n = 1 and 2 (normal paths; 2: returnInside's return from inside) and 3 (exceptional). */
    private static final List<String> SHAPE_NAMES = List.of("oneLine", "onField", "onThis", "onClass", "nested",
            "returnInside", "loopInside", "loopAtBlockStart", "stripMinedAtBlockStart", "loopAround",
            "tryFinallyInside", "throwsOut", "caughtAround", "breakContinue", "inLambda", "inConstructor",
            "methodAndBlock", "staticMethod", "lockUnlock", "aqs");

    /** The pin counts a shape's probes see inside its blocks, called with n. */
    private static List<String> inside(String shape, int n) {
        return switch (shape) {
            case "oneLine", "loopAround", "breakContinue" -> List.of();
            case "nested" -> List.of("outer=1", "inner=2", "outer again=1");
            case "tryFinallyInside" -> List.of("finally=1");
            case "caughtAround" -> n == 3 ? List.of("caught=0") : List.of();
            case "inLambda" -> List.of("lambda=1");
            case "inConstructor" -> List.of("constructor=1");
            case "methodAndBlock" -> List.of("method=1", "method and block=2");
            case "staticMethod" -> List.of("static method=1");
            case "lockUnlock" -> n == 3 ? List.of("lock=1") : List.of("lock=1", "tryLock=1");
            case "aqs" -> List.of("owner set=1", "owner field=1");
            default -> List.of(shape + "=1");
        };
    }

    @Test
    void onAGoroutineEveryHeldMonitorIsPinnedAndEveryExitUnpinsOnce() throws Exception {
        Loader loader = new Loader();
        for (String name : CLASSES) {
            loader.with(transformed(in, name, original(name)));
        }
        Class<?> instrumented = loader.loadClass(MonitorShapes.class.getName());
        assertNotSame(MonitorShapes.class, instrumented);
        List<Call> got = run(instrumented);
        List<Call> plain = run(MonitorShapes.class);
        assertEquals(plain.size(), got.size());
        for (int k = 0; k < got.size(); k++) {
            Call g = got.get(k), p = plain.get(k);
            String shape = g.call().substring(0, g.call().indexOf('('));
            int n = g.call().charAt(shape.length() + 1) - '0';
            assertEquals(p.result(), g.result(), g.call() + ": as before");
            assertEquals(0, g.pinsAfter(), g.call() + ": every pin undone");
            assertFalse(g.lockHeldAfter(), g.call() + ": the monitor released");
            assertEquals(inside(shape, n), g.inside(), g.call() + ": the pins inside");
            assertTrue(p.inside().stream().allMatch(s -> s.endsWith("=0")), "uninstrumented, nothing pins: " + p);
        }
        assertTrue(got.stream().anyMatch(c -> c.result().startsWith("java.lang.IllegalStateException")), "exceptional paths taken");
    }

    /** Calls each shape with 1, 2 and 3 on a goroutine, as the class c is (instrumented or not). */
    private static List<Call> run(Class<?> c) throws Exception {
        Object lock = c.getField("LOCK").get(null);
        List<Call> calls = new ArrayList<>();
        Exception[] failed = new Exception[1];
        Gort.run(() -> {
            PinProbe.record();
            try {
                for (String shape : SHAPE_NAMES) {
                    Method m = c.getMethod(shape, int.class);
                    for (int n = 1; n <= 3; n++) {
                        Object target = Modifier.isStatic(m.getModifiers()) ? null : c.getConstructor().newInstance();
                        String result;
                        try {
                            result = String.valueOf(m.invoke(target, n));
                        } catch (InvocationTargetException e) {
                            result = e.getCause().toString();
                        }
                        calls.add(new Call(shape + "(" + n + ")", result, PinProbe.take(), HookRt.lockPins(),
                                Thread.holdsLock(lock)));
                    }
                }
            } catch (Exception e) {
                failed[0] = e;
            } finally {
                PinProbe.stop();
            }
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        return calls;
    }
}
