package dev.gort.tests;

import dev.gort.runtime.HookRt;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime package is closed: what the API packages call goes through a few facades
 * named after Go's linknamed entry points, the agent's generated code calls the hook
 * package, and nothing else of {@code dev.gort.runtime} is public (docs/design.md,
 * "Layout"). A public member anywhere else fails this test, naming it.
 */
class PublicSurfaceTest {
    /**
     * The facades: Go's runtime functions for package runtime, chan/select, sync, time, traces,
     * profiles, runtime/metrics (the scheduler's counters, for the MXBean), controlled runs
     * (dev.gort.explore), and the agent's hooks.
     */
    private static final Set<String> FACADES = Set.of("Rt", "ChanRt", "SyncRt", "TimeRt", "HookRt", "TraceRt", "ProfRt",
            "MetricsRt", "NetpollRt", "ExploreRt");
    /** Classes the API extends (Chan, Select.Case): public, but nothing of them beyond a protected constructor. */
    private static final Set<String> BASES = Set.of("HChan", "SCase");

    @Test
    void onlyTheFacadesAndTheHooksArePublic() throws Exception {
        List<String> problems = new ArrayList<>();
        Set<String> publicTypes = new TreeSet<>();
        for (String name : runtimeClasses()) {
            Class<?> c = Class.forName(name, false, HookRt.class.getClassLoader());
            String simple = name.substring("dev.gort.runtime.".length());
            boolean isPublic = effectivelyPublic(c);
            int nested = simple.indexOf('$');
            if (nested > 0 && FACADES.contains(simple.substring(0, nested))) {
                continue; // a type a facade's members use (TraceRt.Output)
            }
            if (isPublic) {
                publicTypes.add(simple);
            }
            if (FACADES.contains(simple)) {
                continue;
            }
            if (BASES.contains(simple)) {
                for (Member m : members(c)) {
                    boolean visible = Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers());
                    boolean allowed = m instanceof Constructor<?> && Modifier.isProtected(m.getModifiers());
                    if (visible && !allowed) {
                        problems.add(simple + " exposes " + m);
                    }
                }
                continue;
            }
            if (isPublic) {
                problems.add(simple + " is public");
            }
        }
        assertEquals(List.of(), problems, "the runtime's public surface grew beyond its facades");
        Set<String> expected = new TreeSet<>(FACADES);
        expected.addAll(BASES);
        assertEquals(expected, publicTypes);
    }

    /** Public, and so is every class around it (a type nested in an interface is public by default, but no further than its host). */
    private static boolean effectivelyPublic(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static List<Member> members(Class<?> c) {
        List<Member> all = new ArrayList<>();
        all.addAll(List.of(c.getDeclaredMethods()));
        all.addAll(List.of(c.getDeclaredFields()));
        all.addAll(List.of(c.getDeclaredConstructors()));
        return all;
    }

    /** Every class of dev.gort.runtime itself (nested ones included, the hook package left out). */
    private static List<String> runtimeClasses() throws IOException, URISyntaxException {
        Path root = Path.of(HookRt.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve("dev/gort/runtime");
        assertTrue(Files.isDirectory(dir), "the runtime's classes are in a directory: " + dir);
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".class") && !f.equals("package-info.class"))
                    .map(f -> "dev.gort.runtime." + f.substring(0, f.length() - ".class".length()))
                    .sorted()
                    .toList();
            assertTrue(names.size() > 40, "found the runtime's classes: " + names);
            return names;
        }
    }
}
