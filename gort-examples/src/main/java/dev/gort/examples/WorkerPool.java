package dev.gort.examples;

import dev.gort.Chan;
import dev.gort.Gort;

/**
 * A worker pool: W worker goroutines take jobs from a buffered jobs channel and send
 * their results on a results channel; main closes jobs and collects one result per job.
 * Mirrors Go by Example's "Worker Pools" (without its {@code time.Sleep}). Arguments:
 * workers (default 3) and jobs (default 100). The output is deterministic: the sum of
 * the results, {@code jobs * (jobs + 1)}, whatever the interleaving.
 */
public final class WorkerPool {
    private WorkerPool() {}

    /** Each job j yields 2 * j; a worker stops when jobs is closed and drained. */
    static void worker(Chan<Integer> jobs, Chan<Long> results) {
        for (int j : jobs) {
            results.send(2L * j);
        }
    }

    public static void main(String[] args) {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int numJobs = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        if (workers < 1 || numJobs < 0) {
            System.err.println("usage: workers [WORKERS>=1] [JOBS>=0]");
            System.exit(2);
        }
        Gort.main(() -> {
            Chan<Integer> jobs = Chan.make(numJobs);
            Chan<Long> results = Chan.make(numJobs);
            for (int w = 1; w <= workers; w++) {
                Gort.go(() -> worker(jobs, results));
            }
            for (int j = 1; j <= numJobs; j++) {
                jobs.send(j);
            }
            jobs.close();
            long sum = 0;
            for (int a = 1; a <= numJobs; a++) {
                sum += results.recv();
            }
            System.out.printf("workers: %d jobs on %d workers, sum of results %d%n", numJobs, workers, sum);
        });
    }
}
