package dev.gort.examples;

import dev.gort.Chan;
import dev.gort.Gort;

/**
 * The smallest gort program: a goroutine sends a greeting over an unbuffered channel and
 * the main goroutine prints it. Mirrors Go by Example's "Channels" program
 * ({@code messages := make(chan string); go func() { messages <- "ping" }(); fmt.Println(<-messages)}).
 */
public final class Hello {
    private Hello() {}

    public static void main(String[] args) {
        Gort.main(() -> {
            Chan<String> messages = Chan.make();
            Gort.go(() -> messages.send("Hello from a goroutine!"));
            System.out.println(messages.recv());
        });
    }
}
