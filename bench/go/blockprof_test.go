package gortbench

import (
	"runtime"
	"testing"
)

// The block profile's cost, the twin of BlockProfileBench: BenchmarkPingPong's round trips
// with runtime.SetBlockProfileRate(1) (every blocking event recorded: two per round trip).
// Rate 0 (Go's default) is BenchmarkPingPong itself. Run with -cpu 1,2 for GOMAXPROCS.
//
//	go test -run '^$' -bench 'PingPong$|PingPongBlockProfile' -cpu 1,2 -count 3

// BenchmarkPingPongBlockProfile: BenchmarkPingPong at block profile rate 1. (BlockProfileBench.pingpong, rate=1)
func BenchmarkPingPongBlockProfile(b *testing.B) {
	runtime.SetBlockProfileRate(1)
	defer runtime.SetBlockProfileRate(0)
	for b.Loop() {
		pingPong()
	}
	perOp(b, pingPongN)
}
