package dev.gort.examples.redis;

/** The Loom twin (LoomRedisServer), in this JVM: its accept loop is a virtual thread. */
class LoomRedisServerTest extends RedisServerContract {
    @Override
    Running start() throws Exception {
        LoomRedisServer s = LoomRedisServer.listen("127.0.0.1:0");
        Thread.ofVirtual().start(s::serve);
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
