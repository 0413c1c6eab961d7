#!/usr/bin/env python3
"""The table of one bench/redis.sh run.

usage: redis_report.py OUTDIR   (reads OUTDIR/SCENARIO-SERVER-ROUND.csv, redis-benchmark's
                                 CSV, and .proc, "threads_ready threads_peak vmhwm_kb")

Per scenario and server, the best round (highest requests/s) of each test, with its p50
and p99 latency; threads and RSS are the worst (highest) over the rounds. Then gort's
requests/s over each other server's, per test.
"""
import csv
import glob
import os
import re
import sys

SERVERS = {"gort": "gort", "go": "Go twin", "loom": "Loom twin", "redis": "redis-server",
           "jdk-agent": "JDK sockets in goroutines (agent)"}
SCENARIOS = {"p1": "-P 1", "p16": "-P 16", "idle": "-P 1 + idle conns"}
TESTS = ["PING_MBULK", "SET", "GET", "INCR"]
FAILED = {}  # (scenario, server) -> runs where redis-benchmark failed (excluded from the figures)


def load(out):
    runs = {}  # (scenario, server) -> list of ({test: (rps, p50, p99)}, (ready, peak, hwm))
    for path in glob.glob(os.path.join(out, "*.failed")):
        m = re.match(r"(\w+)-([\w-]+)-(\d+)\.failed$", os.path.basename(path))
        if m:
            FAILED[(m.group(1), m.group(2))] = FAILED.get((m.group(1), m.group(2)), 0) + 1
    for path in sorted(glob.glob(os.path.join(out, "*.csv"))):
        m = re.match(r"(\w+)-([\w-]+)-(\d+)\.csv$", os.path.basename(path))
        if not m:
            continue
        with open(path) as f:
            rows = {r["test"]: (float(r["rps"]), float(r["p50_latency_ms"]), float(r["p99_latency_ms"]))
                    for r in csv.DictReader(f)}
        with open(path[:-4] + ".proc") as f:
            proc = tuple(int(x) for x in f.read().split())
        runs.setdefault((m.group(1), m.group(2)), []).append((rows, proc))
    return runs


def main(out):
    runs = load(out)
    env = open(os.path.join(out, "env.txt")).read().strip().splitlines()
    print("\n".join("    " + line for line in env))
    print()
    print("| scenario | server | " + " | ".join(t.replace("_MBULK", "") + " req/s (p50/p99 ms)" for t in TESTS)
          + " | threads ready -> peak | peak RSS MB |")
    print("|---|---|" + "---|" * len(TESTS) + "---|---|")
    best = {}
    for scen in SCENARIOS:
        for server in SERVERS:
            rs = runs.get((scen, server))
            if not rs:
                if FAILED.get((scen, server)):
                    print(f"| {SCENARIOS[scen]} | {SERVERS[server]} | every run failed |" + " |" * (len(TESTS) + 1))
                continue
            cells = []
            for t in TESTS:
                have = [r[0][t] for r in rs if t in r[0]]
                if not have:
                    cells.append("-")
                    continue
                rps, p50, p99 = max(have)
                best[(scen, server, t)] = (rps, p99)
                cells.append(f"{rps:,.0f} ({p50:.3f}/{p99:.3f})")
            ready = max(r[1][0] for r in rs)
            peak = max(r[1][1] for r in rs)
            hwm = max(r[1][2] for r in rs) / 1024
            failed = FAILED.get((scen, server), 0)
            print(f"| {SCENARIOS[scen]} | {SERVERS[server]}" + (f" ({failed} run(s) failed)" if failed else "")
                  + " | " + " | ".join(cells) + f" | {ready} -> {peak} | {hwm:,.0f} |")
    print()
    print("gort's requests/s over the others' (p99 latency: gort's over theirs), best of "
          + str(max((len(v) for v in runs.values()), default=0)) + " rounds:")
    print()
    print("| scenario | vs | " + " | ".join(t.replace("_MBULK", "") for t in TESTS) + " |")
    print("|---|---|" + "---|" * len(TESTS))
    for scen in SCENARIOS:
        for server in SERVERS:
            if server == "gort" or (scen, server, "SET") not in best or (scen, "gort", "SET") not in best:
                continue
            cells = []
            for t in TESTS:
                g, o = best.get((scen, "gort", t)), best.get((scen, server, t))
                cells.append(f"{g[0] / o[0]:.2f}x (p99 {g[1] / o[1]:.2f}x)" if g and o else "-")
            print(f"| {SCENARIOS[scen]} | {SERVERS[server]} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
