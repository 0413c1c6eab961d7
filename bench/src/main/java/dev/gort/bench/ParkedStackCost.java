package dev.gort.bench;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

import java.util.EnumSet;
import java.util.Set;

/**
 * What reading a parked continuation's stack costs, the goroutine profile's main cost
 * (dev.gort.runtime.ProfStack): 20,000 bare continuations yielded at depth DEPTH+2, each
 * walked five ways per round: {@code getStackTrace()}; the continuation's
 * {@code stackWalker} reading class, method name and bci of each frame (what ProfStack
 * reads), bci only, method name and line; and the first frame only (the walk's fixed cost);
 * then the bytes allocated per walk, and {@code Thread.getStackTrace()} of a running
 * platform thread (a JVM handshake: how a running goroutine's stack is read from its M).
 *
 * <pre>
 * java --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -cp benchmarks.jar dev.gort.bench.ParkedStackCost [DEPTH]
 * </pre>
 */
public final class ParkedStackCost {
    private ParkedStackCost() {}

    static final ContinuationScope S = new ContinuationScope("x");
    static void rec(int d) { if (d == 0) Continuation.yield(S); else rec(d - 1); }
    static volatile Object sink;
    private record Key(Class<?> c, String m, int bci) {}
    public static void main(String[] a) throws Exception {
        int N = 20000, depth = a.length > 0 ? Integer.parseInt(a[0]) : 8;
        Continuation[] cs = new Continuation[N];
        for (int i = 0; i < N; i++) { cs[i] = new Continuation(S, () -> rec(depth)); cs[i].run(); }
        System.out.println("frames=" + cs[0].getStackTrace().length);
        Set<StackWalker.Option> rc = EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE);
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (Continuation c : cs) sink = c.getStackTrace();
            long t1 = System.nanoTime();
            for (Continuation c : cs) sink = c.stackWalker(rc).walk(s -> s.map(f -> new Key(f.getDeclaringClass(), f.getMethodName(), f.getByteCodeIndex())).toArray());
            long t2 = System.nanoTime();
            for (Continuation c : cs) sink = c.stackWalker(rc).walk(s -> { int[] n={0}; s.forEach(f -> n[0]+=f.getByteCodeIndex()); return n[0]; });
            long t3 = System.nanoTime();
            for (Continuation c : cs) sink = c.stackWalker().walk(s -> s.map(f -> f.getMethodName() + f.getLineNumber()).toArray());
            long t4 = System.nanoTime();
            for (Continuation c : cs) sink = c.stackWalker(rc).walk(s -> s.limit(1).findFirst());
            long t5 = System.nanoTime();
            System.out.printf("getStackTrace %.2f us | walker class+name+bci %.2f us | walker bci only %.2f | walker name+line %.2f | walker first frame %.2f%n",
                (t1-t0)/1e3/N, (t2-t1)/1e3/N, (t3-t2)/1e3/N, (t4-t3)/1e3/N, (t5-t4)/1e3/N);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long a0 = mx.getThreadAllocatedBytes(tid);
        for (Continuation c : cs) sink = c.getStackTrace();
        long a1 = mx.getThreadAllocatedBytes(tid);
        for (Continuation c : cs) sink = c.stackWalker(rc).walk(s -> { int[] n={0}; s.forEach(f -> n[0]+=f.getByteCodeIndex()); return n[0]; });
        long a2 = mx.getThreadAllocatedBytes(tid);
        for (Continuation c : cs) sink = c.stackWalker(rc).walk(s -> { int[] n={0}; s.forEach(f -> n[0]+=f.getMethodName().length() + f.getByteCodeIndex()); return n[0]; });
        long a3 = mx.getThreadAllocatedBytes(tid);
        for (Continuation c : cs) sink = c.stackWalker(rc).walk(s -> s.findFirst());
        long a4 = mx.getThreadAllocatedBytes(tid);
        System.out.printf("bytes/walk: getStackTrace %d | walker bci %d | walker name+bci %d | walker first frame %d%n", (a1-a0)/N, (a2-a1)/N, (a3-a2)/N, (a4-a3)/N);
        // running thread stack
        Thread th = new Thread(() -> { long x = 1; while (true) { x ^= x << 13; x ^= x >>> 7; x ^= x << 17; if (x == 42) sink = x; } });
        th.setDaemon(true); th.start(); Thread.sleep(100);
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 2000; i++) sink = th.getStackTrace();
            long t1 = System.nanoTime();
            System.out.printf("Thread.getStackTrace of a running thread %.2f us%n", (t1-t0)/1e3/2000);
        }
    }
}
