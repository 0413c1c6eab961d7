package dev.gort.pprof;

import java.io.IOException;

/**
 * gort's runtime for Java's management tools: the platform MXBean {@value #OBJECT_NAME}, what
 * JConsole and JMC show under {@code dev.gort}. Go has no MXBeans; each attribute is one of
 * Go's scheduler quantities (runtime2.go's {@code schedt} and {@code p}, the fields of
 * {@code GODEBUG=schedtrace}, Go 1.26's {@code runtime/metrics}), named below.
 *
 * <p>The runtime registers the bean itself, once, when it starts: at once if the JVM already
 * has a platform MBean server, else a second later (creating the server costs ~0.2 s, which a
 * short program should not pay), on a daemon thread; {@code -Dgort.jmx=false} turns it off.
 * A failure to register is one line on stderr, never a reason for the runtime not to start.
 * A client reads it with the JDK's own API:
 * <pre>{@code
 * MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
 * int n = (Integer) mbs.getAttribute(new ObjectName("dev.gort:type=Runtime"), "NumGoroutine");
 * RuntimeMXBean rt = JMX.newMXBeanProxy(mbs, new ObjectName(RuntimeMXBean.OBJECT_NAME), RuntimeMXBean.class);
 * }</pre>
 *
 * <p>Attributes are read without stopping anything, as schedtrace reads: each is recent, and
 * two read one after the other need not agree. The counters count from the runtime's start
 * and never go down. Operations run on the caller's thread (a JMX or RMI thread), which they
 * never leave counted as a plain thread that used gort: a deadlock is still reported while
 * a tool watches.
 */
public interface RuntimeMXBean {
    /** The bean's name in the platform MBean server. */
    String OBJECT_NAME = "dev.gort:type=Runtime";

    /** Goroutines that exist now: Go's {@code runtime.NumGoroutine} ({@code gcount}). */
    int getNumGoroutine();

    /** Go's {@code gomaxprocs}: the number of Ps ({@code runtime.GOMAXPROCS(0)}). */
    int getGomaxprocs();

    /** Ps with nothing to run: Go's {@code sched.npidle} (schedtrace's {@code idleprocs}). */
    int getIdleProcs();

    /** Ms out of work and looking for it: Go's {@code sched.nmspinning} (schedtrace's {@code spinningthreads}). */
    int getSpinningThreads();

    /**
     * Each P's local run queue length, in P order: Go's {@code runqtail - runqhead} per P,
     * schedtrace's bracketed list (runnext aside, as there).
     */
    int[] getRunQueueLengths();

    /**
     * Goroutines created since the start: Go 1.26's
     * {@code /sched/goroutines-created:goroutines} (the sum of {@code p.goroutinesCreated}
     * and {@code sched.goroutinesCreated}).
     */
    long getGoroutinesCreated();

    /**
     * Goroutines an M switched to since the start: every {@code execute} (Go's
     * {@code gogo}), including a goroutine woken into runnext. Go's nearest counter,
     * {@code p.schedtick}, counts only new time slices, and a runnext hand-off (a channel
     * ping-pong) inherits the slice, so this counts per P beside it.
     */
    long getContextSwitches();

    /**
     * Goroutines that yielded to a preemption request since the start (Go's
     * {@code gopreempt_m}): sysmon's {@code preemptone} after a 10 ms time slice and a
     * stop-the-world's {@code preemptall}, acted on at a runtime call or, under the agent,
     * at an injected check (which stands in for Go's asynchronous preemption). A request a
     * goroutine cannot act on yet (it holds a lock) counts when it yields.
     */
    long getPreemptions();

    /** Successful {@code runqsteal}s since the start: an idle P's M took work from another P's queue (Go's {@code stealWork}). */
    long getSteals();

    /**
     * Ps that sysmon's {@code retake} took from goroutines in syscalls and handed off
     * ({@code handoffp}) since the start; a syscall gort knows will block hands its P off
     * itself and is not counted. A goroutine blocked in the JDK that sysmon finds counts as
     * in a syscall.
     */
    long getHandoffs();

    /**
     * The goroutine profile as text: {@code Pprof.lookup("goroutine").writeTo(out, debug)}
     * into a String. {@code debug=1}: counts per distinct stack; {@code debug=2}: every
     * goroutine's traceback, as a Go program's crash prints it (above 2 reads as 2).
     *
     * @throws IllegalArgumentException if debug is below 1 (debug=0 is the binary profile:
     *         {@link #writeProfile} writes it to a file)
     */
    String goroutineDump(int debug);

    /**
     * Writes the named profile ({@link Pprof#lookup}: {@code goroutine}, {@code threadcreate})
     * to file, as {@code Profile.writeTo} does: debug=0 Go's gzipped profile.proto for
     * {@code go tool pprof}, 1 and 2 text. The file is replaced.
     *
     * @throws IllegalArgumentException if there is no such profile (the message names it)
     * @throws IOException if the file cannot be written (the JDK's message, with the path)
     */
    void writeProfile(String name, String file, int debug) throws IOException;

    /**
     * Starts an execution trace into file (replaced), for {@code go tool trace}; it runs
     * beside one that {@code dev.gort.trace.Trace} started, if any (from that trace's next
     * generation).
     *
     * @throws IllegalStateException if a trace this bean started is running already
     * @throws IOException if the file cannot be opened for writing
     */
    void startTrace(String file) throws IOException;

    /**
     * Stops the trace {@link #startTrace} began and returns once the file holds all of it
     * (closed). Nothing if none is running, as Go's {@code trace.Stop}.
     */
    void stopTrace();
}
