package dev.gort.agent;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceClassVisitor;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fast path against ASM's tree, class by class, on real class files (H2's, Groovy's,
 * and the JDK's own java.base): for every class the fast path takes, ASM reads both results
 * to the same text: instructions, frames (expanded), handlers, line numbers, local
 * variables. Only the maximum stack and locals are left out (the fast path keeps the
 * originals, the tree recomputes them). Every result of the fast path is also checked by
 * ASM's CheckClassAdapter (structure and frames, without loading classes).
 */
class FastPathTest {
    /** Classes from a jar (every one) or from java.base (those under the given packages). */
    private static List<byte[]> jar(Class<?> member) throws IOException {
        Path p;
        try {
            p = Path.of(member.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
        List<byte[]> out = new ArrayList<>();
        try (ZipFile z = new ZipFile(p.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                if (e.getName().endsWith(".class") && !e.getName().contains("module-info")) {
                    out.add(z.getInputStream(e).readAllBytes());
                }
            }
        }
        return out;
    }

    private static List<byte[]> javaBase(String... packages) throws IOException {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        List<byte[]> out = new ArrayList<>();
        for (String pkg : packages) {
            try (Stream<Path> s = Files.walk(jrt.getPath("modules", "java.base", pkg))) {
                for (Path f : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".class"))::iterator) {
                    out.add(Files.readAllBytes(f));
                }
            }
        }
        return out;
    }

    private static final java.util.regex.Pattern LABEL = java.util.regex.Pattern.compile("\\bL\\d+\\b");

    /**
     * ASM's text of a class, without the maximum stack and locals, and without the labels
     * nothing refers to, renumbered: ASM's reader gives a label to any three bytes of a
     * StackMapTable that look like an uninitialized type at a {@code new}, and the two paths
     * encode their frames differently (the fast path writes strip-mined methods' frames in
     * full), so such guesses differ without meaning anything.
     */
    static String text(byte[] b) {
        StringWriter sw = new StringWriter();
        new ClassReader(b).accept(new TraceClassVisitor(null, new Textifier(), new PrintWriter(sw)), ClassReader.EXPAND_FRAMES);
        StringBuilder kept = new StringBuilder();
        for (String method : sw.toString().split("\n\n")) { // labels are named per method
            kept.append(labelsUsed(method)).append('\n');
        }
        return kept.toString();
    }

    private static String labelsUsed(String method) {
        List<String> lines = new ArrayList<>();
        java.util.Set<String> used = new java.util.HashSet<>();
        for (String line : method.split("\n")) {
            String t = line.trim();
            if (t.startsWith("MAXSTACK") || t.startsWith("MAXLOCALS")) {
                continue;
            }
            lines.add(line);
            if (!t.matches("L\\d+")) {
                java.util.regex.Matcher m = LABEL.matcher(line);
                while (m.find()) {
                    used.add(m.group());
                }
            }
        }
        java.util.Map<String, String> names = new java.util.HashMap<>();
        StringBuilder kept = new StringBuilder();
        for (String line : lines) {
            String t = line.trim();
            if (t.matches("L\\d+") && !used.contains(t)) {
                continue;
            }
            java.util.regex.Matcher m = LABEL.matcher(line);
            StringBuilder r = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(r, names.computeIfAbsent(m.group(), k -> "L" + names.size()));
            }
            m.appendTail(r);
            kept.append(r).append('\n');
        }
        return kept.toString();
    }

    /** Compares the two paths on classes; returns how many the fast path took. */
    private static int compare(String options, boolean asyncPreemptOff, List<byte[]> classes) {
        return compare(options, asyncPreemptOff, classes, null);
    }

    /** compare, each result also defined and verified by this JVM (jvm: null for the JDK's own classes). */
    private static int compare(String options, boolean asyncPreemptOff, List<byte[]> classes, JvmCheck jvm) {
        Options o = Options.parse(options);
        Instrumenter tree = new Instrumenter(o, asyncPreemptOff, false);
        FastPath fast = new FastPath(new CallSites(o.blocking()), o.prologue(), o.backedge() && !asyncPreemptOff);
        int taken = 0;
        int verified = 0;
        List<String> differ = new ArrayList<>();
        for (byte[] b : classes) {
            byte[] f = fast.transform(b, false);
            if (f == FastPath.NOT_HANDLED) {
                continue;
            }
            taken++;
            byte[] t;
            try {
                t = tree.transform(b, false);
            } catch (RuntimeException e) {
                fail("the tree failed on a class the fast path took: " + new ClassReader(b).getClassName(), e);
                return 0;
            }
            String ft = text(f != null ? f : b);
            String tt = text(t != null ? t : b);
            if (!ft.equals(tt)) {
                differ.add(new ClassReader(b).getClassName() + "\n" + firstDifference(ft, tt));
                if (differ.size() >= 5) {
                    break;
                }
            }
            if (f != null && passesTheChecker(b)) { // CheckClassAdapter refuses a few of the JDK's own flags
                Fixtures.verifyStructure(f);
            }
            if (f != null) {
                String bad = lengths(f);
                if (bad != null) {
                    differ.add(new ClassReader(b).getClassName() + ": " + bad);
                }
                if (jvm != null && jvm.check(b) == null) { // alone in its loader, some originals fail too (package access)
                    verified++;
                    bad = jvm.check(f);
                    if (bad != null) {
                        differ.add(new ClassReader(b).getClassName() + ": " + bad);
                    }
                }
            }
        }
        assertEquals(List.of(), differ, "classes where the fast path and the tree differ (" + options + ")");
        System.out.println("FastPathTest: the fast path took " + taken + " of " + classes.size() + " classes (options '" + options + "'), " + verified + " verified by the JVM");
        assertTrue(jvm == null || verified > taken / 2, "the JVM verified " + verified + " of " + taken);
        return taken;
    }

    /**
     * Every Code attribute's declared lengths against its contents (ASM's reader does not
     * check them; the JVM's does: "Code segment has wrong length"). Null if they agree.
     */
    static String lengths(byte[] b) {
        RawClass rc = new RawClass(b);
        for (RawClass.Method m : rc.methods) {
            if (m.codeAttr < 0) {
                continue;
            }
            int p = m.codeAttr;
            int end = p + 6 + rc.u4(p + 2);
            int q = p + 14 + rc.u4(p + 10);
            q += 2 + 8 * rc.u2(q);
            int attrs = rc.u2(q);
            q += 2;
            for (int i = 0; i < attrs; i++) {
                String name = rc.utf8(rc.u2(q));
                int len = rc.u4(q + 2);
                int body = q + 6;
                int parsed = switch (name) {
                    case "LineNumberTable" -> 2 + 4 * rc.u2(body);
                    case "LocalVariableTable", "LocalVariableTypeTable" -> 2 + 10 * rc.u2(body);
                    case "StackMapTable" -> frameBytes(rc, body);
                    default -> len;
                };
                if (parsed != len) {
                    return m.name + m.desc + ": " + name + " declares " + len + " bytes, holds " + parsed;
                }
                q = body + len;
            }
            if (q != end) {
                return m.name + m.desc + ": Code declares " + (end - p - 6) + " bytes, holds " + (q - p - 6);
            }
        }
        return null;
    }

    private static int frameBytes(RawClass rc, int body) {
        int n = rc.u2(body);
        int q = body + 2;
        for (int i = 0; i < n; i++) {
            int type = rc.u1(q);
            if (type < 64) {
                q += 1;
            } else if (type < 128) {
                q = types(rc, q + 1, 1);
            } else if (type == 247) {
                q = types(rc, q + 3, 1);
            } else if (type <= 251) {
                q += 3;
            } else if (type <= 254) {
                q = types(rc, q + 3, type - 251);
            } else {
                q = types(rc, q + 5, rc.u2(q + 3));
                q = types(rc, q + 2, rc.u2(q));
            }
        }
        return q - body;
    }

    private static int types(RawClass rc, int q, int k) {
        for (int i = 0; i < k; i++) {
            q += rc.u1(q) >= 7 ? 3 : 1;
        }
        return q;
    }

    /**
     * Defines a class in a loader of its own and links it (getDeclaredMethods links), so that
     * this JVM parses and verifies it: a format or verify error is reported; a class the
     * verifier needs and this class path lacks (H2's optional dependencies) is not. Alone in
     * its loader, the class is in a runtime package of its own, so code reaching its package
     * peers' protected or package members fails to verify even unchanged: the caller checks
     * the original first.
     */
    static final class JvmCheck {
        String check(byte[] b) {
            String name = new ClassReader(b).getClassName().replace('/', '.');
            ClassLoader parent = FastPathTest.class.getClassLoader();
            ClassLoader one = new ClassLoader(parent) {
                @Override
                protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                    if (n.equals(name)) {
                        synchronized (getClassLoadingLock(n)) {
                            Class<?> c = findLoadedClass(n);
                            return c != null ? c : defineClass(n, b, 0, b.length);
                        }
                    }
                    return super.loadClass(n, resolve);
                }
            };
            try {
                one.loadClass(name).getDeclaredMethods();
                return null;
            } catch (ClassFormatError | VerifyError e) {
                return e.toString();
            } catch (ClassNotFoundException | LinkageError e) {
                return null; // a dependency the class path lacks
            }
        }
    }

    static boolean passesTheChecker(byte[] b) {
        try {
            Fixtures.verifyStructure(b);
            return true;
        } catch (IllegalArgumentException | IllegalStateException e) {
            return false;
        }
    }

    static String firstDifference(String a, String b) {
        String[] x = a.split("\n"), y = b.split("\n");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (!x[i].equals(y[i])) {
                StringBuilder s = new StringBuilder();
                for (int j = Math.max(0, i - 6); j < Math.min(Math.min(x.length, y.length), i + 4); j++) {
                    s.append(j == i ? "> fast: " + x[j] + "\n> tree: " + y[j] + "\n" : "  " + x[j] + "\n");
                }
                return s.toString();
            }
        }
        return "lengths " + x.length + " vs " + y.length;
    }

    /**
     * CodeSize, which decides InlineLimits before the tree's one write, gives each method
     * (instrumented as the tree does it) the length the writer then writes.
     */
    @Test
    void codeSizeIsTheWrittenLength() throws IOException {
        List<byte[]> classes = new ArrayList<>(jar(org.h2.Driver.class));
        classes.addAll(javaBase("java/util", "java/lang/invoke"));
        Instrumenter in = new Instrumenter(Options.parse(""), false, false);
        int methods = 0;
        List<String> wrong = new ArrayList<>();
        for (byte[] b : classes) {
            ClassReader cr = new ClassReader(b);
            ClassNode cn = new ClassNode();
            cr.accept(cn, ClassReader.EXPAND_FRAMES);
            for (MethodNode mn : cn.methods) {
                in.method(cn, mn, false);
            }
            ClassWriter cw = new ClassWriter(cr, ClassWriter.COMPUTE_MAXS);
            java.util.Map<String, Integer> size = new java.util.HashMap<>();
            for (MethodNode mn : cn.methods) {
                if (mn.instructions.size() > 0) {
                    size.put(mn.name + mn.desc, CodeSize.of(mn, cw));
                }
            }
            try {
                cn.accept(cw);
            } catch (org.objectweb.asm.MethodTooLargeException e) {
                continue;
            }
            for (java.util.Map.Entry<String, Integer> e : InlineLimits.codeLengths(cw.toByteArray()).entrySet()) {
                methods++;
                int written = e.getValue();
                if (written < 32768 && !size.get(e.getKey()).equals(written) && wrong.size() < 10) {
                    wrong.add(cn.name + "." + e.getKey() + ": " + size.get(e.getKey()) + " vs written " + written);
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(methods > 10_000, "methods compared: " + methods);
    }

    @Test
    void sameAsTheTreeOnH2() throws IOException {
        List<byte[]> h2 = jar(org.h2.Driver.class);
        int taken = compare("", false, h2, new JvmCheck());
        // Most of H2's classes need no more than checks and call sites (bench/RESULTS.md):
        // a fast path that quietly took none would pass the comparison.
        assertTrue(taken > h2.size() / 3, "the fast path took " + taken + " of " + h2.size());
    }

    @Test
    void sameAsTheTreeOnTheJdk() throws IOException {
        List<byte[]> jdk = javaBase("java/util", "java/io", "java/time", "java/net", "java/lang");
        int taken = compare("", false, jdk);
        assertTrue(taken > jdk.size() / 4, "the fast path took " + taken + " of " + jdk.size());
    }

    @Test
    void sameAsTheTreeOnGroovy() throws IOException {
        List<byte[]> groovy = jar(groovy.lang.GroovyObject.class);
        int taken = compare("", false, groovy, new JvmCheck());
        assertTrue(taken > groovy.size() / 5, "the fast path took " + taken + " of " + groovy.size());
    }

    /**
     * Damaged class files (bytes flipped, or cut short, at seeded random places): the fast
     * path never throws, it takes the class or leaves it to the tree (which reports what it
     * cannot read, and the class is left as it was: GortTransformer).
     */
    @Test
    void damagedClassesNeverThrow() throws IOException {
        List<byte[]> h2 = jar(org.h2.Driver.class);
        FastPath fast = new FastPath(new CallSites(true), true, true);
        java.util.Random r = new java.util.Random(15);
        int taken = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] b = h2.get(r.nextInt(h2.size())).clone();
            if (i % 3 == 0) {
                b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            } else {
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            byte[] f;
            try {
                f = fast.transform(b, false);
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                throw new AssertionError("damaged class " + i + " made the fast path throw", e);
            }
            if (f != FastPath.NOT_HANDLED) {
                taken++;
            }
        }
        assertTrue(taken > 0, "the fast path took none of the damaged classes (flips in code it copies are fine)");
    }

    @Test
    void sameAsTheTreeWithEachPartOff() throws IOException {
        List<byte[]> h2 = jar(org.h2.Driver.class);
        compare("preempt=off", false, h2);
        compare("preempt=prologue", false, h2); // no loop checks
        compare("preempt=backedge", false, h2); // no prologue checks
        compare("blocking=off", false, h2);
        compare("", true, h2); // GODEBUG=asyncpreemptoff=1
    }
}
