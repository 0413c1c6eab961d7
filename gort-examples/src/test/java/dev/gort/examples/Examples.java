package dev.gort.examples;

import dev.gort.tests.JavaProcess;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** The examples' executable jar, run as a real {@code java -jar} child (JavaProcess). */
final class Examples {
    private Examples() {}

    /** The shaded jar, built by the package phase (system property examples.jar). */
    static String jar() {
        String jar = System.getProperty("examples.jar");
        if (jar == null || !new File(jar).isFile()) {
            fail("system property examples.jar does not name the built jar (" + jar
                    + "); run the tests with `mvn verify`, which packages it first");
        }
        return jar;
    }

    /** {@code java -jar gort-examples.jar args...}. */
    static JavaProcess.Result run(String... args) {
        List<String> a = new ArrayList<>(List.of("-jar", jar()));
        a.addAll(List.of(args));
        return JavaProcess.java(a);
    }
}
