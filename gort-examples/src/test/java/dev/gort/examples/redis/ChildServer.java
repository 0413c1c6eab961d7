package dev.gort.examples.redis;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A server in a child process, found by the "listening HOST:PORT" line it prints. */
final class ChildServer implements RedisServerContract.Running {
    private final Process process;
    private final String address;

    ChildServer(List<String> command) throws Exception {
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line = first.get(60, TimeUnit.SECONDS);
        if (line == null || !line.matches("listening 127\\.0\\.0\\.1:\\d+")) {
            process.destroyForcibly();
            fail(command + " printed " + line + " instead of \"listening 127.0.0.1:PORT\"");
        }
        address = line.substring("listening ".length());
    }

    /** java from this JVM's home. */
    static String java() {
        return new File(System.getProperty("java.home"), "bin/java").getPath();
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public void close() throws Exception {
        assertTrue(process.isAlive(), "the server is still running after the tests");
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
