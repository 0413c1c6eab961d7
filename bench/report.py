#!/usr/bin/env python3
"""Turns one bench/run.sh run (JMH JSON, `go test -bench` output, ParkedHeap lines) into the
results table: gort, Go, Loom and bare-continuation figures per benchmark, the ratios
gort/Go, gort/Loom, gort/bare, and the issue's targets.

Every figure is the median of the run's samples (JMH: all measurement iterations of all
forks; Go: the -count repetitions; parked heap and latency programs: the repeated
fresh-JVM / fresh-process runs).

usage: report.py OUTDIR   (reads OUTDIR/jmh*.json, OUTDIR/go*.txt, OUTDIR/parked.txt and the
                           one-line reports of the latency programs in OUTDIR/*.txt)
"""
import glob
import json
import os
import re
import statistics
import sys

UNIT_NS = {"ns/op": 1.0, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}

# (label, unit, gort, go, loom, bare, targets); a source is a JMH "Class.method[@param=value]",
# a Go benchmark name "go:Name[:metric]", a parked-heap impl "parked:impl", a field of the
# latency programs' one-line reports "lat:TAG key=value ...:field" (the lines starting TAG
# with all those key=value pairs, e.g. "lat:HANDOFF_LATENCY impl=gort kind=syscall:p50_us"),
# or "diff:A|B", source A minus source B (medians); None = n/a.
# targets: list of (column, limit, text) with column in gort/Go, gort/Loom, gort/bare, gort;
# met when the column's value is <= limit.
ROWS = [
    ("Gosched switch, 1 goroutine (GOMAXPROCS=1)", "ns/op",
     "GoschedBench.gort1", "go:Gosched1", "GoschedBench.loom1", "GoschedBench.bare1",
     [("gort/bare", 1.3, "<= 1.3x bare cycle"), ("gort/Loom", 0.5, "<= 0.5x Loom yield")]),
    ("Gosched switch, 2 goroutines (GOMAXPROCS=1)", "ns/op",
     "GoschedBench.gort2", "go:Gosched2", "GoschedBench.loom2", "GoschedBench.bare2",
     [("gort/bare", 1.3, "<= 1.3x bare cycle"), ("gort/Loom", 0.5, "<= 0.5x Loom yield")]),
    ("spawn + exit, per goroutine", "ns/op",
     "SpawnBench.gort", "go:Spawn", "SpawnBench.loom", None,
     [("gort/Go", 1.0, "<= Go")]),
    ("unbuffered ping-pong, per round trip", "ns/op",
     "PingPongBench.gort", "go:PingPong", "PingPongBench.loom", None,
     [("gort/Go", 1.0, "<= Go")]),
    ("producer/consumer cap 0, per item", "ns/op",
     "ProdConsBench.gort@cap=0", "go:ProdCons0", "ProdConsBench.loom@cap=0", None, []),
    ("producer/consumer cap 10, per item", "ns/op",
     "ProdConsBench.gort@cap=10", "go:ProdCons10", "ProdConsBench.loom@cap=10", None, []),
    ("producer/consumer cap 100, per item", "ns/op",
     "ProdConsBench.gort@cap=100", "go:ProdCons100", "ProdConsBench.loom@cap=100", None, []),
    ("contended select 4x2 (Loom: shared LinkedBlockingQueue), per item", "ns/op",
     "SelectBench.gort", "go:Select", "SelectBench.loomLbq", None, []),
    ("contended select 4x2 (Loom: shared SynchronousQueue), per item", "ns/op",
     "SelectBench.gort", "go:Select", "SelectBench.loomSq", None, []),
    ("skynet 1M, per run", "ms",
     "SkynetBench.gort", "go:Skynet", "SkynetBench.loom", None,
     [("gort/Go", 1.25, "<= 1.25x Go"), ("gort/Loom", 0.5, "<= 0.5x Loom")]),
    ("heap per parked goroutine (1M parked)", "bytes",
     "parked:gort", "go:ParkedHeap:B/goroutine", "parked:loom", "parked:bare",
     [("gort", 600, "<= 600 bytes")]),
    ("Mutex uncontended lock+unlock, 1 goroutine (Loom: ReentrantLock)", "ns/op",
     "MutexBench.gortUncontended", "go:MutexUncontended", "MutexBench.loomUncontended", None,
     [("gort", 25, "<= 25 ns")]),
    ("Mutex uncontended lock+unlock, gort on a plain thread", "ns/op",
     "MutexBench.gortUncontendedThread", "go:MutexUncontended", "MutexBench.loomUncontended", None, []),
    ("Mutex contended, 4 goroutines, GOMAXPROCS=2, per lock+unlock", "ns/op",
     "MutexBench.gortContended", "go:MutexContended", "MutexBench.loomContended", None,
     [("gort/Go", 1.5, "<= 1.5x Go")]),
    ("WaitGroup fan-out/in of 100 (add + go done; Loom: CountDownLatch), per round", "ns/op",
     "WaitGroupBench.gortDone", "go:WaitGroupDone", "WaitGroupBench.loom", None, []),
    ("WaitGroup fan-out/in of 100 (wg.go; Loom: CountDownLatch), per round", "ns/op",
     "WaitGroupBench.gortGo", "go:WaitGroupGo", "WaitGroupBench.loom", None, []),
    ("100k afterFunc timers, 1..10 ms, armed and fired (Loom: ScheduledExecutorService), per run", "ms",
     "TimerBench.gortAfterFunc", "go:TimerAfterFunc", "TimerBench.loomScheduled", None, []),
    ("100k goroutines sleeping 1..10 ms, per run", "ms",
     "TimerBench.gortSleep", "go:TimerSleep", "TimerBench.loomSleep", None, []),
    ("syscall fast path, per call (Go: entersyscall+exitsyscall via linkname; bare: direct call)", "ns/op",
     "SyscallBench.gort", "go:SyscallEnterExit", None, "SyscallBench.direct",
     [("gort", 50, "<= 50 ns")]),
    ("syscall fast path, per call (Go: getpid Syscall - RawSyscall)", "ns/op",
     "SyscallBench.gort", "diff:go:SyscallGetpid|go:RawSyscallGetpid", None, "SyscallBench.direct", []),
    ("Gort.syscall on a plain thread (just runs the call), per call", "ns/op",
     "SyscallBench.thread", None, None, "SyscallBench.direct", []),
    ("P hand-off from an M blocked in a syscall, p50 (GOMAXPROCS=1)", "us",
     "lat:HANDOFF_LATENCY impl=gort kind=syscall:p50_us", "lat:HANDOFF_LATENCY impl=go kind=syscall:p50_us",
     None, None, [("gort", 100, "<= 100 us")]),
    ("P hand-off from an M blocked in a syscall, p99 (GOMAXPROCS=1)", "us",
     "lat:HANDOFF_LATENCY impl=gort kind=syscall:p99_us", "lat:HANDOFF_LATENCY impl=go kind=syscall:p99_us",
     None, None, [("gort", 1000, "<= 1000 us")]),
    ("P hand-off from an M blocked implicitly (Go: in a syscall), p50 (GOMAXPROCS=1)", "us",
     "lat:HANDOFF_LATENCY impl=gort kind=implicit:p50_us", "lat:HANDOFF_LATENCY impl=go kind=syscall:p50_us",
     None, None, [("gort", 100, "<= 100 us")]),
    ("P hand-off from an M blocked implicitly (Go: in a syscall), p99 (GOMAXPROCS=1)", "us",
     "lat:HANDOFF_LATENCY impl=gort kind=implicit:p99_us", "lat:HANDOFF_LATENCY impl=go kind=syscall:p99_us",
     None, None, [("gort", 1000, "<= 1000 us")]),
    ("sleep lateness, 100k goroutines x 5 sleeps of 1..1000 ms, p50", "us",
     "lat:SLEEP_LATENESS impl=gort goroutines=100000 max_ms=1000:p50_us", "lat:SLEEP_LATENESS impl=go goroutines=100000 max_ms=1000:p50_us",
     "lat:SLEEP_LATENESS impl=loom goroutines=100000 max_ms=1000:p50_us", None, []),
    ("sleep lateness, 100k goroutines x 5 sleeps of 1..1000 ms, p99", "us",
     "lat:SLEEP_LATENESS impl=gort goroutines=100000 max_ms=1000:p99_us", "lat:SLEEP_LATENESS impl=go goroutines=100000 max_ms=1000:p99_us",
     "lat:SLEEP_LATENESS impl=loom goroutines=100000 max_ms=1000:p99_us", None, [("gort", 2000, "<= 2000 us")]),
    ("sleep lateness, 100k goroutines x 5 sleeps of 1..50 ms (saturates 2 cores), p50", "us",
     "lat:SLEEP_LATENESS impl=gort goroutines=100000 max_ms=50:p50_us", "lat:SLEEP_LATENESS impl=go goroutines=100000 max_ms=50:p50_us",
     "lat:SLEEP_LATENESS impl=loom goroutines=100000 max_ms=50:p50_us", None, []),
    ("sleep lateness, 100k goroutines x 5 sleeps of 1..50 ms (saturates 2 cores), p99", "us",
     "lat:SLEEP_LATENESS impl=gort goroutines=100000 max_ms=50:p99_us", "lat:SLEEP_LATENESS impl=go goroutines=100000 max_ms=50:p99_us",
     "lat:SLEEP_LATENESS impl=loom goroutines=100000 max_ms=50:p99_us", None, []),
]

# The agent's overhead on CPU-bound code (AgentOverheadBench): "gort" is the workload
# instrumented (the fork with -javaagent), "bare cont." the same code without the agent;
# gort/bare is the overhead.
AGENT_WORKLOADS = [
    ("intSum", "int sum over 16K ints (vectorized, strip-mined)"),
    ("saxpy", "y += a*x over 16K ints (vectorized, strip-mined)"),
    ("matMul", "200x200 long matrix multiply"),
    ("collatz", "Collatz steps of 1..20,000 (non-counted loop)"),
    ("fib", "fib(25) (prologue check per call)"),
    ("visitor", "visitor over an 8,191-node expression tree, x32"),
    ("interpreter", "switch interpreter, 600k dispatches"),
]
for _name, _what in AGENT_WORKLOADS:
    for _where, _on in (("thread", "plain thread"), ("goroutine", "in a goroutine")):
        ROWS.append((f"agent overhead: {_what}, {_on} (gort: with the agent; bare: without)", "ns/op",
                     f"AgentOverheadBench.{_name}@agent=on,where={_where}", None, None,
                     f"AgentOverheadBench.{_name}@agent=off,where={_where}",
                     [("gort/bare", 1.05, "<= 1.05x without the agent")]))
ROWS += [
    ("preemption latency: 1 ms sleeper beside a call-free spinner (GOMAXPROCS=1, agent), p50", "us",
     "lat:PREEMPT_LATENCY impl=gort agent=on:p50_us", "lat:PREEMPT_LATENCY impl=go:p50_us", None, None, []),
    ("preemption latency: 1 ms sleeper beside a call-free spinner (GOMAXPROCS=1, agent), p99", "us",
     "lat:PREEMPT_LATENCY impl=gort agent=on:p99_us", "lat:PREEMPT_LATENCY impl=go:p99_us", None, None,
     [("gort", 12000, "<= 12 ms")]),
    ("preemption latency: 1 ms sleeper beside a call-free spinner (GOMAXPROCS=1, agent), max", "us",
     "lat:PREEMPT_LATENCY impl=gort agent=on:max_us", "lat:PREEMPT_LATENCY impl=go:max_us", None, None,
     [("gort", 25000, "<= 25 ms")]),
    ("preemption latency: sleeps that waited out a second time slice of the spinner (> 1.5x p50; Go's schedtick%61 rule), of 3000 (--quick: 1000)", "count",
     "lat:PREEMPT_LATENCY impl=gort agent=on:two_slices", "lat:PREEMPT_LATENCY impl=go:two_slices", None, None, []),
    ("baseline: 1 ms Thread.sleep beside a spinning thread, two platform threads (the OS's lateness under the run's load), p50", "us",
     "lat:PREEMPT_LATENCY impl=thread:p50_us", None, None, None, []),
    ("baseline: 1 ms Thread.sleep beside a spinning thread, two platform threads (the OS's lateness under the run's load), p99", "us",
     "lat:PREEMPT_LATENCY impl=thread:p99_us", None, None, None, []),
    ("baseline: 1 ms Thread.sleep beside a spinning thread, two platform threads (the OS's lateness under the run's load), max", "us",
     "lat:PREEMPT_LATENCY impl=thread:max_us", None, None, None, []),
    ("preemption latency without the agent: the sleeper's first run (starved until the 5 s budget ends)", "us",
     "lat:PREEMPT_LATENCY impl=gort agent=off:first_run_us", None, None, None, []),
]


def load_jmh(outdir):
    res = {}
    for path in sorted(glob.glob(os.path.join(outdir, "jmh*.json"))):
        with open(path) as f:
            try:
                entries = json.load(f)
            except ValueError:  # empty or cut short: JMH failed (its .log says why)
                print(f"report.py: skipping {path}: not JMH JSON", file=sys.stderr)
                continue
            for e in entries:
                name = ".".join(e["benchmark"].split(".")[-2:])
                if e.get("params"):
                    name += "@" + ",".join(f"{k}={v}" for k, v in sorted(e["params"].items()))
                pm = e["primaryMetric"]
                scale = UNIT_NS[pm["scoreUnit"]]
                samples = [x * scale for fork in pm["rawData"] for x in fork]
                res[name] = samples
    return res


GO_LINE = re.compile(r"^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.*)$")


def load_go(outdir):
    res = {}
    for path in sorted(glob.glob(os.path.join(outdir, "go*.txt"))):
        with open(path) as f:
            for line in f:
                m = GO_LINE.match(line.strip())
                if not m:
                    continue
                name, rest = m.groups()
                fields = rest.split()
                # pairs of "value unit"; the last ns/op wins (perOp overrides the framework's)
                metrics = {}
                for i in range(0, len(fields) - 1, 2):
                    try:
                        metrics[fields[i + 1]] = float(fields[i])
                    except ValueError:
                        pass
                for unit, v in metrics.items():
                    res.setdefault(f"{name}:{unit}", []).append(v)
    return res


PARKED = re.compile(r"^PARKED_HEAP impl=(\S+) .*bytes_per=([0-9.]+)")


def load_parked(outdir):
    res = {}
    path = os.path.join(outdir, "parked.txt")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                m = PARKED.match(line.strip())
                if m:
                    res.setdefault(m.group(1), []).append(float(m.group(2)))
    return res


# A latency program's one-line report: TAG key=value key=value ... (Java's on stdout, saved
# in OUTDIR/latency.txt; the Go twins print the same lines into OUTDIR/go-*.txt).
REPORT_LINE = re.compile(r"^([A-Z][A-Z_]+)((?: [a-z_0-9]+=\S+)+)$")


def load_reports(outdir):
    """All one-line reports in OUTDIR/*.txt, as (TAG, {key: value})."""
    res = []
    for path in sorted(glob.glob(os.path.join(outdir, "*.txt"))):
        with open(path) as f:
            for line in f:
                m = REPORT_LINE.match(line.strip())
                if m:
                    res.append((m.group(1), dict(kv.split("=", 1) for kv in m.group(2).split())))
    return res


def latency(src, reports):
    """The samples of "TAG key=value ...:field" (see ROWS)."""
    selector, field = src.rsplit(":", 1)
    tag, *pairs = selector.split()
    want = dict(p.split("=", 1) for p in pairs)
    s = []
    for t, kv in reports:
        if t == tag and all(kv.get(k) == v for k, v in want.items()) and field in kv:
            try:
                s.append(float(kv[field]))
            except ValueError:
                pass
    return s


def value(src, unit, jmh, go, parked, reports):
    """Median in the row's unit, and the number of samples; (None, 0) when missing."""
    if src is None:
        return None, 0
    if src.startswith("diff:"):
        a, b = src[5:].split("|")
        (va, na), (vb, nb) = value(a, unit, jmh, go, parked, reports), value(b, unit, jmh, go, parked, reports)
        return (None, 0) if va is None or vb is None else (va - vb, min(na, nb))
    if src.startswith("lat:"):
        s = latency(src[4:], reports)
    elif src.startswith("parked:"):
        s = parked.get(src[7:], [])
    elif src.startswith("go:"):
        parts = src[3:].split(":")
        metric = parts[1] if len(parts) > 1 else "ns/op"
        s = go.get(f"{parts[0]}:{metric}", [])
        if unit == "ms":
            s = [x / 1e6 for x in s]
    else:
        s = jmh.get(src, [])
        if unit == "ms":
            s = [x / 1e6 for x in s]
    if not s:
        return None, 0
    return statistics.median(s), len(s)


def fmt(v):
    if v is None:
        return "n/a"
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main():
    outdir = sys.argv[1]
    jmh, go, parked, reports = load_jmh(outdir), load_go(outdir), load_parked(outdir), load_reports(outdir)
    lines = [
        "| benchmark | unit | gort | Go | Loom | bare cont. | gort/Go | gort/Loom | gort/bare | target | met? |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    skipped = 0
    for label, unit, sg, sgo, sl, sb, targets in ROWS:
        g, _ = value(sg, unit, jmh, go, parked, reports)
        o, _ = value(sgo, unit, jmh, go, parked, reports)
        lo, _ = value(sl, unit, jmh, go, parked, reports)
        b, _ = value(sb, unit, jmh, go, parked, reports)
        if g is None and o is None and lo is None and b is None:
            skipped += 1  # a group this run left out (run.sh --groups)
            continue
        r = {"gort/Go": ratio(g, o), "gort/Loom": ratio(g, lo), "gort/bare": ratio(g, b), "gort": g}
        tt, met = [], []
        for col, limit, text in targets:
            tt.append(text)
            v = r[col]
            met.append("?" if v is None else ("yes" if v <= limit else "**no**"))
        rf = lambda x: "" if x is None else f"{x:.2f}"
        lines.append(f"| {label} | {unit} | {fmt(g)} | {fmt(o)} | {fmt(lo)} | {fmt(b)} | "
                     f"{rf(r['gort/Go'])} | {rf(r['gort/Loom'])} | {rf(r['gort/bare'])} | "
                     f"{'; '.join(tt)} | {'; '.join(met)} |")
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(outdir, "table.md"), "w") as f:
        f.write(table + "\n")
    if skipped:
        print(f"\n{skipped} rows without any result left out (groups not run)", file=sys.stderr)
    missing = [src for row in ROWS
               if any(value(x, row[1], jmh, go, parked, reports)[0] is not None for x in row[2:6] if x)
               for src in row[2:6]
               if src and value(src, row[1], jmh, go, parked, reports)[0] is None]
    if missing:
        print("\nmissing results: " + ", ".join(sorted(set(missing))), file=sys.stderr)


if __name__ == "__main__":
    main()
