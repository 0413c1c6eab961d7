package dev.gort.examples;

import dev.gort.Chan;
import dev.gort.Gort;

/**
 * A program that can never finish: the main goroutine receives on a channel nobody sends
 * on. The runtime notices that every goroutine is asleep, prints Go's report
 * ({@code fatal error: all goroutines are asleep - deadlock!}, then
 * {@code goroutine 1 [chan receive]:} and its stack) and exits with status 2, as the Go
 * program {@code func main() { <-make(chan int) }} does.
 */
public final class Deadlock {
    private Deadlock() {}

    public static void main(String[] args) {
        Gort.main(() -> {
            Chan<Integer> ch = Chan.make();
            System.out.println("waiting for a value that never comes");
            System.out.println(ch.recv());
        });
    }
}
