package dev.gort.examples.redis;

import dev.gort.Gort;

/** The gort server (RedisServer), in this JVM: its accept loop is a goroutine. */
class GortRedisServerTest extends RedisServerContract {
    @Override
    Running start() throws Exception {
        RedisServer s = RedisServer.listen("127.0.0.1:0");
        Gort.go(s::serve);
        return new Running() {
            @Override
            public String address() {
                return s.address();
            }

            @Override
            public void close() throws Exception {
                s.close();
            }
        };
    }
}
