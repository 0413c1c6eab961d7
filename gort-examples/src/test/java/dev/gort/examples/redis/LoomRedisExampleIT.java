package dev.gort.examples.redis;

import java.util.List;

/** The Loom twin as bench/redis.sh runs it: {@code java -cp gort-examples.jar ...LoomRedisServer HOST:PORT}. */
class LoomRedisExampleIT extends RedisServerContract {
    @Override
    Running start() throws Exception {
        return new ChildServer(List.of(ChildServer.java(), "-cp", System.getProperty("examples.jar"),
                LoomRedisServer.class.getName(), "127.0.0.1:0"));
    }
}
