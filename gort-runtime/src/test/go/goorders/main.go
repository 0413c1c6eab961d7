// Command goorders prints the order in which Go's scheduler runs a few small programs with
// one P, for dev.gort.explore.GoOrdersTest to compare with gort's gomaxprocs(1) model.
// Run it as GOMAXPROCS=1 GOGC=off goorders SCENARIO: each scenario prints, on one line,
// what its goroutines did in the order they did it. The Java twin of each is in the test.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
)

var out []string

func add(s string) { out = append(out, s) }

func main() {
	// runtime.main leaves goroutines of its own in the run queues when main.main starts;
	// let them run and park, so that main goes on as a controlled run's main starts: empty
	// queues, schedtick 6 (SingleP.MAIN_SCHEDTICK; the "fairness" scenario measures it).
	runtime.Gosched()
	switch os.Args[1] {
	case "gosched": // runnext: the last goroutine started runs first
		go func() { add("a") }()
		go func() { add("b") }()
		runtime.Gosched()
		add("main")
	case "fairness": // the global queue is checked first every 61st schedtick
		for i := 0; i < 100; i++ {
			go func() { add(fmt.Sprint(i)) }()
		}
		runtime.Gosched()
		add("main")
	case "close": // closechan readies its waiters from a stack, each taking runnext
		c := make(chan int)
		var wg sync.WaitGroup
		for i := 1; i <= 3; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-c
				add(fmt.Sprint("r", i))
			}()
		}
		runtime.Gosched()
		close(c)
		add("closed")
		wg.Wait()
	case "overflow": // a full local queue moves half of itself to the global queue
		var wg sync.WaitGroup
		for i := 0; i < 300; i++ {
			wg.Add(1)
			go func() {
				add(fmt.Sprint(i))
				wg.Done()
			}()
		}
		wg.Wait()
		add("main")
	case "pingpong": // a goroutine readied by a channel operation runs next
		ping, pong := make(chan int), make(chan int)
		done := make(chan bool)
		go func() {
			for i := 0; i < 3; i++ {
				ping <- i
				add(fmt.Sprint("p", <-pong))
			}
			done <- true
		}()
		go func() {
			for i := 0; i < 3; i++ {
				add(fmt.Sprint("q", <-ping))
				pong <- i
			}
		}()
		go func() { add("r") }()
		<-done
		add("main")
	case "waiters": // WaitGroup.Done releases each waiter (FIFO), each taking runnext
		var wg, all sync.WaitGroup
		wg.Add(1)
		for i := 1; i <= 3; i++ {
			all.Add(1)
			go func() {
				defer all.Done()
				wg.Wait()
				add(fmt.Sprint("w", i))
			}()
		}
		runtime.Gosched()
		wg.Done()
		add("done")
		all.Wait()
	case "mutex": // Unlock wakes one waiter at a time (no spinning with one P)
		var mu sync.Mutex
		var all sync.WaitGroup
		mu.Lock()
		for i := 1; i <= 3; i++ {
			all.Add(1)
			go func() {
				defer all.Done()
				mu.Lock()
				add(fmt.Sprint("m", i))
				mu.Unlock()
			}()
		}
		runtime.Gosched()
		mu.Unlock()
		add("unlocked")
		all.Wait()
	default:
		fmt.Fprintln(os.Stderr, "unknown scenario", os.Args[1])
		os.Exit(2)
	}
	fmt.Println(strings.Join(out, " "))
}
