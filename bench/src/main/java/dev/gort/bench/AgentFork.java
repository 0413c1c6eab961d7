package dev.gort.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.ExternalProfiler;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;

import java.io.File;
import java.util.Collection;
import java.util.List;

/**
 * Puts gort's agent into the forks whose {@code agent} parameter asks for it, so one JMH
 * run measures the same code instrumented and not, fork after fork:
 *
 * <pre>
 * java -jar benchmarks.jar AgentOverheadBench -prof dev.gort.bench.AgentFork:jar=gort-agent.jar
 * </pre>
 *
 * JMH has no per-parameter JVM flags, and {@code @Fork(jvmArgsAppend)} takes only
 * constants, which cannot name a jar built elsewhere; but JMH asks each external profiler
 * for extra JVM options per fork, with that fork's parameters. So this "profiler" measures
 * nothing: for {@code agent=on} it adds
 * {@code -javaagent:JAR=include=dev.gort.bench.cpu.*} (only the workloads are
 * instrumented: the harness and the benchmark class stay as in the plain fork), for
 * {@code agent=nochecks} the same with {@code preempt=off} (the agent without preemption
 * checks: what the rest of the instrumentation costs), and nothing for {@code agent=off}.
 * The benchmark checks in its setup that its fork got what its parameter says, so running
 * it without this profiler fails instead of measuring plain code twice.
 *
 * <p>Options ({@code -prof dev.gort.bench.AgentFork:key=value;key=value}): {@code jar}, the
 * agent jar (default: system property {@code gort.agent.jar}, else
 * gort-agent/target/gort-agent-*.jar beside the benchmarks jar's module); {@code dump}, a
 * directory where the agent writes the classes it transforms (for {@code javap -c}).
 */
public final class AgentFork implements ExternalProfiler {
    /** What the agent fork instruments: the workloads' package only. */
    static final String INCLUDE = "include=dev.gort.bench.cpu.*";

    private final String jar;
    private final String dump;

    public AgentFork() throws ProfilerException {
        this("");
    }

    public AgentFork(String options) throws ProfilerException {
        String j = System.getProperty("gort.agent.jar");
        String d = null;
        for (String kv : options.split(";")) {
            if (kv.isBlank()) {
                continue;
            }
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : kv.substring(eq + 1);
            switch (k) {
                case "jar" -> j = v;
                case "dump" -> d = v;
                default -> throw new ProfilerException("AgentFork: unknown option '" + kv + "' (jar=PATH;dump=DIR)");
            }
        }
        if (j == null) {
            j = besideBenchmarks();
        }
        if (j == null || !new File(j).isFile()) {
            throw new ProfilerException("AgentFork: no agent jar (" + j + "); pass -prof "
                    + AgentFork.class.getName() + ":jar=PATH or -Dgort.agent.jar=PATH");
        }
        this.jar = new File(j).getAbsolutePath();
        this.dump = d;
    }

    /** gort-agent/target/gort-agent-*.jar, when the benchmarks run from bench/target/benchmarks.jar. */
    private static String besideBenchmarks() {
        try {
            File self = new File(AgentFork.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            File target = new File(self.getParentFile().getParentFile().getParentFile(), "gort-agent/target");
            File[] jars = target.listFiles((dir, name) -> name.startsWith("gort-agent-") && name.endsWith(".jar"));
            return jars != null && jars.length == 1 ? jars[0].getPath() : null;
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public Collection<String> addJVMOptions(BenchmarkParams params) {
        String agent = params.getParamsKeys().contains("agent") ? params.getParam("agent") : "off";
        String opts = switch (agent) {
            case "on" -> INCLUDE;
            case "nochecks" -> INCLUDE + ",preempt=off";
            default -> null;
        };
        if (opts == null) {
            return List.of();
        }
        return List.of("-javaagent:" + jar + "=" + opts + (dump != null ? ",dump=" + dump : ""));
    }

    @Override
    public Collection<String> addJVMInvokeOptions(BenchmarkParams params) {
        return List.of();
    }

    @Override
    public void beforeTrial(BenchmarkParams params) {
    }

    @Override
    public Collection<? extends Result> afterTrial(BenchmarkResult br, long pid, File stdOut, File stdErr) {
        return List.of();
    }

    @Override
    public boolean allowPrintOut() {
        return true;
    }

    @Override
    public boolean allowPrintErr() {
        return true;
    }

    @Override
    public String getDescription() {
        return "adds gort's -javaagent to the forks with agent=on|nochecks";
    }
}
