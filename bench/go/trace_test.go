package gortbench

import (
	"runtime/trace"
	"testing"
)

// The execution tracer's cost, the twin of TraceBench: ping-pong and skynet traced into a
// writer that counts and drops the bytes. "bytes/roundtrip" is the trace's size per
// ping-pong round trip.

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// BenchmarkPingPongTraced: BenchmarkPingPong under trace.Start. (TraceBench.pingpong, trace=on)
func BenchmarkPingPongTraced(b *testing.B) {
	w := &countingWriter{}
	if err := trace.Start(w); err != nil {
		b.Fatal(err)
	}
	rounds := 0
	for b.Loop() {
		pingPong()
		rounds += pingPongN
	}
	trace.Stop()
	perOp(b, pingPongN)
	b.ReportMetric(float64(w.n)/float64(rounds), "bytes/roundtrip")
}

// BenchmarkSkynetTraced: BenchmarkSkynet under trace.Start. (TraceBench.skynet, trace=on)
func BenchmarkSkynetTraced(b *testing.B) {
	w := &countingWriter{}
	if err := trace.Start(w); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c := make(chan int)
		go skynet(c, 0, 1_000_000, 10)
		if r := <-c; r != skynetExpected {
			b.Fatalf("skynet = %d, want %d", r, skynetExpected)
		}
	}
	trace.Stop()
}
