#!/usr/bin/env python3
"""Runs the library workloads of bench/libs (Jackson, Caffeine, Lucene, Commons Compress)
with and without the agent, and writes a table of start-up and steady-state costs.

bench/libs.sh builds what this needs and calls it; by hand:

    python3 bench/libs/measure.py --java JAVA --agent AGENT_JAR --cp CLASSPATH \
        --out DIR [--runs 5] [--workloads jackson,caffeine,...] [--variants none,agent,...]

Each JVM launch is one workload in one variant. Launches are interleaved: run 1 does every
variant of a workload one after the other, then run 2 does them again in a rotated order,
and so on, so that a shared machine's load falls on every variant alike; a ratio is taken
between the launches of the same run and workload, and reported as the median (and the
range) over runs.

Per launch:
- start-up: the wall time from spawning the JVM to the workload's `first` line (its
  first unit of work has a result), read from outside the JVM;
- steady state: the rounds after the first `warm` ones (JIT warm-up), their best and
  median round time, wall and CPU (the CPU time of the round's own threads on a plain
  thread, so that time the OS gave to other processes on a shared machine does not count;
  the whole process's in the goroutine variants: bench/libs Rounds.java);
- the checksums (per round and the final one), which must equal those without the agent.

Output in DIR: launches.jsonl (one JSON object per launch: command, rounds, times, load),
table.md (the summary), and each launch's stderr under stderr/.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

ADD_EXPORTS = "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED"

# name: (main class, arguments, warm-up rounds skipped, rounds, what it is)
WORKLOADS = {
    "jackson": ("JacksonBench", [], 5, 20,
                "Jackson databind: 30 x (write 200 orders, read them as beans, read them as a tree) a round, plain thread"),
    "jackson-4g": ("JacksonBench", ["goroutines=4"], 4, 12,
                   "the same x4, in 4 goroutines (GOMAXPROCS=2)"),
    "caffeine": ("CaffeineBench", [], 5, 20,
                 "Caffeine: 4 threads x 400k get/put on a 20k-entry cache, plain-thread main"),
    "lucene": ("LuceneBench", [], 4, 12,
               "Lucene: index 4000 documents, run 2000 queries, plain thread"),
    "lucene-4g": ("LuceneBench", ["goroutines=4"], 3, 8,
                  "the same x4, in 4 goroutines (GOMAXPROCS=2)"),
    "compress": ("CompressBench", [], 5, 20,
                 "Commons Compress: tar 100 files, bzip2 + Snappy both ways, untar, plain thread"),
}

# name: agent options (None: no agent); "before" runs the agent jar of --baseline-agent.
VARIANTS = {
    "none": None,
    "agent": "",
    "preempt=off": "preempt=off",
    "blocking=off": "blocking=off",
    "preempt+blocking=off": "preempt=off,blocking=off",
    "before": "",
}

# A launch that runs longer is killed and reported as hung: the slowest (lucene-4g under
# the agent) takes about a minute on 2 busy cores.
TIMEOUT_S = 240


def command(args, workload, variant):
    main, wargs, _, rounds, _ = WORKLOADS[workload]
    opts = VARIANTS[variant]
    jvm = [args.java] + args.jvm_args.split()
    if opts is None:
        jvm += [ADD_EXPORTS]
    else:
        jar = args.baseline_agent if variant == "before" else args.agent
        jvm += ["-javaagent:" + jar + ("=" + opts if opts else "")]
    return jvm + ["-cp", args.cp, "dev.gort.bench.libs." + main] + wargs + ["rounds=%d" % rounds]


def launch(args, workload, variant, run, errdir):
    cmd = command(args, workload, variant)
    load = os.getloadavg()[0]
    err = open(os.path.join(errdir, "%s-%s-%d.txt" % (workload, variant.replace(",", "+"), run)), "w")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
    hung = []
    timer = threading.Timer(TIMEOUT_S, lambda: (hung.append(True), p.kill()))
    timer.start()
    first = None
    rounds = []
    checksum = None
    firstsum = None
    for line in p.stdout:
        t = time.monotonic()
        f = line.split()
        if not f:
            continue
        if f[0] == "first":
            first = (t - t0) * 1000
            firstsum = f[1]
        elif f[0] == "round":
            rounds.append((float(f[2]), f[3], float(f[4])))
        elif f[0] == "checksum":
            checksum = f[1]
    _, status, ru = os.wait4(p.pid, 0)
    timer.cancel()
    err.close()
    wall = (time.monotonic() - t0) * 1000
    return {
        "workload": workload, "variant": variant, "run": run, "cmd": cmd,
        "load1": load, "startup_ms": first, "first": firstsum, "rounds": rounds,
        "checksum": checksum, "wall_ms": wall, "cpu_ms": (ru.ru_utime + ru.ru_stime) * 1000,
        "exit": os.waitstatus_to_exitcode(status), "hung": bool(hung),
    }


def steady(rec, cpu=False):
    """Best and median of the rounds after warm-up: wall times, or CPU times."""
    warm = WORKLOADS[rec["workload"]][2]
    ts = [r[2] if cpu else r[0] for r in rec["rounds"][warm:]]
    if not ts:
        return None, None
    return min(ts), statistics.median(ts)


def fmt(x, nd=0):
    return "-" if x is None else ("%.*f" % (nd, x))


def spread(xs, nd=0):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    if len(xs) == 1:
        return fmt(xs[0], nd)
    return "%s (%s-%s)" % (fmt(statistics.median(xs), nd), fmt(min(xs), nd), fmt(max(xs), nd))


def table(recs, workloads, variants):
    out = []
    out.append("| workload | variant | start-up ms | best round ms | median round ms | best CPU ms "
               "| median CPU ms | start-up x | best x | median x | best CPU x | median CPU x "
               "| checksums | load |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for w in workloads:
        base = {r["run"]: r for r in recs if r["workload"] == w and r["variant"] == "none"}
        for v in variants:
            rs = [r for r in recs if r["workload"] == w and r["variant"] == v]
            if not rs:
                continue
            cols = {"startup": [], "best": [], "median": [], "cbest": [], "cmed": []}
            ratios = {k: [] for k in cols}
            same = 0
            for r in rs:
                rb, rm = steady(r)
                cb, cm = steady(r, cpu=True)
                vals = {"startup": r["startup_ms"], "best": rb, "median": rm, "cbest": cb, "cmed": cm}
                for k, x in vals.items():
                    cols[k].append(x)
                b = base.get(r["run"])
                if b is None:
                    continue
                bb, bm = steady(b)
                bcb, bcm = steady(b, cpu=True)
                bvals = {"startup": b["startup_ms"], "best": bb, "median": bm, "cbest": bcb, "cmed": bcm}
                for k in cols:
                    if vals[k] and bvals[k]:
                        ratios[k].append(vals[k] / bvals[k])
                if (r["checksum"] is not None and r["checksum"] == b["checksum"]
                        and [x[1] for x in r["rounds"]] == [x[1] for x in b["rounds"]]):
                    same += 1
            bad = [r for r in rs if r["hung"] or r["exit"] != 0]
            sums = "%d/%d same" % (same, len(rs)) if v != "none" else "-"
            if bad:
                sums += ", %d hung/failed" % len(bad)
            loads = [r["load1"] for r in rs]
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f-%.1f |" % (
                w, v, spread(cols["startup"]), spread(cols["best"]), spread(cols["median"]),
                spread(cols["cbest"]), spread(cols["cmed"]),
                *("" if v == "none" else spread(ratios[k], 2) for k in cols),
                sums, min(loads), max(loads)))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--java", required=True)
    ap.add_argument("--agent", required=True)
    ap.add_argument("--cp", required=True, help="the workloads' jar, the libraries' jars and gort-runtime's jar")
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--variants", default="none,agent,preempt=off,blocking=off")
    ap.add_argument("--jvm-args", default="", help="extra JVM options for every launch")
    ap.add_argument("--baseline-agent", help="another agent jar, run as the variant 'before'")
    ap.add_argument("--report", action="store_true", help="only rebuild table.md from OUT/launches.jsonl")
    args = ap.parse_args()
    workloads = args.workloads.split(",")
    variants = args.variants.split(",")
    for v in variants:
        if v not in VARIANTS:
            sys.exit("measure.py: unknown variant " + v + " (known: " + ", ".join(VARIANTS) + ")")
    if "none" not in variants:
        variants.insert(0, "none")
    for w in workloads:
        if w not in WORKLOADS:
            sys.exit("measure.py: unknown workload " + w + " (known: " + ", ".join(WORKLOADS) + ")")
    if "before" in variants and not args.baseline_agent:
        sys.exit("measure.py: the variant 'before' needs --baseline-agent JAR")
    if args.report:
        recs = [json.loads(l) for l in open(os.path.join(args.out, "launches.jsonl"))]
        write_table(args.out, recs, workloads, variants)
        return
    os.makedirs(os.path.join(args.out, "stderr"), exist_ok=True)
    recs = []
    with open(os.path.join(args.out, "launches.jsonl"), "w") as log:
        for w in workloads:
            for run in range(args.runs):
                order = variants[run % len(variants):] + variants[:run % len(variants)]
                for v in order:
                    rec = launch(args, w, v, run, os.path.join(args.out, "stderr"))
                    recs.append(rec)
                    log.write(json.dumps(rec) + "\n")
                    log.flush()
                    b, m = steady(rec)
                    cb, cm = steady(rec, cpu=True)
                    print("%s run %d %-26s load %.2f start-up %s ms best %s median %s cpu best %s median %s%s" % (
                        w, run, v, rec["load1"], fmt(rec["startup_ms"]), fmt(b, 1), fmt(m, 1),
                        fmt(cb, 1), fmt(cm, 1), " HUNG" if rec["hung"] else (
                            "" if rec["exit"] == 0 else " EXIT %d" % rec["exit"])), flush=True)
    write_table(args.out, recs, workloads, variants)


def write_table(out, recs, workloads, variants):
    t = table(recs, workloads, variants)
    legend = "\n".join("- %s: %s" % (w, WORKLOADS[w][4]) for w in workloads)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(t + "\n\n" + legend + "\n")
    print(t)
    print(legend)


if __name__ == "__main__":
    main()
