package gortbench

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// ---- 100k timers armed and fired (TimerBench), per run ----

const (
	timerN   = 100_000
	timerMin = 1 * time.Millisecond
	timerMax = 10 * time.Millisecond
)

// timerDurations are the timers' durations, uniform in [1 ms, 10 ms], fixed seed (the Java
// side draws its own table from the same distribution).
var timerDurations = func() []time.Duration {
	rnd := rand.New(rand.NewPCG(1, 1))
	ds := make([]time.Duration, timerN)
	for i := range ds {
		ds[i] = timerMin + time.Duration(rnd.Int64N(int64(timerMax-timerMin)+1))
	}
	return ds
}()

// BenchmarkTimerAfterFunc: arm N time.AfterFunc(d, wg.Done), wait for all; one run per op.
// (TimerBench.gortAfterFunc)
func BenchmarkTimerAfterFunc(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			var wg sync.WaitGroup
			wg.Add(timerN)
			done := wg.Done
			for i := 0; i < timerN; i++ {
				time.AfterFunc(timerDurations[i], done)
			}
			wg.Wait()
			close(finished)
		}()
		<-finished
	}
}

// BenchmarkTimerSleep: N goroutines each time.Sleep(d), then wg.Done; one run per op.
// (TimerBench.gortSleep)
func BenchmarkTimerSleep(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			var wg sync.WaitGroup
			wg.Add(timerN)
			for i := 0; i < timerN; i++ {
				d := timerDurations[i]
				go func() {
					time.Sleep(d)
					wg.Done()
				}()
			}
			wg.Wait()
			close(finished)
		}()
		<-finished
	}
}
