package dev.gort.agent;

import dev.gort.runtime.hook.Blocking;
import dev.gort.runtime.hook.Wraps;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Type;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WrapperTable} is what the runtime's {@link Wraps} annotations say. The agent reads
 * the generated table instead of the annotations because reflecting over {@link Blocking}
 * at start-up cost 20-30 ms (annotation proxies, every JDK type in its signatures).
 */
class WrapperTableTest {
    private static final Path GENERATED = Path.of("target", "WrapperTable.java");

    /** "owner.name desc" of a wrapped JDK method (owner "*": any) -> its wrapper's descriptor. */
    static Map<String, String> fromAnnotations() {
        Map<String, String> table = new TreeMap<>();
        for (Method m : Blocking.class.getDeclaredMethods()) {
            Wraps w = m.getAnnotation(Wraps.class);
            if (w == null || !Modifier.isPublic(m.getModifiers()) || !Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Class<?>[] params = m.getParameterTypes();
            Class<?>[] wrapped = w.isStatic() ? params : Arrays.copyOfRange(params, 1, params.length);
            String desc = Type.getMethodDescriptor(Type.getType(m.getReturnType()),
                    Arrays.stream(wrapped).map(Type::getType).toArray(Type[]::new));
            for (String owner : w.value().classes) {
                table.put(owner.replace('.', '/') + "." + m.getName() + desc, Type.getMethodDescriptor(m));
            }
        }
        return table;
    }

    static String source(Map<String, String> table) {
        StringBuilder sb = new StringBuilder();
        sb.append("package dev.gort.agent;\n\n")
                .append("import java.util.HashMap;\n")
                .append("import java.util.Map;\n\n")
                .append("/**\n")
                .append(" * The blocking JDK calls that {@link CallSites} rewrites, and their wrappers in\n")
                .append(" * {@code dev.gort.runtime.hook.Blocking}. Generated from the wrappers' {@code @Wraps}\n")
                .append(" * annotations by {@code WrapperTableTest}, which fails when they disagree: do not edit.\n")
                .append(" */\n")
                .append("final class WrapperTable {\n")
                .append("    private WrapperTable() {}\n\n")
                .append("    /** Pairs: \"owner.name desc\" of a JDK method (owner \"*\": any), its wrapper's descriptor. */\n")
                .append("    private static final String[] PAIRS = {\n");
        table.forEach((k, v) -> sb.append("        \"").append(k).append("\", \"").append(v).append("\",\n"));
        sb.append("    };\n\n")
                .append("    static Map<String, String> load() {\n")
                .append("        Map<String, String> table = new HashMap<>();\n")
                .append("        for (int i = 0; i < PAIRS.length; i += 2) {\n")
                .append("            table.put(PAIRS[i], PAIRS[i + 1]);\n")
                .append("        }\n")
                .append("        return table;\n")
                .append("    }\n")
                .append("}\n");
        return sb.toString();
    }

    @Test
    void generatedTableMatchesTheAnnotations() throws IOException {
        Map<String, String> expected = fromAnnotations();
        assertTrue(expected.size() > 100, "annotated wrappers: " + expected.size());
        boolean same = expected.equals(new TreeMap<>(WrapperTable.load()));
        if (!same) {
            Files.writeString(GENERATED, source(expected));
        }
        assertTrue(same, "WrapperTable is out of date: cp gort-agent/" + GENERATED + " gort-agent/src/main/java/dev/gort/agent/");
    }
}
