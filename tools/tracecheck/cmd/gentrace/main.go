// Command gentrace writes a small, real Go execution trace to FILE, for the
// tests of tracecheck and of gort's Java harness around it (TraceCheckTest):
// a trace from Go's own runtime is the reference a checker must accept.
//
// It does each thing below a known number of times, so the tests can
// compare the counts tracecheck reports (the runtime adds its own goroutines,
// GC and syscalls, so those counts are lower bounds):
//
//   - 1 task "gentrace" with 1 child task "child"; 3 logs of category "gentrace"
//   - regions "chan", "select", "mutex", "syscall", "sleep", one each
//   - 6 goroutines created, each of which exits
//   - main blocks on a chan receive, a select and a WaitGroup ("sync");
//     a goroutine blocks on a sync.Mutex ("sync") and sleeps ("sleep")
//   - a blocking read(2) from a pipe (Running->Syscall)
//   - one runtime.GC() (GC and stop-the-world ranges)
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

const pause = 5 * time.Millisecond // long enough that the other side surely parks

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gentrace FILE")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	check(err)
	check(trace.Start(f))

	ctx, task := trace.NewTask(context.Background(), "gentrace")
	trace.Log(ctx, "gentrace", "start")

	// chan receive: main waits for a goroutine that sleeps first.
	trace.WithRegion(ctx, "chan", func() {
		c := make(chan int)
		go func() {
			time.Sleep(pause)
			c <- 1
		}()
		<-c
	})

	// select: main waits on two channels, one of which gets a value later.
	trace.WithRegion(ctx, "select", func() {
		c1, c2 := make(chan int), make(chan int)
		go func() {
			time.Sleep(pause)
			c2 <- 2
		}()
		select {
		case <-c1:
		case <-c2:
		}
	})

	// sync: a goroutine blocks on a mutex main holds; main waits for it on a WaitGroup.
	trace.WithRegion(ctx, "mutex", func() {
		var mu sync.Mutex
		var wg sync.WaitGroup
		mu.Lock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			mu.Unlock()
		}()
		time.Sleep(pause)
		mu.Unlock()
		wg.Wait()
	})

	// syscall: a goroutine blocks in read(2) on a pipe (no netpoller) until main writes.
	trace.WithRegion(ctx, "syscall", func() {
		var p [2]int
		check(syscall.Pipe(p[:]))
		done := make(chan int)
		go func() {
			var b [1]byte
			n, err := syscall.Read(p[0], b[:])
			check(err)
			done <- n
		}()
		time.Sleep(pause)
		_, err := syscall.Write(p[1], []byte{1})
		check(err)
		<-done
		syscall.Close(p[0])
		syscall.Close(p[1])
	})

	// sleep, in a child task, and two goroutines that just exit.
	childCtx, child := trace.NewTask(ctx, "child")
	trace.Log(childCtx, "gentrace", "child")
	region := trace.StartRegion(childCtx, "sleep")
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	time.Sleep(pause)
	wg.Wait()
	region.End()
	child.End()

	runtime.GC()
	trace.Log(ctx, "gentrace", "end")
	task.End()
	trace.Stop()
	check(f.Close())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentrace:", err)
		os.Exit(1)
	}
}
