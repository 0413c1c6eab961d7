package dev.gort.agent;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.gort.tests.JavaProcess;
import dev.gort.tests.JavaProcess.Result;

import static org.junit.jupiter.api.Assertions.*;

/** The agent jar, in a real JVM: it opens the continuations, so no --add-exports is needed. */
class AgentIT {
    private static final String AGENT = System.getProperty("agent.jar");
    private static final String CP = System.getProperty("runtime.classpath");

    private static Result java(String... args) throws Exception {
        return JavaProcess.run(120, args);
    }

    @Test
    void withTheAgentNoFlagIsNeeded() throws Exception {
        Result r = java("-javaagent:" + AGENT, "-cp", CP, "dev.gort.agent.AgentSmoke");
        assertEquals(0, r.exit(), r.err());
        assertEquals("pong from a goroutine\n", r.out());
    }

    @Test
    void withoutItTheFirstUseNamesTheFlag() throws Exception {
        Result r = java("-cp", CP, "dev.gort.agent.AgentSmoke");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED"), r.err());
    }

    @Test
    void unknownOptionsAndBadValuesStopTheJvmNamingThem() throws Exception {
        for (String[] bad : new String[][] {{"bogus=1", "unknown option 'bogus'"}, {"maxprocs=abc", "'abc' for option 'maxprocs'"},
                {"preempt=sometimes", "'sometimes' for option 'preempt'"}, {"pprof=nonsense", "'nonsense' for option 'pprof'"},
                {"cache=", "'' for option 'cache'"}}) {
            Result r = java("-javaagent:" + AGENT + "=" + bad[0], "-cp", CP, "dev.gort.agent.AgentSmoke");
            assertEquals(2, r.exit(), bad[0]);
            assertTrue(r.err().contains("gort-agent: ") && r.err().contains(bad[1]), r.err());
            assertEquals("", r.out());
        }
    }

    /** Two JVMs filling one empty cache at once: both run right, neither sees a damaged entry, a third hits. */
    @Test
    void twoJvmsFillingOneCacheAtOnce() throws Exception {
        Path dir = Files.createTempDirectory("gort-agent-cache").resolve("cache");
        String[] cmd = cat(new String[] {"-cp", CP, "dev.gort.agentit.PreemptAtCalls", "5"}, "-Dgort.agent.cachestats=true",
                "-javaagent:" + AGENT + "=preempt=prologue,maxprocs=1,cache=" + dir);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> java(cmd));
            var b = pool.submit(() -> java(cmd));
            for (Result r : List.of(a.get(), b.get())) {
                assertEquals(0, r.exit(), r.err());
                assertEquals("alternated 5 times\n", r.out());
                assertTrue(r.err().contains(" misses (0 damaged)"), r.err());
                assertFalse(r.err().contains("transforming"), r.err());
            }
        } finally {
            pool.shutdownNow();
        }
        Result third = java(cmd);
        assertTrue(third.err().contains(" hits, 0 misses (0 damaged), 0 written\n"), third.err());
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "no temporary files left");
        }
    }

    /** pre, then app. */
    private static String[] cat(String[] app, String... pre) {
        List<String> all = new ArrayList<>(List.of(pre));
        all.addAll(List.of(app));
        return all.toArray(String[]::new);
    }

    private Result agent(String options, String main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("-javaagent:" + AGENT + (options.isEmpty() ? "" : "=" + options),
                "-cp", CP, main));
        cmd.addAll(List.of(args));
        Result r = java(cmd.toArray(String[]::new));
        assertFalse(r.err().contains("uninstrumented"), r.err());
        return r;
    }

    /**
     * cache=DIR: the second start takes every instrumented class from DIR (no miss, nothing
     * written) and runs the same; a damaged entry is one warning, transformed again and
     * rewritten; a file for DIR is one warning and a run without the cache.
     */
    @Test
    void cacheDirServesTheSecondStart() throws Exception {
        Path dir = Files.createTempDirectory("gort-agent-cache").resolve("cache");
        String opts = "preempt=prologue,maxprocs=1,cache=" + dir;
        String[] app = {"-cp", CP, "dev.gort.agentit.PreemptAtCalls", "5"};
        Result cold = java(cat(app, "-Dgort.agent.cachestats=true", "-javaagent:" + AGENT + "=" + opts));
        assertEquals(0, cold.exit(), cold.err());
        assertEquals("alternated 5 times\n", cold.out());
        assertTrue(cold.err().matches("(?s).*gort-agent: cache \\S+: 0 hits, [1-9][0-9]* misses \\(0 damaged\\), [1-9][0-9]* written\n.*"),
                cold.err());
        List<Path> entries, packs;
        try (var s = Files.list(dir)) {
            entries = s.filter(p -> !p.getFileName().toString().startsWith(".pack-")).toList();
        }
        try (var s = Files.list(dir)) {
            packs = s.filter(p -> p.getFileName().toString().startsWith(".pack-")).toList();
        }
        assertFalse(entries.isEmpty());
        assertEquals(1, packs.size(), "one pack of the entries the cold run used");
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));

        Result warm = java(cat(app, "-Dgort.agent.cachestats=true", "-javaagent:" + AGENT + "=" + opts));
        assertEquals(0, warm.exit(), warm.err());
        assertEquals(cold.out(), warm.out());
        assertTrue(warm.err().contains(": " + entries.size() + " hits, 0 misses (0 damaged), 0 written\n"), warm.err());

        // a damaged pack: the entry files serve, it is rewritten. The byte is a character of
        // the index's first name: only the index's checksum tells (the name is then just
        // another key's, and its class would be looked up among the files without a word)
        byte[] pack = Files.readAllBytes(packs.get(0));
        pack[42] ^= 0x5a;
        Files.write(packs.get(0), pack);
        Result damagedPack = java(cat(app, "-Dgort.agent.cachestats=true", "-javaagent:" + AGENT + "=" + opts));
        assertEquals(0, damagedPack.exit(), damagedPack.err());
        assertEquals(cold.out(), damagedPack.out());
        assertEquals(1, damagedPack.err().lines().filter(l -> l.contains(".pack-")).count(), damagedPack.err());
        assertTrue(damagedPack.err().contains(": " + entries.size() + " hits, 0 misses (0 damaged), 0 written\n"),
                damagedPack.err());
        assertFalse(java.util.Arrays.equals(pack, Files.readAllBytes(packs.get(0))), "rewritten");
        Files.delete(packs.get(0)); // the entries alone from here

        for (Path e : entries) { // damage every entry: a flipped byte near the end
            byte[] b = Files.readAllBytes(e);
            b[b.length - 1] ^= 0x5a;
            Files.write(e, b);
        }
        Result damaged = java(cat(app, "-Dgort.agent.cachestats=true", "-javaagent:" + AGENT + "=" + opts));
        assertEquals(0, damaged.exit(), damaged.err());
        assertEquals(cold.out(), damaged.out());
        assertEquals(1, damaged.err().lines().filter(l -> l.contains("damaged or foreign")).count(), damaged.err());
        assertTrue(damaged.err().contains(": 0 hits, " + entries.size() + " misses (" + entries.size() + " damaged), "
                + entries.size() + " written\n"), damaged.err());
        Result again = java(cat(app, "-Dgort.agent.cachestats=true", "-javaagent:" + AGENT + "=" + opts));
        assertTrue(again.err().contains(": " + entries.size() + " hits, 0 misses"), again.err());

        Path file = Files.createTempFile("gort-agent-cache", ".txt");
        Result onAFile = java(cat(app, "-javaagent:" + AGENT + "=preempt=prologue,maxprocs=1,cache=" + file));
        assertEquals(0, onAFile.exit(), onAFile.err());
        assertEquals(cold.out(), onAFile.out());
        assertEquals(List.of("gort-agent: cache " + file + ": not a directory; transforming without the cache"),
                onAFile.err().lines().filter(l -> l.startsWith("gort-agent:")).toList());
    }

    /** Go's TestPreemption: goroutines alternate on one P only through checks at calls. */
    @Test
    void goroutinesArePreemptedAtCalls() throws Exception {
        Result r = agent("preempt=prologue,maxprocs=1", "dev.gort.agentit.PreemptAtCalls", "5");
        assertEquals(0, r.exit(), r.err());
        assertEquals("alternated 5 times\n", r.out());
    }

    /**
     * Under the agent the injected checks are scheduling points of a controlled run: a spin
     * on a plain field ends, and a lost update split only by a loop is found and replayed.
     */
    @Test
    void injectedChecksAreSchedulingPointsOfAControlledRun() throws Exception {
        Result r = agent("", "dev.gort.agentit.ExploreUnderAgent");
        assertEquals(0, r.exit(), r.err());
        assertEquals("spin: passed 20\nlost update: lost update: counter is 1\nreplayed: lost update: counter is 1\n", r.out());
    }

    /** Go's TestAsyncPreempt, as far as the JVM allows: a call-free loop yields at its back-edge. */
    @Test
    void aCallFreeLoopDoesNotStarveATimer() throws Exception {
        Result r = agent("maxprocs=1", "dev.gort.agentit.TightLoop");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("timer goroutine ran after"), r.out());
    }

    /**
     * A goroutine inside a strip-mined loop is preempted there, at the check after each
     * strip (StripMining; any other shape of that check must keep this): a 1 ms sleeper on the
     * one P wakes within a time slice or two (the median of 100 sleeps: a loaded machine makes
     * some late), far less than one call of the loop (0.1-0.5 s),
     * and every call of the loop still sums right.
     */
    @Test
    void aStripMinedLoopIsPreemptedInsideTheLoop() throws Exception {
        Result r = agent("maxprocs=1", "dev.gort.agentit.StripLoop");
        assertEquals(0, r.exit(), r.err());
        var m = java.util.regex.Pattern.compile("median sleep (\\d+) ms").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Long.parseLong(m.group(1)) < 60, r.out());
        assertTrue(r.out().contains(" 0 wrong sums"), r.out());
    }

    /**
     * A recursion through a small method (34 bytes: one where the agent may leave out the
     * prologue check, InlineLimits) with no loop checks at all: its check stays, because it
     * recurses, so the timer's goroutine still gets the one P.
     */
    @Test
    void aDeepRecursionOfSmallMethodsIsPreempted() throws Exception {
        Result r = agent("preempt=prologue,maxprocs=1", "dev.gort.agentit.DeepRecursion");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("timer goroutine ran after"), r.out());
    }

    /** Go's TestPingPongHog: a hog pair and a light pair on one P get time within 20x. */
    @Test
    void pingPongHog() throws Exception {
        Result r = agent("maxprocs=1", "dev.gort.agentit.PingPongHog");
        assertEquals(0, r.exit(), r.err());
        String[] w = r.out().trim().split(" ");
        long hog = Long.parseLong(w[1]), light = Long.parseLong(w[3]);
        assertTrue(hog / 20 <= light && light / 20 <= hog, r.out());
    }

    /**
     * Goroutines that sysmon moved into implicit syscalls (blocked on a monitor in the JDK)
     * and that then compute without calling gort still share GOMAXPROCS=1: their next
     * preemption check takes them back to the P. (They ran seven at a time under
     * GOMAXPROCS=2 in Groovy before sysmon watched for them waking up.)
     */
    @Test
    void goroutinesWokenInTheJdkRunNoMoreThanGomaxprocsAtOnce() throws Exception {
        Result r = agent("maxprocs=1", "dev.gort.agentit.AfterAJdkBlock");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertEquals("overlaps 0\n", r.out());
    }

    @Test
    void aGoroutineHoldingALockKeepsItsThreadAndTheLockStaysExclusive() throws Exception {
        Result r = agent("maxprocs=1", "dev.gort.agentit.LockPinning");
        assertEquals(0, r.exit(), r.err());
        assertEquals("exclusive\n", r.out());
        // The control: uninstrumented (no pins), the parked holder's M runs the other goroutine.
        Result control = agent("maxprocs=1,exclude=dev.gort.agentit.*", "dev.gort.agentit.LockPinning");
        assertEquals("two goroutines held the lock at once\n", control.out());
    }

    /**
     * A lock taken right after a park that moved the goroutine to another M names the M it
     * runs on: C2 keeps {@code Thread.currentThread()} across the park within one compiled
     * method, so {@code lock()} inlined there named the previous M, and {@code unlock()}
     * threw IllegalMonitorStateException (MonitorShapes, about one run in 50, moved by a
     * preemption check). -Xbatch: step is compiled by C2 after a few thousand rounds.
     */
    @Test
    void aLockTakenAfterAParkNamesTheThreadTheGoroutineRunsOn() throws Exception {
        Result r = java("-javaagent:" + AGENT, "-Xbatch", "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=dontinline,dev.gort.agentit.AfterMove::here",
                "-XX:CompileCommand=dontinline,dev.gort.agentit.LockAfterMove::ownedHere",
                "-cp", CP, "dev.gort.agentit.LockAfterMove", "200000");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().matches("owner right after \\d+ moves\n"), r.out() + r.err());
        int moves = Integer.parseInt(r.out().replaceAll("\\D", ""));
        assertTrue(moves >= 10, "the goroutine hardly moved, so the check proves little: " + r.out());
    }

    /**
     * The application's own {@code Thread.currentThread()}, read again after a park that
     * moved the goroutine to another M in the same compiled method, names the M it runs on:
     * without the agent's hook C2 returned the value it read before the park (ThreadAfterMove
     * failed within the first ten thousand rounds).
     */
    @Test
    void currentThreadReadAfterAParkNamesTheThreadTheGoroutineRunsOn() throws Exception {
        Result r = java("-javaagent:" + AGENT, "-Xbatch", "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=dontinline,dev.gort.agentit.AfterMove::here",
                "-cp", CP, "dev.gort.agentit.ThreadAfterMove", "200000");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().matches("thread right after \\d+ moves\n"), r.out() + r.err());
        int moves = Integer.parseInt(r.out().replaceAll("\\D", ""));
        assertTrue(moves >= 10, "the goroutine hardly moved, so the check proves little: " + r.out());
    }

    /**
     * The same for the application's own synchronizer on AQS, whose tryAcquire names
     * {@code Thread.currentThread()} as its owner: inlined after the park, it named the M of
     * before (AqsAfterMove failed within the first ten thousand rounds), and its tryRelease threw.
     */
    @Test
    void anAqsSynchronizerTakenAfterAParkNamesTheThreadTheGoroutineRunsOn() throws Exception {
        Result r = java("-javaagent:" + AGENT, "-Xbatch", "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=dontinline,dev.gort.agentit.AfterMove::here",
                "-XX:CompileCommand=dontinline,dev.gort.agentit.AqsAfterMove::ownerOf",
                "-cp", CP, "dev.gort.agentit.AqsAfterMove", "200000");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().matches("owner right after \\d+ moves\n"), r.out() + r.err());
        int moves = Integer.parseInt(r.out().replaceAll("\\D", ""));
        assertTrue(moves >= 10, "the goroutine hardly moved, so the check proves little: " + r.out());
    }

    /** The same for a lock written on AQS that is no Lock (Groovy's LockableObject is one). */
    @Test
    void aGoroutineHoldingAnAqsBasedLockKeepsItsThread() throws Exception {
        Result r = agent("maxprocs=1", "dev.gort.agentit.AqsPinning");
        assertEquals(0, r.exit(), r.err());
        assertEquals("exclusive\n", r.out());
    }

    /**
     * Issue 16: HotSpot compiles a method only if its monitors are balanced in javac's shape
     * (MonitorBalance states the rules); a pin inside a range that ends at a monitorexit, or
     * one between a monitorenter and its range, made C1 give up ("invalid parsing") and C2
     * ("unbalanced monitors") on every method with a synchronized block, which then ran
     * interpreted forever. Every shape in MonitorShapes (and the lock pins and owner hooks)
     * must reach C1 and C2. -Xbatch compiles in the foreground, so each method's compilations
     * are over when its caller goes on. The application's methods are not inlined, so that
     * each is compiled on its own (a method inlined into a compiled caller stops counting
     * its calls, and may never get a compilation of its own); HotSpot asks an inlined
     * method's monitors the same question.
     */
    @Test
    void methodsWithMonitorsAndLocksAreCompiledByC1AndC2() throws Exception {
        Result r = java("-javaagent:" + AGENT, "-XX:+PrintCompilation", "-Xlog:monitormismatch=info", "-Xbatch",
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,dev.gort.agentit.*::*",
                "-cp", CP, "dev.gort.agentit.MonitorShapes", "20000");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("uninstrumented"), r.err());
        List<String> lines = r.out().lines().toList();
        // -XX:+PrintCompilation writes to the same stdout from the compiler threads: a line of
        // the program may come after a compile line's first part ("773 pins 0").
        assertEquals(2, lines.stream().filter(l -> l.equals("pins 0") || l.endsWith(" pins 0")).count(), "every pin undone: " + r.out());
        // Each refusal once, without its time stamp and compile id (they repeat for every retry).
        Set<String> refused = new TreeSet<>();
        for (String l : lines) {
            if (l.contains(APP) && (l.contains("COMPILE SKIPPED") || l.contains("not compilable")
                    || l.contains("unbalanced monitors") || l.contains("Monitor mismatch"))) {
                refused.add(l.replaceFirst("^\\[[^ ]*\\]\\s*", "").replaceFirst("^\\s*\\d+\\s+\\d+\\s+", "").trim());
            }
        }
        assertEquals("", String.join("\n", refused), "the JIT compilers refused instrumented methods");
        for (String m : COMPILED) {
            assertTrue(compiledAt(lines, APP + m, 1, 3), m + " by C1:\n" + compiled(lines));
            assertTrue(compiledAt(lines, APP + m, 4, 4), m + " by C2:\n" + compiled(lines));
        }
    }

    private static final String APP = "dev.gort.agentit.";

    /**
     * The methods with monitors, lock pins and owner hooks, as PrintCompilation names them
     * (OwnerFieldMutex.tryAcquire runs only under contention; its owner field hook is the
     * same as on lock's fast path).
     */
    private static final List<String> COMPILED = List.of("MonitorShapes::oneLine", "MonitorShapes::onField",
            "MonitorShapes::onThis", "MonitorShapes::onClass", "MonitorShapes::nested", "MonitorShapes::returnInside",
            "MonitorShapes::loopInside", "MonitorShapes::loopAtBlockStart", "MonitorShapes::stripMinedAtBlockStart",
            "MonitorShapes::loopAround",
            "MonitorShapes::tryFinallyInside", "MonitorShapes::throwsOut", "MonitorShapes::caughtAround",
            "MonitorShapes::breakContinue", "MonitorShapes::lambda$inLambda$0", "MonitorShapes$Holder::<init>",
            "MonitorShapes::methodAndBlock", "MonitorShapes::staticMethod", "MonitorShapes::lockUnlock",
            "MonitorShapes::aqs", "AqsPinning$OwnerSetMutex::tryAcquire", "AqsPinning$OwnerSetMutex::tryRelease",
            "AqsPinning$OwnerFieldMutex::lock", "AqsPinning$OwnerFieldMutex::tryRelease");

    /**
     * Whether PrintCompilation shows a compilation of method (not on-stack replacement) at a
     * tier in [lo, hi]. Its lines: time, id, five flag columns ('%' is OSR), tier, method.
     */
    private static boolean compiledAt(List<String> lines, String method, int lo, int hi) {
        for (String l : lines) {
            String[] w = l.trim().split("\\s+");
            for (int k = 1; k < w.length; k++) {
                if (w[k].equals(method) && w[k - 1].length() == 1 && Character.isDigit(w[k - 1].charAt(0))
                        && !l.contains("%") && !l.contains("COMPILE SKIPPED")) {
                    int tier = w[k - 1].charAt(0) - '0';
                    if (tier >= lo && tier <= hi) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static String compiled(List<String> lines) {
        return String.join("\n", lines.stream().filter(l -> l.contains(APP)).toList());
    }

    @Test
    void threadSleepParksTheGoroutineNotTheThread() throws Exception {
        Result r = agent("maxprocs=1", "dev.gort.agentit.SleepingGoroutines");
        assertEquals(0, r.exit(), r.err());
        String[] w = r.out().trim().split(" ");
        long ms = Long.parseLong(w[1]), threads = Long.parseLong(w[5].replace(",", "")), plain = Long.parseLong(w[9]);
        assertTrue(ms >= 200 && ms < 5_000, r.out());
        assertTrue(threads < 50, "1000 sleeping goroutines need few threads: " + r.out());
        assertTrue(plain >= 50, "a plain thread still sleeps: " + r.out());
    }

    /** A native read (RUNNABLE to the JVM, invisible to sysmon) is a syscall: the P moves on. */
    @Test
    void blockingIoIsASyscall() throws Exception {
        Result on = agent("maxprocs=1", "dev.gort.agentit.NativeRead");
        assertEquals(0, on.exit(), on.err());
        long ticks = Long.parseLong(on.out().trim().split(" ")[3]);
        assertTrue(ticks > 100, "the ticker kept running during a 1 s read: " + on.out());
        Result off = agent("maxprocs=1,blocking=off", "dev.gort.agentit.NativeRead");
        assertEquals(0, off.exit(), off.err());
        long offTicks = Long.parseLong(off.out().trim().split(" ")[3]);
        assertTrue(offTicks < ticks / 4, "unwrapped, the read holds the only P: " + off.out() + " vs " + on.out());
    }

    /** The same read through a method reference ({@code in::read}): its lambda is wrapped too. */
    @Test
    void aMethodReferenceToABlockingCallIsASyscall() throws Exception {
        Result r = agent("maxprocs=1", "dev.gort.agentit.NativeRead", "methodref");
        assertEquals(0, r.exit(), r.err());
        long ticks = Long.parseLong(r.out().trim().split(" ")[3]);
        assertTrue(ticks > 100, "the ticker kept running during a 1 s read through in::read: " + r.out());
    }

    @Test
    void mainRunsAsTheMainGoroutine() throws Exception {
        Result ok = agent("main=goroutine", "dev.gort.agentit.MainAsGoroutine", "a", "b");
        assertEquals(0, ok.exit(), ok.err());
        assertEquals("main goroutine true args a,b\n", ok.out());
        Result fail = agent("main=goroutine", "dev.gort.agentit.MainAsGoroutine", "fail");
        assertEquals(2, fail.exit(), fail.err());
        assertTrue(fail.err().startsWith("panic: java.lang.IllegalStateException: boom from main")
                || fail.err().contains("\npanic: java.lang.IllegalStateException: boom from main"), fail.err());
        assertTrue(fail.err().contains("goroutine 1 [running]:"), fail.err());
        Result plain = agent("", "dev.gort.agentit.MainAsGoroutine", "x");
        assertEquals("main goroutine false args x\n", plain.out(), "without main=goroutine, main is a plain thread");
    }

    @Test
    void classesOfLoadersThatDoNotDelegateToTheClassPathReachTheHooks() throws Exception {
        Result r = agent("maxprocs=1", "dev.gort.agentit.IsolatedLoader");
        assertEquals(0, r.exit(), r.err());
        assertEquals("timer fired while an isolated class spun\n", r.out());
    }

    @Test
    void dumpWritesTheTransformedClasses() throws Exception {
        Path dir = Files.createTempDirectory("gort-dump");
        Result r = agent("dump=" + dir, "dev.gort.agentit.MainAsGoroutine");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(dir.resolve("dev/gort/agentit/MainAsGoroutine.class")));
    }
}
