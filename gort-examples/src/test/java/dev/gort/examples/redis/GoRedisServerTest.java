package dev.gort.examples.redis;

import dev.gort.tests.TraceCheck;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Go twin (bench/go/redis), built with `go build` and run as a child process: the same
 * contract, so the three servers answer alike. Skipped without Go (as the trace tests).
 */
class GoRedisServerTest extends RedisServerContract {
    @Override
    Running start() throws Exception {
        TraceCheck.requireGo();
        File binary = new File("target/redis-go").getAbsoluteFile();
        Process build = new ProcessBuilder("go", "build", "-o", binary.getPath(), "./redis")
                .directory(new File("../bench/go")).inheritIO().start();
        build.waitFor(300, TimeUnit.SECONDS);
        assertEquals(0, build.exitValue(), "go build ./redis in bench/go");
        return new ChildServer(List.of(binary.getPath(), "127.0.0.1:0"));
    }
}
