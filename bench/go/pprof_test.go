package gortbench

import (
	"io"
	"runtime"
	"runtime/pprof"
	"testing"
)

// profileParkedN is the number of goroutines parked during the goroutine profile benchmarks
// (shared/NOTES.md: Go's 104-155 ms for debug=0, 716-735 ms for debug=2 at 100k, 2 cores).
const profileParkedN = 100_000

// benchmarkGoroutineProfile: one goroutine profile written to io.Discard at the given debug
// level, with profileParkedN goroutines parked in a channel receive.
// (GoroutineProfileBench gort: java ... dev.gort.bench.GoroutineProfileBench 100000 ROUNDS fresh)
func benchmarkGoroutineProfile(b *testing.B, debug int) {
	base := runtime.NumGoroutine()
	ch := parkN(profileParkedN)
	defer release(ch, base)
	p := pprof.Lookup("goroutine")
	for b.Loop() {
		if err := p.WriteTo(io.Discard, debug); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGoroutineProfileDebug0(b *testing.B) { benchmarkGoroutineProfile(b, 0) }
func BenchmarkGoroutineProfileDebug2(b *testing.B) { benchmarkGoroutineProfile(b, 2) }
