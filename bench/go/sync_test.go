package gortbench

import (
	"runtime"
	"sync"
	"testing"
)

// ---- sync.Mutex (MutexBench), GOMAXPROCS=2 ----

const (
	mutexUncontendedN = 1_000_000
	mutexContendedN   = 100_000
	mutexWorkers      = 4
)

// guarded is a counter and the mutex that guards it.
type guarded struct {
	mu      sync.Mutex
	counter int64
}

func (g *guarded) incrementN(n int) {
	for i := 0; i < n; i++ {
		g.mu.Lock()
		g.counter++
		g.mu.Unlock()
	}
}

func checkCounter(b *testing.B, counter int64, want int) {
	if counter != int64(want) {
		b.Fatalf("counter = %d, want %d", counter, want)
	}
}

// BenchmarkMutexUncontended: one goroutine does N lock; counter++; unlock. (MutexBench.gortUncontended)
func BenchmarkMutexUncontended(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	for b.Loop() {
		g := new(guarded)
		finished := make(chan struct{})
		go func() {
			g.incrementN(mutexUncontendedN)
			close(finished)
		}()
		<-finished
		checkCounter(b, g.counter, mutexUncontendedN)
	}
	perOp(b, mutexUncontendedN)
}

// BenchmarkMutexContended: four goroutines each do N/4 lock; counter++; unlock on one
// mutex; ns per lock/unlock pair. (MutexBench.gortContended)
func BenchmarkMutexContended(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	for b.Loop() {
		g := new(guarded)
		finished := make(chan struct{})
		go func() {
			var wg sync.WaitGroup
			for w := 0; w < mutexWorkers; w++ {
				wg.Go(func() { g.incrementN(mutexContendedN / mutexWorkers) })
			}
			wg.Wait()
			close(finished)
		}()
		<-finished
		checkCounter(b, g.counter, mutexContendedN)
	}
	perOp(b, mutexContendedN)
}

// ---- sync.WaitGroup fan-out/fan-in (WaitGroupBench), per round ----

const (
	wgFan    = 100
	wgRounds = 1_000
)

// BenchmarkWaitGroupDone: per round, wg.Add(100), 100 goroutines that call wg.Done, wg.Wait;
// ns per round. (WaitGroupBench.gortDone)
func BenchmarkWaitGroupDone(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			for r := 0; r < wgRounds; r++ {
				wg := new(sync.WaitGroup)
				done := wg.Done
				wg.Add(wgFan)
				for i := 0; i < wgFan; i++ {
					go done()
				}
				wg.Wait()
			}
			close(finished)
		}()
		<-finished
	}
	perOp(b, wgRounds)
}

func nothing() {}

// BenchmarkWaitGroupGo: per round, 100 wg.Go(func() {}), wg.Wait; ns per round. (WaitGroupBench.gortGo)
func BenchmarkWaitGroupGo(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			for r := 0; r < wgRounds; r++ {
				wg := new(sync.WaitGroup)
				for i := 0; i < wgFan; i++ {
					wg.Go(nothing)
				}
				wg.Wait()
			}
			close(finished)
		}()
		<-finished
	}
	perOp(b, wgRounds)
}
