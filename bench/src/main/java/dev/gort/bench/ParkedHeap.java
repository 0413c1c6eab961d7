package dev.gort.bench;

import dev.gort.Chan;
import dev.gort.Gort;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Heap held per parked goroutine: (heap used after a full GC with N goroutines parked, minus
 * the same before they were started) / N. Run it in a fresh JVM per implementation:
 *
 * <pre>
 * java --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -cp benchmarks.jar \
 *     dev.gort.bench.ParkedHeap gort|loom|bare [N]
 * </pre>
 *
 * <ul>
 *   <li>{@code gort}: a main goroutine starts N goroutines that each count themselves and
 *       then block in {@code recv} on one shared unbuffered channel; main returns and the
 *       goroutines stay parked (a run's leftovers live on). At the end the channel is closed
 *       and every goroutine returns.</li>
 *   <li>{@code loom}: N virtual threads each count themselves and block in
 *       {@code SynchronousQueue.take()} on one shared queue; released by N puts.</li>
 *   <li>{@code bare}: N bare {@code jdk.internal.vm.Continuation}s yielded at depth 2,
 *       referenced from an array (nothing else would keep them alive); the lower bound of
 *       any continuation-based runtime.</li>
 * </ul>
 *
 * Before the baseline, warm-up rounds of the same kind (5 x 100,000, released; properties
 * {@code parked.warmupRounds}, {@code parked.warmupN}) load and JIT-compile the code paths
 * (a frozen interpreted frame is bigger than a compiled one), so the delta is the parked goroutines' own data: the G (or
 * thread) object, its continuation and frozen stack chunk, the sudog / wait node, and its
 * share of the runtime's tables (allgs). Prints one line starting {@code PARKED_HEAP};
 * {@code -Dparked.histo=K} also prints the top K lines of the class histogram (to stderr)
 * while they are parked.
 */
public final class ParkedHeap {
    private ParkedHeap() {}


    static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc(); // a full collection (G1: -XX:-ExplicitGCInvokesConcurrent is the default)
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static void awaitCount(AtomicInteger counter, int n, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (counter.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + counter.get() + " of " + n + " " + what + " after 300 s");
            }
            Thread.sleep(5);
        }
        Thread.sleep(200); // the last ones go from "counted" to parked
    }

    interface Impl {
        /** Start n parked goroutines; return when all are parked. */
        void park(int n) throws InterruptedException;

        /** Release them all; return when they are gone. */
        void release() throws InterruptedException;
    }

    static final class GortImpl implements Impl {
        Chan<Object> ch;
        final AtomicInteger parked = new AtomicInteger();
        int n;

        @Override
        public void park(int n) throws InterruptedException {
            this.n = n;
            Chan<Object> c = Chan.make();
            ch = c;
            parked.set(0);
            AtomicInteger counter = parked;
            Runnable body = () -> {
                counter.incrementAndGet();
                c.recv();
            };
            Gort.run(() -> {
                for (int i = 0; i < n; i++) {
                    Gort.go(body);
                }
            });
            awaitCount(parked, n, "goroutines started");
        }

        @Override
        public void release() throws InterruptedException {
            // Closed from a goroutine, not from this plain thread: a close on a plain thread
            // that never blocked can kill the process with "checkdead: find g N in status 1"
            // (see bench/RESULTS.md, "Runtime anomalies").
            Chan<Object> c = ch;
            Gort.run(c::close);
            ch = null;
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (Gort.numGoroutine() > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(Gort.numGoroutine() + " goroutines left 300 s after close");
                }
                Thread.sleep(5);
            }
        }
    }

    static final class LoomImpl implements Impl {
        SynchronousQueue<Object> q;
        Thread[] last = new Thread[1];
        final AtomicInteger parked = new AtomicInteger();
        final AtomicInteger gone = new AtomicInteger();
        int n;

        @Override
        public void park(int n) throws InterruptedException {
            this.n = n;
            SynchronousQueue<Object> sq = new SynchronousQueue<>();
            q = sq;
            parked.set(0);
            gone.set(0);
            AtomicInteger counter = parked;
            AtomicInteger done = gone;
            Runnable body = () -> {
                counter.incrementAndGet();
                Loom.take(sq);
                done.incrementAndGet();
            };
            for (int i = 0; i < n; i++) {
                Thread.ofVirtual().start(body);
            }
            awaitCount(parked, n, "virtual threads started");
        }

        @Override
        public void release() throws InterruptedException {
            for (int i = 0; i < n; i++) {
                q.put(Loom.ITEM);
            }
            q = null;
            awaitCount(gone, n, "virtual threads finished");
        }
    }

    static final class BareImpl implements Impl {
        Object[] conts;

        @Override
        public void park(int n) {
            conts = BareContinuation.park(n);
        }

        @Override
        public void release() {
            BareContinuation.release(conts);
            conts = null;
        }
    }

    /** The first {@code lines} lines of the class histogram (jcmd GC.class_histogram) to stderr. */
    static void printHistogram(int lines) throws Exception {
        javax.management.MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName name = new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand");
        String out = (String) server.invoke(name, "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        String[] ls = out.split("\n");
        for (int i = 0; i < Math.min(lines + 2, ls.length); i++) {
            System.err.println(ls[i]);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ParkedHeap gort|loom|bare [N]");
            System.exit(2);
        }
        String kind = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 1_000_000;
        Impl impl = switch (kind) {
            case "gort" -> new GortImpl();
            case "loom" -> new LoomImpl();
            case "bare" -> new BareImpl();
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
        if (impl instanceof GortImpl) {
            Gort.run(() -> {}); // start the runtime (Ps, first M) before anything is measured
        }
        // Warm-up: parked frames are frozen as they are (interpreted frames are bigger than
        // compiled ones), so the park path must be JIT-compiled before the measured round.
        int warmRounds = Integer.getInteger("parked.warmupRounds", 5);
        int warmN = Integer.getInteger("parked.warmupN", 100_000);
        for (int round = 0; round < warmRounds; round++) {
            impl.park(warmN);
            impl.release();
        }
        long before = usedAfterGc();
        long t0 = System.nanoTime();
        impl.park(n);
        long parkNanos = System.nanoTime() - t0;
        long after = usedAfterGc();
        int histo = Integer.getInteger("parked.histo", 0);
        if (histo > 0) {
            printHistogram(histo);
        }
        long t1 = System.nanoTime();
        impl.release();
        long releaseNanos = System.nanoTime() - t1;
        long end = usedAfterGc();
        double per = (double) (after - before) / n;
        System.out.printf(Locale.ROOT,
                "PARKED_HEAP impl=%s n=%d bytes_per=%.1f before=%d after=%d released=%d park_ms=%.0f release_ms=%.0f java=%s gc=%s%n",
                kind, n, per, before, after, end, parkNanos / 1e6, releaseNanos / 1e6,
                System.getProperty("java.version"),
                ManagementFactory.getGarbageCollectorMXBeans().get(0).getName());
    }
}
