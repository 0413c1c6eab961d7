package dev.gort.agent;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * gort's java agent ({@code -javaagent:gort-agent.jar}). So far it only opens the JDK's
 * continuations ({@code jdk.internal.vm}) to gort with
 * {@link Instrumentation#redefineModule}, so no {@code --add-exports} flag is needed.
 * Bytecode instrumentation (preemption checks, blocking calls) and the options of API.md
 * come with the agent's own issue; until then every option is unknown and stops the JVM,
 * as API.md requires for unknown options.
 */
public final class Agent {
    private Agent() {}

    /** Entry point for {@code -javaagent}. */
    public static void premain(String args, Instrumentation inst) {
        start(args, inst);
    }

    /** Entry point for attaching to a running JVM. */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst);
    }

    private static void start(String args, Instrumentation inst) {
        if (args != null && !args.isBlank()) {
            System.err.println("gort-agent: unknown option(s): " + args + " (this version of the agent takes none)");
            System.exit(2);
        }
        openContinuations(inst, Agent.class.getModule());
    }

    /**
     * Exports jdk.internal.vm to the module gort's runtime lives in: the unnamed module of
     * the class loader that loaded the agent (the system class loader, which also loads
     * the application's class path).
     */
    static void openContinuations(Instrumentation inst, Module gort) {
        Module base = Object.class.getModule();
        inst.redefineModule(base, Set.of(), Map.of("jdk.internal.vm", Set.of(gort)), Map.of(), Set.of(), Map.of());
    }
}
