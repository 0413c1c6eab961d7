package gortbench

import (
	"flag"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// ---- preemption latency (PreemptLatency), GOMAXPROCS=1 ----

const preemptWarm = 200

// preemptN: measured sleeps (go test ... -args -preemptn=N; bench/run.sh --quick uses 1000).
var preemptN = flag.Int("preemptn", 3_000, "BenchmarkPreemptLatency: measured sleeps")

var preemptSink int64

// BenchmarkPreemptLatency: with GOMAXPROCS=1, one goroutine spins in a call-free loop
// (x = x*31 + 7 until told to stop) and another sleeps 1 ms in a loop, recording each
// sleep's lateness (return time - (start + 1 ms)); 200 warm-up sleeps, then N measured.
// Only asynchronous preemption (sysmon's signal after the spinner ran 10 ms) lets the
// sleeper run, as only the agent's loop-header checks do in gort. Prints the line of
// PreemptLatency.java with impl=go (first_run_us: from starting the spinner to the
// sleeper's first instruction). Run it alone: go test -run '^$' -bench PreemptLatency -benchtime 1x
func BenchmarkPreemptLatency(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var late []int64
	var firstRun, wall time.Duration
	for b.Loop() {
		var stop atomic.Bool
		late = make([]int64, *preemptN)
		finished := make(chan struct{})
		t0 := time.Now()
		go func() {
			x := int64(1)
			for !stop.Load() {
				x = x*31 + 7
			}
			atomic.StoreInt64(&preemptSink, x)
		}()
		go func() {
			firstRun = time.Since(t0)
			for i := -preemptWarm; i < *preemptN; i++ {
				start := time.Now()
				time.Sleep(time.Millisecond)
				if i >= 0 {
					late[i] = int64(time.Since(start) - time.Millisecond)
				}
			}
			close(finished)
		}()
		<-finished
		stop.Store(true)
		wall = time.Since(t0)
	}
	summary := latencySummary(late) // sorts late
	limit := rank(late, 50) * 3 / 2
	twoSlices := 0 // sleeps that waited out a second time slice (PreemptLatency.twoSlices)
	for _, l := range late {
		if l > limit {
			twoSlices++
		}
	}
	fmt.Printf("PREEMPT_LATENCY impl=go %s two_slices=%d first_run_us=%d completed=true wall_ms=%d gomaxprocs=%d go=%s\n",
		summary, twoSlices, firstRun.Microseconds(), wall.Milliseconds(), runtime.GOMAXPROCS(0), runtime.Version())
	reportLatencies(b, late)
}
