package dev.gort.examples;

import dev.gort.Chan;
import dev.gort.Gort;

/**
 * Two goroutines hit a ball back and forth over two unbuffered channels, N times
 * (argument, default 1,000,000), then print the count and the time per round trip: a
 * measure of the cost of a goroutine switch through a channel hand-off. Mirrors the
 * ping-pong of Go's "Advanced Go Concurrency Patterns" talk and the runtime's
 * {@code BenchmarkChanSync}.
 */
public final class PingPong {
    private PingPong() {}

    /** The ball counts its hits. */
    record Ball(int hits) {
        Ball hit() {
            return new Ball(hits + 1);
        }
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Gort.main(() -> {
            Chan<Ball> ping = Chan.make();
            Chan<Ball> pong = Chan.make();
            Chan<Ball> done = Chan.make();
            long start = System.nanoTime();
            Gort.go(() -> { // the server: serves n times, then hands the ball to main
                Ball ball = new Ball(0);
                for (int i = 0; i < n; i++) {
                    ping.send(ball.hit());
                    ball = pong.recv();
                }
                done.send(ball);
            });
            Gort.go(() -> { // the receiver: returns every ball until the server stops
                for (int i = 0; i < n; i++) {
                    pong.send(ping.recv().hit());
                }
            });
            Ball ball = done.recv();
            long nanos = System.nanoTime() - start;
            System.out.printf("pingpong: %d round trips, %d hits, %.1f ns per round trip%n",
                    n, ball.hits(), n == 0 ? 0.0 : (double) nanos / n);
        });
    }
}
