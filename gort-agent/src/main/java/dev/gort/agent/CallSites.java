package dev.gort.agent;

import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

import java.util.Map;
import java.util.Set;

/**
 * Rewrites call sites: blocking JDK calls into their {@code Blocking} wrappers (syscalls,
 * or a goroutine sleep), a {@code Lock}'s acquisitions and releases into the pinning
 * hooks of the same names (which call them in a frame of their own, so that the lock
 * names the thread the goroutine runs on: the runtime's {@code Current.lockCall}, and pin
 * or unpin), and synchronizers on AQS setting their owner thread followed by the owner
 * hook, and {@code Thread.currentThread()} into {@code ThreadIdentity.currentThread()} (C2
 * keeps the current thread for a whole compiled method, so a goroutine moved to another M
 * by a park or a preemption check would read the M it ran on before: the hook reads it
 * afresh on an M). The wrapper table ({@link WrapperTable}) is generated from the runtime's
 * {@code @Wraps} annotations.
 *
 * <p>A hook goes right after the call it follows, or in its place, in the same exception ranges. It takes
 * and releases no monitor, so HotSpot's monitor analysis, which decides whether the JIT
 * compilers take the method ({@link Monitors}), does not care where it falls; inside a
 * synchronized block it is covered by the block's handler like the call before it, as
 * every call made holding a monitor must be.
 */
final class CallSites {
    /** "owner.name desc" of a wrapped JDK method (owner "*": any) -> its wrapper's descriptor. */
    private final Map<String, String> wrappers;

    static final Set<String> LOCKS = Set.of("java/util/concurrent/locks/Lock",
            "java/util/concurrent/locks/ReentrantLock",
            "java/util/concurrent/locks/ReentrantReadWriteLock$ReadLock",
            "java/util/concurrent/locks/ReentrantReadWriteLock$WriteLock");

    /**
     * {@code AbstractOwnableSynchronizer.setExclusiveOwnerThread}, which every owner-based
     * synchronizer on AQS calls from its own tryAcquire and tryRelease (it is protected and
     * final, so the call is in the subclass, named after it): matched by name, whatever the
     * owner class, as resolving the hierarchy would mean loading classes while one loads.
     */
    static final String OWNER_SET = "setExclusiveOwnerThread";
    static final String OWNER_SET_DESC = "(Ljava/lang/Thread;)V";
    private static final String THREAD_DESC = "Ljava/lang/Thread;";
    private static final Set<String> SYNCHRONIZERS = Set.of("java/util/concurrent/locks/AbstractQueuedSynchronizer",
            "java/util/concurrent/locks/AbstractQueuedLongSynchronizer",
            "java/util/concurrent/locks/AbstractOwnableSynchronizer");

    /** The names of the wrapped methods: most calls are ruled out by name alone, without building a key. */
    private final Set<String> wrappedNames = new java.util.HashSet<>();

    CallSites(boolean blocking) {
        this.wrappers = blocking ? WrapperTable.load() : Map.of();
        for (String k : wrappers.keySet()) {
            wrappedNames.add(k.substring(k.indexOf('.') + 1, k.indexOf('(')));
        }
    }

    /**
     * Rewrites mn's call sites; returns whether anything changed. In a synchronizer's own
     * class ({@link #isSynchronizer}), a thread stored into one of its fields is taken for
     * its owner, as setExclusiveOwnerThread is (Groovy's LockableObject keeps its owner so).
     */
    boolean apply(ClassNode cn, MethodNode mn) {
        boolean changed = false;
        boolean ownerFields = isSynchronizer(cn) && !mn.name.equals("<init>");
        for (AbstractInsnNode n = mn.instructions.getFirst(); n != null; n = n.getNext()) {
            if (ownerFields && n instanceof FieldInsnNode put && put.getOpcode() == Opcodes.PUTFIELD
                    && put.owner.equals(cn.name) && put.desc.equals(THREAD_DESC)) {
                n = ownerHook(mn, put);
                changed = true;
                continue;
            }
            if (n instanceof InvokeDynamicInsnNode indy) {
                changed |= wrapMethodReference(indy);
                continue;
            }
            if (!(n instanceof MethodInsnNode call)) {
                continue;
            }
            int op = call.getOpcode();
            if (op == Opcodes.INVOKESPECIAL) {
                continue; // super.read() and constructors stay as they are
            }
            if (op == Opcodes.INVOKESTATIC && isCurrentThread(call.owner, call.name, call.desc)) {
                // Same stack, same exception ranges: only the owner changes.
                call.owner = Hooks.THREAD_IDENTITY;
                call.name = Hooks.CURRENT_THREAD;
                changed = true;
                continue;
            }
            String wrapper = wrapperFor(call);
            if (wrapper != null) {
                call.setOpcode(Opcodes.INVOKESTATIC);
                call.owner = Hooks.BLOCKING;
                call.desc = wrapper;
                call.itf = false;
                changed = true;
                continue;
            }
            if (op == Opcodes.INVOKEVIRTUAL && call.name.equals(OWNER_SET) && call.desc.equals(OWNER_SET_DESC)) {
                n = ownerHook(mn, call);
                changed = true;
                continue;
            }
            if (op != Opcodes.INVOKESTATIC && LOCKS.contains(call.owner) && isLockCall(call.name, call.desc)) {
                // [lock, args] -> Pinning.name(lock, args): the same stack, the same exception ranges.
                call.setOpcode(Opcodes.INVOKESTATIC);
                call.owner = Hooks.PINNING;
                call.desc = "(L" + Hooks.LOCK_TYPE + ";" + call.desc.substring(1);
                call.itf = false;
                changed = true;
            }
        }
        return changed;
    }

    static final String LAMBDA_METAFACTORY = "java/lang/invoke/LambdaMetafactory";

    /**
     * A method reference to a wrapped JDK method ({@code in::read}, {@code queue::take}) is
     * not a call site: javac compiles it to an invokedynamic whose LambdaMetafactory
     * implementation handle names the method, and the lambda calls it from a class the agent
     * never sees. Point that handle at the wrapper instead (a static method taking the
     * receiver first, which is the shape LambdaMetafactory expects of a bound or unbound
     * receiver). Only {@code metafactory}: {@code altMetafactory} serves serializable lambdas,
     * whose deserialization checks the implementation method's name and kind.
     */
    private boolean wrapMethodReference(InvokeDynamicInsnNode indy) {
        if (!indy.bsm.getOwner().equals(LAMBDA_METAFACTORY) || !indy.bsm.getName().equals("metafactory")
                || indy.bsmArgs.length < 3 || !(indy.bsmArgs[1] instanceof Handle impl)) {
            return false;
        }
        int tag = impl.getTag();
        boolean isStatic = tag == Opcodes.H_INVOKESTATIC;
        if (!isStatic && tag != Opcodes.H_INVOKEVIRTUAL && tag != Opcodes.H_INVOKEINTERFACE) {
            return false; // constructors, super calls
        }
        String w = wrapperFor(impl.getOwner(), impl.getName(), impl.getDesc(), isStatic);
        if (w == null) {
            return false;
        }
        indy.bsmArgs[1] = new Handle(Opcodes.H_INVOKESTATIC, Hooks.BLOCKING, impl.getName(), w, false);
        return true;
    }

    private String wrapperFor(MethodInsnNode call) {
        return wrapperFor(call.owner, call.name, call.desc, call.getOpcode() == Opcodes.INVOKESTATIC);
    }

    String wrapperFor(String owner, String name, String desc, boolean isStatic) {
        if (!wrappedNames.contains(name)) {
            return null;
        }
        String w = wrappers.get(owner + "." + name + desc);
        if (w == null && !isStatic) {
            w = wrappers.get("*." + name + desc);
        }
        if (w == null) {
            return null;
        }
        // The wrapper of a static method takes the same arguments; of an instance method, one more.
        int extra = Type.getArgumentCount(w) - Type.getArgumentCount(desc);
        return extra == (isStatic ? 0 : 1) ? w : null;
    }

    /**
     * Around an instruction that takes [sync, owner thread] off the stack (the setter, or a
     * putfield): [sync, owner] -> [sync, owner, sync, owner] -> it -> Pinning.ownerSet(sync,
     * owner). Returns the hook's call, the last instruction added.
     */
    private static AbstractInsnNode ownerHook(MethodNode mn, AbstractInsnNode setOwner) {
        mn.instructions.insertBefore(setOwner, new InsnNode(Opcodes.DUP2));
        MethodInsnNode after = new MethodInsnNode(Opcodes.INVOKESTATIC, Hooks.PINNING, Hooks.OWNER_SET,
                Hooks.OWNER_SET_DESC, false);
        mn.instructions.insert(setOwner, after);
        return after;
    }

    /** Whether cn is a synchronizer written directly on the JDK's: its owner fields pin. */
    static boolean isSynchronizer(ClassNode cn) {
        return isSynchronizer(cn.superName);
    }

    /** isSynchronizer, by the class's super class. */
    static boolean isSynchronizer(String superName) {
        return superName != null && SYNCHRONIZERS.contains(superName);
    }

    /** {@code Thread.currentThread()}, which {@code ThreadIdentity.currentThread()} replaces. */
    static boolean isCurrentThread(String owner, String name, String desc) {
        return owner.equals("java/lang/Thread") && name.equals(Hooks.CURRENT_THREAD)
                && desc.equals(Hooks.CURRENT_THREAD_DESC);
    }

    /** Whether Lock.name(desc) takes or releases the lock: the calls Pinning replaces. */
    static boolean isLockCall(String name, String desc) {
        return switch (name + desc) {
            case "lock()V", "lockInterruptibly()V", "tryLock()Z", "tryLock(JLjava/util/concurrent/TimeUnit;)Z",
                    "unlock()V" -> true;
            default -> false;
        };
    }
}
