package dev.gort.examples.redis;

import java.util.List;

/**
 * The example as users run it, {@code java -jar gort-examples.jar redis 127.0.0.1:0}: the
 * whole contract against the child process.
 */
class RedisExampleIT extends RedisServerContract {
    @Override
    Running start() throws Exception {
        return new ChildServer(List.of(ChildServer.java(), "-jar", System.getProperty("examples.jar"), "redis", "127.0.0.1:0"));
    }
}
