package dev.gort.bench.libs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Caffeine under contention: {@code threads} platform threads (started by a plain-thread
 * main) share one bounded cache and do {@code ops} operations each per round: 90% reads
 * through {@code get(key, loader)} (a miss loads the value), 10% {@code put}s, over a
 * skewed key space about 4x the cache's size, so the cache evicts all the time (Caffeine's
 * W-TinyLFU, its buffers and its eviction lock are all on the path).
 *
 * <p>A value is a function of its key only, so the checksum (the sum of every value read)
 * is the same whatever was evicted and whatever the interleaving.
 *
 * <p>{@code java ... dev.gort.bench.libs.CaffeineBench [rounds=20] [threads=4]
 * [ops=400000] [size=20000] [goroutines=K]}
 */
public final class CaffeineBench {
    private CaffeineBench() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Rounds.args(argv);
        int threads = Rounds.intArg(args, "threads", 4);
        int ops = Rounds.intArg(args, "ops", 400_000);
        int size = Rounds.intArg(args, "size", 20_000);
        Cache<Long, Value> cache = Caffeine.newBuilder().maximumSize(size).build();
        Rounds.first(cache.get(1L, CaffeineBench::load).sum);
        Rounds.run(args, 20, (round, copy) -> {
            // Goroutine variant: each goroutine copy works the same cache with its threads.
            long[] sums = new long[threads];
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts[t] = new Thread(() -> {
                    sums[id] = work(cache, ops, size, round * 1000L + copy * 100L + id);
                    Rounds.addCpu();
                });
                ts[t].start();
            }
            long c = 0;
            for (int t = 0; t < threads; t++) {
                ts[t].join();
                c += sums[t];
            }
            return c;
        });
    }

    static long work(Cache<Long, Value> cache, int ops, int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long keys = 4L * size;
        long sum = 0;
        for (int i = 0; i < ops; i++) {
            // Skewed: the square of a uniform draw favours small keys (a hot set).
            double u = r.nextDouble();
            long k = (long) (u * u * keys);
            if (r.nextInt(10) == 0) {
                Value v = load(k);
                cache.put(k, v);
                sum += v.sum;
            } else {
                sum += cache.get(k, CaffeineBench::load).sum;
            }
        }
        return sum;
    }

    /** The "expensive" value of a key: a few mixing steps, a function of the key only. */
    static Value load(Long key) {
        long x = key * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        x ^= x >>> 32;
        return new Value(key, x & 0xFFFF);
    }

    record Value(long key, long sum) {}
}
