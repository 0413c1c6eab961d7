package gortbench

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// inuse is the memory a parked goroutine can hold: heap spans in use plus goroutine stacks.
func inuse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}

// parkN starts n goroutines that count themselves and block receiving on one shared
// unbuffered channel, and returns once all are counted (plus a moment to finish parking).
func parkN(n int) chan any {
	ch := make(chan any)
	var parked atomic.Int64
	for i := 0; i < n; i++ {
		go func() {
			parked.Add(1)
			<-ch
		}()
	}
	for parked.Load() < int64(n) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	return ch
}

// release closes the channel and waits for the goroutines to exit.
func release(ch chan any, base int) {
	close(ch)
	for runtime.NumGoroutine() > base {
		time.Sleep(5 * time.Millisecond)
	}
}

const parkedN = 1_000_000

// BenchmarkParkedHeap: bytes held per goroutine parked in a channel receive,
// (HeapInuse+StackInuse with them parked - before) / N, after runtime.GC(). (ParkedHeap gort)
// Run it alone with -benchtime 1x; each iteration measures afresh, the last one is reported.
func BenchmarkParkedHeap(b *testing.B) {
	// No warm-up round, unlike the Java side (which has a JIT to warm up): dead Gs keep
	// their stacks on Go's free lists, and reusing them would hide part of the cost.
	base := runtime.NumGoroutine()
	var per float64
	for b.Loop() {
		before := inuse()
		ch := parkN(parkedN)
		after := inuse()
		per = float64(int64(after)-int64(before)) / parkedN
		b.StopTimer()
		release(ch, base)
		b.StartTimer()
	}
	b.ReportMetric(per, "B/goroutine")
}
