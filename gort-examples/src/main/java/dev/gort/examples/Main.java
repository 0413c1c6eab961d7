package dev.gort.examples;

import java.util.Arrays;
import java.util.Locale;

/**
 * The entry point of {@code java -jar gort-examples.jar <name> [args...]}: runs the
 * example called name (case-insensitive) with the remaining arguments. An unknown or
 * missing name prints the usage and exits with status 2, as Go's tools do on bad usage.
 */
public final class Main {
    private Main() {}

    private static final String USAGE = """
            usage: java -jar gort-examples.jar <name> [args...]
              hello                  a goroutine sends a greeting over a channel
              sieve [N]              the first N primes (default 100), concurrent prime sieve
              pingpong [N]           N round trips between two goroutines (default 1000000)
              workers [W] [JOBS]     a pool of W workers (default 3) doing JOBS jobs (default 100)
              skynet [SIZE]          skynet benchmark with SIZE leaf goroutines (default 1000000)
              lateness [SIZE] [MAX_ITER] [PERIOD_MS] [WORKERS]
                                     CPU-bound goroutines beside a 1 ms ticker: its worst
                                     lateness (run it with and without the agent)
              deadlock               a program whose goroutines all block: Go's deadlock report
              redis [HOST:PORT]      a Redis server (RESP2; default 127.0.0.1:6380), a goroutine
                                     per connection on the network poller""";

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0].toLowerCase(Locale.ROOT) : "";
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        switch (name) {
            case "hello" -> Hello.main(rest);
            case "sieve" -> PrimeSieve.main(rest);
            case "pingpong" -> PingPong.main(rest);
            case "workers" -> WorkerPool.main(rest);
            case "skynet" -> Skynet.main(rest);
            case "lateness" -> Lateness.main(rest);
            case "deadlock" -> Deadlock.main(rest);
            case "redis" -> dev.gort.examples.redis.RedisServer.main(rest);
            default -> {
                if (!name.isEmpty()) {
                    System.err.println("unknown example: " + args[0]);
                }
                System.err.println(USAGE);
                System.exit(2);
            }
        }
    }
}
