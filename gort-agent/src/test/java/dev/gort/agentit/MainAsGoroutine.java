package dev.gort.agentit;

import dev.gort.Gort;

/**
 * An unchanged Java program (no gort calls but goid), run by AgentIT under
 * {@code main=goroutine}: main runs as the main goroutine; an uncaught exception ends the
 * program as a Go panic (status 2).
 */
public final class MainAsGoroutine {
    public static void main(String[] args) {
        System.out.println("main goroutine " + (Gort.goid() > 0) + " args " + String.join(",", args));
        if (args.length > 0 && args[0].equals("fail")) {
            throw new IllegalStateException("boom from main");
        }
    }
}
