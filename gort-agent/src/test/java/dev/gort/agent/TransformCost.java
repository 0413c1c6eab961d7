package dev.gort.agent;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.tree.ClassNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What transforming a start-up's classes costs in a fresh JVM, where ASM and the agent's
 * code are still cold (interpreted, then compiled while they run), beside the floors set
 * by ASM itself. Not a test: a measuring tool for the agent's start-up cost (see
 * bench/RESULTS.md). Run it once per mode, each in a new JVM, from gort-agent/:
 *
 * <pre>
 * java -cp target/test-classes:target/classes:ASM_JARS dev.gort.agent.TransformCost \
 *     MODE H2_JAR [CLASS_LIST] [PASSES]
 * </pre>
 *
 * MODE: {@code copy} (ClassReader -> ClassWriter sharing the constant pool: methods copied
 * as bytes, ASM's floor), {@code visit} (every method decoded and encoded again, nothing
 * changed), {@code tree} (what the agent's pipeline costs without its changes: ClassNode
 * with expanded frames, ClassWriter with COMPUTE_MAXS), {@code agent} (the agent's
 * {@link Instrumenter} with the default options), {@code agent-tree} and {@code agent-fast} (the same
 * with every class through the tree, and with {@link FastPath} first). CLASS_LIST: a file of binary class
 * names, one per line (for example the classes H2 loads at start-up, from
 * {@code -Xlog:class+load}); default: every class in the jar. Prints the time of each pass
 * over the classes; pass 0 is the start-up figure.
 */
public final class TransformCost {
    private TransformCost() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: TransformCost copy|visit|tree|agent|agent-tree|agent-fast JAR [CLASS_LIST|-] [PASSES]");
            System.exit(2);
        }
        String mode = args[0];
        List<byte[]> classes = read(Path.of(args[1]), args.length > 2 && !args[2].equals("-") ? Path.of(args[2]) : null);
        int passes = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Instrumenter instrumenter = new Instrumenter(Options.parse(""), false);
        Instrumenter treeOnly = new Instrumenter(Options.parse(""), false, false);
        Instrumenter fastFirst = new Instrumenter(Options.parse(""), false, true);
        long bytes = 0;
        for (int pass = 0; pass < passes; pass++) {
            long t0 = System.nanoTime();
            for (byte[] b : classes) {
                byte[] out = switch (mode) {
                    case "copy" -> copy(b);
                    case "visit" -> visit(b);
                    case "tree" -> tree(b);
                    case "agent" -> instrumenter.transform(b, false);
                    case "agent-tree" -> treeOnly.transform(b, false);
                    case "agent-fast" -> fastFirst.transform(b, false);
                    default -> throw new IllegalArgumentException("mode must be copy, visit, tree or agent: " + mode);
                };
                bytes += out != null ? out.length : 0;
            }
            System.out.printf("mode=%s pass=%d classes=%d ms=%.1f%n", mode, pass, classes.size(), (System.nanoTime() - t0) / 1e6);
        }
        System.out.println("output_bytes=" + bytes);
    }

    private static byte[] copy(byte[] b) {
        ClassReader cr = new ClassReader(b);
        ClassWriter cw = new ClassWriter(cr, 0);
        cr.accept(cw, 0);
        return cw.toByteArray();
    }

    private static byte[] visit(byte[] b) {
        ClassReader cr = new ClassReader(b);
        ClassWriter cw = new ClassWriter(0);
        cr.accept(cw, 0);
        return cw.toByteArray();
    }

    private static byte[] tree(byte[] b) {
        ClassReader cr = new ClassReader(b);
        ClassNode cn = new ClassNode();
        cr.accept(cn, ClassReader.EXPAND_FRAMES);
        ClassWriter cw = new ClassWriter(cr, ClassWriter.COMPUTE_MAXS);
        cn.accept(cw);
        return cw.toByteArray();
    }

    private static List<byte[]> read(Path jar, Path list) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            List<String> names = new ArrayList<>();
            if (list != null) {
                for (String line : Files.readAllLines(list)) {
                    if (!line.isBlank()) {
                        names.add(line.strip().replace('.', '/') + ".class");
                    }
                }
            } else {
                for (ZipEntry e : Collections.list(z.entries())) {
                    if (e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class")) {
                        names.add(e.getName());
                    }
                }
            }
            for (String n : names) {
                ZipEntry e = z.getEntry(n);
                if (e != null) {
                    out.add(z.getInputStream(e).readAllBytes());
                }
            }
        }
        return out;
    }
}
