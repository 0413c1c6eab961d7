// Command tracecheck parses an execution trace with Go's own parser
// (golang.org/x/exp/trace, the runtime's internal/trace as a module), checks
// every event with Go's own validator (the one Go's tests run on the traces
// the runtime writes, internal/testtrace here) and prints a summary of what
// the trace holds.
//
// gort writes Go's execution trace format; whether it did so correctly is for
// Go's tools to judge, not for a parser of our own that shares our
// misreadings. tracecheck exits 1, with the parser's or validator's error on
// stderr, on any error (an empty, truncated or malformed trace, an impossible
// state transition, a stack frame without file or line, ...). Otherwise it
// exits 0 and prints one line per fact on stdout, fields separated by a tab (a
// space below), the last field always a count:
//
//	events N                  every event the parser returned
//	kind KIND N               per Event.Kind(): Sync, StateTransition, Metric, ...
//	generations N             trace generations (the Sync events, less the reader's final one)
//	go FROM->TO N             goroutine state transitions (NotExist->Runnable, Running->Waiting, ...)
//	block REASON N            Running->Waiting by reason ("chan receive", "select", "sync", "sleep", ...)
//	stop REASON N             Running->Runnable by reason ("preempted", "runtime.Gosched")
//	goroutines N              distinct goroutine ids
//	proc FROM->TO N           proc state transitions (Idle->Running, ...)
//	procs N                   distinct Ps
//	threads N                 distinct Ms
//	tasks N                   TaskBegin events; task TYPE N per task type
//	regions N                 RegionBegin events; region TYPE N per region type
//	logs N                    Log events; log CATEGORY N per category
//	range NAME N              RangeBegin events by name (GC, stop-the-world, ...)
//	metric NAME N             Metric events by name (/sched/gomaxprocs:threads, ...)
//	label LABEL N             Label events by label
//	stacks N                  distinct non-empty stacks
//	frame FUNC N              with -frames: each function name, in how many distinct stacks
//
// Lines come sorted by key, then name; names have tabs and newlines replaced
// by spaces, an empty name is printed as "". Usage: tracecheck [-frames] FILE.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"dev.gort/tracecheck/internal/testtrace"
	"golang.org/x/exp/trace"
)

func main() {
	frames := flag.Bool("frames", false, "also print every function name found in a stack")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: tracecheck [-frames] FILE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	file := flag.Arg(0)
	s := newSummary()
	if err := s.read(file); err != nil {
		fmt.Fprintf(os.Stderr, "tracecheck: %s: after %d events: %v\n", file, s.counts["events"][""], err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	s.print(w, *frames)
	w.Flush()
}

type summary struct {
	counts     map[string]map[string]int // key -> name ("" for none) -> count
	goroutines map[trace.GoID]bool
	procs      map[trace.ProcID]bool
	threads    map[trace.ThreadID]bool
	stacks     map[string][]string  // stack (its frames) -> function names
	seen       map[trace.Stack]bool // the stack handles of this generation already recorded
}

func newSummary() *summary {
	return &summary{
		counts:     map[string]map[string]int{},
		goroutines: map[trace.GoID]bool{},
		procs:      map[trace.ProcID]bool{},
		threads:    map[trace.ThreadID]bool{},
		stacks:     map[string][]string{},
		seen:       map[trace.Stack]bool{},
	}
}

func (s *summary) add(key, name string) {
	m := s.counts[key]
	if m == nil {
		m = map[string]int{}
		s.counts[key] = m
	}
	m[name]++
}

const emptyTrace = "no trace generation after the header (an empty trace)"

func (s *summary) read(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	v := testtrace.NewValidator()
	start, _ := br.Peek(17) // the 16-byte header "go 1.N trace\0\0\0", and more?
	fmt.Sscanf(string(start), "go 1.%d trace", &v.GoVersion)
	r, err := trace.NewReader(br)
	if err != nil {
		return err
	}
	if len(start) <= 16 {
		return errors.New(emptyTrace)
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := v.Event(ev); err != nil {
			// The reader emits a Sync before it reports a broken generation: its error says more.
			if _, rerr := r.ReadEvent(); ev.Kind() == trace.EventSync && rerr != nil && rerr != io.EOF {
				return rerr
			}
			return fmt.Errorf("Go's trace validator: %w\nin event: %v", err, ev)
		}
		s.event(ev)
	}
	// The reader emits a Sync at the start of each generation and one at the end.
	if s.counts["kind"]["Sync"] < 2 {
		return errors.New(emptyTrace)
	}
	return nil
}

func (s *summary) event(ev trace.Event) {
	s.add("events", "")
	s.add("kind", ev.Kind().String())
	if g := ev.Goroutine(); g != trace.NoGoroutine {
		s.goroutines[g] = true
	}
	if p := ev.Proc(); p != trace.NoProc {
		s.procs[p] = true
	}
	if m := ev.Thread(); m != trace.NoThread {
		s.threads[m] = true
	}
	s.stack(ev.Stack())
	switch ev.Kind() {
	case trace.EventSync:
		clear(s.seen) // stack handles are per generation
	case trace.EventStateTransition:
		st := ev.StateTransition()
		s.stack(st.Stack)
		switch st.Resource.Kind {
		case trace.ResourceGoroutine:
			s.goroutines[st.Resource.Goroutine()] = true
			from, to := st.Goroutine()
			s.add("go", from.String()+"->"+to.String())
			if from == trace.GoRunning && to == trace.GoWaiting {
				s.add("block", st.Reason)
			}
			if from == trace.GoRunning && to == trace.GoRunnable {
				s.add("stop", st.Reason)
			}
		case trace.ResourceProc:
			s.procs[st.Resource.Proc()] = true
			from, to := st.Proc()
			s.add("proc", from.String()+"->"+to.String())
		}
	case trace.EventTaskBegin:
		s.add("tasks", "")
		s.add("task", ev.Task().Type)
	case trace.EventRegionBegin:
		s.add("regions", "")
		s.add("region", ev.Region().Type)
	case trace.EventLog:
		s.add("logs", "")
		s.add("log", ev.Log().Category)
	case trace.EventRangeBegin:
		s.add("range", ev.Range().Name)
	case trace.EventMetric:
		s.add("metric", ev.Metric().Name)
	case trace.EventLabel:
		s.add("label", ev.Label().Label)
	}
}

// stack records a distinct non-empty stack, keyed by its frames (stack ids are per generation).
func (s *summary) stack(st trace.Stack) {
	if st == trace.NoStack || s.seen[st] {
		return
	}
	s.seen[st] = true
	var key strings.Builder
	var funcs []string
	for f := range st.Frames() {
		fmt.Fprintf(&key, "%s@%x;", f.Func, f.PC)
		funcs = append(funcs, f.Func)
	}
	if len(funcs) > 0 {
		s.stacks[key.String()] = funcs
	}
}

func (s *summary) print(w io.Writer, frames bool) {
	s.counts["goroutines"] = map[string]int{"": len(s.goroutines)}
	s.counts["procs"] = map[string]int{"": len(s.procs)}
	s.counts["threads"] = map[string]int{"": len(s.threads)}
	s.counts["stacks"] = map[string]int{"": len(s.stacks)}
	s.counts["generations"] = map[string]int{"": s.counts["kind"]["Sync"] - 1}
	for _, k := range []string{"tasks", "regions", "logs"} {
		s.counts[k] = map[string]int{"": s.counts[k][""]}
	}
	if frames {
		fs := map[string]int{}
		for _, funcs := range s.stacks {
			seen := map[string]bool{}
			for _, f := range funcs {
				if !seen[f] {
					seen[f] = true
					fs[f]++
				}
			}
		}
		s.counts["frame"] = fs
	}
	for _, key := range sorted(s.counts) {
		for _, name := range sorted(s.counts[key]) {
			n := s.counts[key][name]
			if totals[key] {
				fmt.Fprintf(w, "%s\t%d\n", key, n)
			} else {
				fmt.Fprintf(w, "%s\t%s\t%d\n", key, clean(name), n)
			}
		}
	}
}

func sorted[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// totals are the keys without a name.
var totals = map[string]bool{
	"events": true, "generations": true, "goroutines": true, "procs": true, "threads": true,
	"tasks": true, "regions": true, "logs": true, "stacks": true,
}

// clean keeps a name on one line and in one field, and visible.
func clean(name string) string {
	if name == "" {
		return `""`
	}
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(name)
}
