// Package gortbench holds the Go twins of gort's JMH benchmarks (bench/src/main/java/dev/gort/bench).
// Each benchmark is written like its Java gort version: same N, same goroutines and
// channels. One benchmark iteration (b.N) is one batch of N operations, as one JMH
// invocation is; the reported ns/op is overridden with the time per operation
// (elapsed / (b.N * N)), matching JMH's @OperationsPerInvocation(N).
//
//	go test -run '^$' -bench . -benchtime 2s -count 3
package gortbench

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// item is the value passed through channels (Java passes one constant Object).
var item = new(int)

// perOp reports ns/op as the time per operation of a batch of n operations.
func perOp(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/op")
}

// ---- Gosched switch (GoschedBench), GOMAXPROCS=1 ----

const goschedN = 100_000

// BenchmarkGosched1: one goroutine calls runtime.Gosched N times. (GoschedBench.gort1)
func BenchmarkGosched1(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for b.Loop() {
		done := make(chan struct{})
		go func() { // the "main goroutine" of the Java side's Gort.run
			for i := 0; i < goschedN; i++ {
				runtime.Gosched()
			}
			close(done)
		}()
		<-done
	}
	perOp(b, goschedN)
}

// BenchmarkGosched2: two goroutines call runtime.Gosched N/2 times each. (GoschedBench.gort2)
func BenchmarkGosched2(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	gosched2(b)
}

// BenchmarkGosched2Procs: BenchmarkGosched2 at the GOMAXPROCS of the environment (the
// default: the machine's cores), for GoschedBench.gort2 run with -Dgort.maxprocs=N.
func BenchmarkGosched2Procs(b *testing.B) {
	gosched2(b)
}

func gosched2(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			done := make(chan any)
			go func() {
				for i := 0; i < goschedN/2; i++ {
					runtime.Gosched()
				}
				done <- item
			}()
			for i := 0; i < goschedN/2; i++ {
				runtime.Gosched()
			}
			<-done
			close(finished)
		}()
		<-finished
	}
	perOp(b, goschedN)
}

// ---- spawn + exit (SpawnBench) ----

const spawnN = 100_000

// BenchmarkSpawn: start N goroutines that each only count themselves; the last one sends
// on a buffered channel of capacity 1. (SpawnBench.gort)
func BenchmarkSpawn(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			var count atomic.Int32
			done := make(chan any, 1)
			child := func() {
				if count.Add(1) == spawnN {
					done <- item
				}
			}
			for i := 0; i < spawnN; i++ {
				go child()
			}
			<-done
			close(finished)
		}()
		<-finished
	}
	perOp(b, spawnN)
}

// ---- unbuffered ping-pong (PingPongBench) ----

const pingPongN = 100_000

// pingPong: N round trips over two unbuffered channels, from a goroutine of its own.
func pingPong() {
	finished := make(chan struct{})
	go func() {
		ping := make(chan any)
		pong := make(chan any)
		go func() {
			for i := 0; i < pingPongN; i++ {
				pong <- <-ping
			}
		}()
		for i := 0; i < pingPongN; i++ {
			ping <- item
			<-pong
		}
		close(finished)
	}()
	<-finished
}

// BenchmarkPingPong: N round trips over two unbuffered channels. (PingPongBench.gort)
func BenchmarkPingPong(b *testing.B) {
	for b.Loop() {
		pingPong()
	}
	perOp(b, pingPongN)
}

// ---- producer/consumer (ProdConsBench) ----

const prodConsN = 100_000

func prodCons(b *testing.B, size int) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			ch := make(chan any, size)
			go func() {
				for i := 0; i < prodConsN; i++ {
					ch <- item
				}
			}()
			for i := 0; i < prodConsN; i++ {
				<-ch
			}
			close(finished)
		}()
		<-finished
	}
	perOp(b, prodConsN)
}

// BenchmarkProdCons{0,10,100}: one producer, one consumer, a channel of that capacity. (ProdConsBench.gort, cap=...)
func BenchmarkProdCons0(b *testing.B)   { prodCons(b, 0) }
func BenchmarkProdCons10(b *testing.B)  { prodCons(b, 10) }
func BenchmarkProdCons100(b *testing.B) { prodCons(b, 100) }

// ---- contended select (SelectBench) ----

const (
	selectN   = 100_000
	consumers = 4
)

// BenchmarkSelect: two producers each send N/2 items on their own unbuffered channel and
// close it; four consumers select over both, nil out a closed channel, and report their
// counts. (SelectBench.gort)
func BenchmarkSelect(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			a := make(chan any)
			bb := make(chan any)
			results := make(chan int)
			for _, ch := range []chan any{a, bb} {
				go func() {
					for i := 0; i < selectN/2; i++ {
						ch <- item
					}
					close(ch)
				}()
			}
			for c := 0; c < consumers; c++ {
				go func() {
					ca, cb := a, bb
					n := 0
					for ca != nil || cb != nil {
						select {
						case _, ok := <-ca:
							if ok {
								n++
							} else {
								ca = nil
							}
						case _, ok := <-cb:
							if ok {
								n++
							} else {
								cb = nil
							}
						}
					}
					results <- n
				}()
			}
			total := 0
			for c := 0; c < consumers; c++ {
				total += <-results
			}
			if total != selectN {
				panic("select delivered the wrong number of items")
			}
			close(finished)
		}()
		<-finished
	}
	perOp(b, selectN)
}

// ---- skynet 1M (SkynetBench) ----

const skynetExpected = 499999500000

// skynet is https://github.com/atemerev/skynet/blob/master/go/skynet.go.
func skynet(c chan int, num int, size int, div int) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int)
	var sum int
	for i := 0; i < div; i++ {
		subNum := num + i*(size/div)
		go skynet(rc, subNum, size/div, div)
	}
	for i := 0; i < div; i++ {
		sum += <-rc
	}
	c <- sum
}

// BenchmarkSkynet: one whole skynet 1M per op. (SkynetBench.gort)
func BenchmarkSkynet(b *testing.B) {
	for b.Loop() {
		c := make(chan int)
		go skynet(c, 0, 1_000_000, 10)
		if r := <-c; r != skynetExpected {
			b.Fatalf("skynet = %d, want %d", r, skynetExpected)
		}
	}
}
