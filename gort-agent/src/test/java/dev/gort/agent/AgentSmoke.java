package dev.gort.agent;

import dev.gort.Chan;
import dev.gort.Gort;

/** A program run by AgentIT in its own JVM. */
public final class AgentSmoke {
    public static void main(String[] args) {
        Gort.main(() -> {
            Chan<String> c = Chan.make();
            Gort.go(() -> c.send("pong from a goroutine"));
            System.out.println(c.recv());
        });
    }
}
