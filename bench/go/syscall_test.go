package gortbench

import (
	"syscall"
	"testing"
	_ "unsafe" // go:linkname
)

// ---- the syscall enter/exit fast path (SyscallBench) ----

const syscallN = 1_000_000

// The runtime's own entersyscall/exitsyscall: linkname-exported (gVisor calls them around
// its raw system calls), so Gort.syscall(() -> 42) has an exact twin.
//
//go:linkname entersyscall runtime.entersyscall
func entersyscall()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

// syscallSink keeps the results alive (the Java side consumes them in a Blackhole).
var syscallSink int

// fortyTwo is the call: never inlined, as the Java side's (@CompilerControl(DONT_INLINE)).
// A small leaf, so it has no stack check either.
//
//go:noinline
func fortyTwo() int { return 42 }

// syscallFortyTwo is Gort.syscall(() -> fortyTwo()): entersyscall, the call, exitsyscall.
// Nosplit, as gVisor's callers are: no stack growth between enter and exit.
//
//go:nosplit
func syscallFortyTwo() int {
	entersyscall()
	v := fortyTwo()
	exitsyscall()
	return v
}

// BenchmarkSyscallEnterExit: a goroutine calls entersyscall; fortyTwo(); exitsyscall N times. (SyscallBench.gort)
func BenchmarkSyscallEnterExit(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			sum := 0
			for i := 0; i < syscallN; i++ {
				sum += syscallFortyTwo()
			}
			syscallSink = sum
			close(finished)
		}()
		<-finished
	}
	perOp(b, syscallN)
}

// BenchmarkSyscallDirect: the same loop calling the function directly. (SyscallBench.direct)
func BenchmarkSyscallDirect(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			sum := 0
			for i := 0; i < syscallN; i++ {
				sum += fortyTwo()
			}
			syscallSink = sum
			close(finished)
		}()
		<-finished
	}
	perOp(b, syscallN)
}

// BenchmarkSyscallGetpid: a real system call with entersyscall/exitsyscall,
// syscall.Syscall(SYS_GETPID). Go only: compare with BenchmarkRawSyscallGetpid.
func BenchmarkSyscallGetpid(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			sum := 0
			for i := 0; i < syscallN; i++ {
				pid, _, _ := syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0)
				sum += int(pid)
			}
			syscallSink = sum
			close(finished)
		}()
		<-finished
	}
	perOp(b, syscallN)
}

// BenchmarkRawSyscallGetpid: the same system call without entersyscall/exitsyscall,
// syscall.RawSyscall(SYS_GETPID); Syscall - RawSyscall is Go's enter/exit cost around a
// real system call.
func BenchmarkRawSyscallGetpid(b *testing.B) {
	for b.Loop() {
		finished := make(chan struct{})
		go func() {
			sum := 0
			for i := 0; i < syscallN; i++ {
				pid, _, _ := syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
				sum += int(pid)
			}
			syscallSink = sum
			close(finished)
		}()
		<-finished
	}
	perOp(b, syscallN)
}
