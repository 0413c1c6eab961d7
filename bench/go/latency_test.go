package gortbench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The twins of the latency programs (HandoffLatency.java, SleepLateness.java). Each prints
// the same one-line report as its Java program (HANDOFF_LATENCY / SLEEP_LATENESS, with
// impl=go) and reports p50/p99/max as benchmark metrics. Run them alone with -benchtime 1x:
//
//	go test -run '^$' -bench 'HandoffLatency|SleepLateness' -benchtime 1x

// latencySummary is Latencies.summary: "n=... min_us=... p50_us=... p90_us=... p99_us=...
// max_us=... mean_us=..." for samples in nanoseconds (sorted in place), nearest-rank
// percentiles.
func latencySummary(ns []int64) string {
	slices.Sort(ns)
	sum := 0.0
	for _, x := range ns {
		sum += float64(x)
	}
	return fmt.Sprintf("n=%d min_us=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f",
		len(ns), float64(ns[0])/1e3, float64(rank(ns, 50))/1e3, float64(rank(ns, 90))/1e3,
		float64(rank(ns, 99))/1e3, float64(ns[len(ns)-1])/1e3, sum/float64(len(ns))/1e3)
}

// rank is the nearest-rank p-th percentile of sorted samples.
func rank(sorted []int64, p int) int64 {
	i := int(math.Ceil(float64(p)/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(len(sorted)-1, i))]
}

func reportLatencies(b *testing.B, sorted []int64) {
	b.ReportMetric(float64(rank(sorted, 50))/1e3, "p50_us")
	b.ReportMetric(float64(rank(sorted, 99))/1e3, "p99_us")
	b.ReportMetric(float64(sorted[len(sorted)-1])/1e3, "max_us")
}

// ---- P hand-off latency (HandoffLatency), GOMAXPROCS=1 ----

const (
	handoffN    = 2_000
	handoffWarm = 1_000
)

// BenchmarkHandoffLatency: goroutine A starts goroutine B (it sits in runnext), records t0
// and blocks its M in read(2) on a pipe (syscall.Read: entersyscall/exitsyscall, a blocking
// fd, not the netpoller); B can only run once sysmon has retaken the P and handed it to
// another M; B records t1 and writes the byte A waits for. Samples t1 - t0, N rounds after
// a warm-up. (HandoffLatency syscall)
func BenchmarkHandoffLatency(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		b.Fatal(err)
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	base := time.Now()
	now := func() int64 { return int64(time.Since(base)) }
	samples := make([]int64, handoffN)
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			var t0, t1 atomic.Int64
			one := []byte{1}
			buf := make([]byte, 1)
			for i := -handoffWarm; i < handoffN; i++ {
				go func() {
					t1.Store(now())
					if _, err := syscall.Write(fds[1], one); err != nil {
						panic(err)
					}
				}()
				t0.Store(now())
				if _, err := syscall.Read(fds[0], buf); err != nil {
					panic(err)
				}
				if i >= 0 {
					samples[i] = t1.Load() - t0.Load()
				}
			}
			close(finished)
		}()
		<-finished
	}
	fmt.Printf("HANDOFF_LATENCY impl=go kind=syscall %s gomaxprocs=%d go=%s\n",
		latencySummary(samples), runtime.GOMAXPROCS(0), runtime.Version())
	reportLatencies(b, samples)
}

// ---- sleep lateness under load (SleepLateness) ----

const (
	sleepGoroutines = 100_000
	sleepRounds     = 5
	// sleepMaxMs: sleeps of 1..1000 ms keep 100k goroutines asleep at once at a wake-up
	// rate two cores can serve (~200k a second); sleepDenseMaxMs (1..50 ms, ~4 million
	// wake-ups a second) saturates them, for Go as for gort.
	sleepMaxMs      = 1000
	sleepDenseMaxMs = 50
)

// sleepDurations draws count durations uniform in [1 ms, maxMs ms].
func sleepDurations(count int, maxMs int64, seed uint64) []time.Duration {
	rnd := rand.New(rand.NewPCG(seed, seed))
	ds := make([]time.Duration, count)
	for i := range ds {
		ds[i] = time.Millisecond + time.Duration(rnd.Int64N(maxMs*int64(time.Millisecond)-int64(time.Millisecond)+1))
	}
	return ds
}

// sleepers runs goroutines that each sleep rounds times, ds[g*rounds+r], and store each
// lateness (return time - (time before the call + d)) in late.
func sleepers(goroutines, rounds int, ds []time.Duration, late []int64) {
	var wg sync.WaitGroup
	wg.Add(goroutines)
	for g := 0; g < goroutines; g++ {
		go func() {
			for r := 0; r < rounds; r++ {
				k := g*rounds + r
				d := ds[k]
				start := time.Now()
				time.Sleep(d)
				late[k] = int64(time.Since(start) - d)
			}
			wg.Done()
		}()
	}
	wg.Wait()
}

// sleepLateness runs n goroutines that each sleep 5 times a random 1..maxMs ms, and reports the
// lateness percentiles over the n*5 sleeps, after a warm-up pass (n/2 goroutines, 2
// rounds) as the Java program does.
func sleepLateness(b *testing.B, n int, maxMs int64) {
	rounds := sleepRounds
	warmN, warmRounds := n/2, 2
	late := make([]int64, n*rounds)
	var wall time.Duration
	for b.Loop() {
		sleepers(warmN, warmRounds, sleepDurations(warmN*warmRounds, maxMs, 2), make([]int64, warmN*warmRounds))
		ds := sleepDurations(n*rounds, maxMs, 1)
		start := time.Now()
		finished := make(chan struct{})
		go func() {
			sleepers(n, rounds, ds, late)
			close(finished)
		}()
		<-finished
		wall = time.Since(start)
	}
	fmt.Printf("SLEEP_LATENESS impl=go %s goroutines=%d rounds=%d max_ms=%d wall_ms=%d gomaxprocs=%d go=%s\n",
		latencySummary(late), n, rounds, maxMs, wall.Milliseconds(), runtime.GOMAXPROCS(0), runtime.Version())
	reportLatencies(b, late)
}

// BenchmarkSleepLateness: 100,000 goroutines asleep at once, sleeps of 1..1000 ms (the
// issue's target load). (SleepLateness gort 100000 5 1000)
func BenchmarkSleepLateness(b *testing.B) { sleepLateness(b, sleepGoroutines, sleepMaxMs) }

// BenchmarkSleepLatenessDense: 100,000 goroutines, sleeps of 1..50 ms: about 4 million
// wake-ups a second, more than 2 cores serve. (SleepLateness gort 100000 5 50)
func BenchmarkSleepLatenessDense(b *testing.B) { sleepLateness(b, sleepGoroutines, sleepDenseMaxMs) }
