#!/usr/bin/env python3
"""Summarizes bench/compare.sh output: per benchmark and GOMAXPROCS, the mean of the old and
the new jar's scores over the rounds (one JMH fork each), their 99% confidence intervals
(Student's t over the rounds) and the ratio new/old. A row is "worse" only when the new
interval lies wholly above the old one (lower is better: ns/op).

    bench/compare.sh OLD_JAR NEW_JAR 4 | tee compare.txt
    bench/compare_summary.py compare.txt
"""
import re
import statistics
import sys
from collections import defaultdict

# two-sided 99% Student's t quantiles by degrees of freedom
T99 = {1: 63.657, 2: 9.925, 3: 5.841, 4: 4.604, 5: 4.032, 6: 3.707, 7: 3.499, 8: 3.355, 9: 3.250, 10: 3.169}

LINE = re.compile(r"round=(\d+) procs=(\d+) (old|new): (.*?) load=")
SCORE = re.compile(r"(\S+) ([0-9.]+) \+- ([0-9.]+|NaN)")


def interval(xs):
    m = statistics.mean(xs)
    if len(xs) < 2:
        return m, float("nan")
    h = T99.get(len(xs) - 1, 2.576) * statistics.stdev(xs) / len(xs) ** 0.5
    return m, h


def main(path):
    runs = defaultdict(list)
    for line in open(path):
        m = LINE.search(line)
        if not m:
            continue
        procs, side, rest = m.group(2), m.group(3), m.group(4)
        for name, score, _ in SCORE.findall(rest):
            runs[(name, procs, side)].append(float(score))
    keys = sorted({(n, p) for (n, p, _) in runs})
    print("| benchmark | GOMAXPROCS | old ns/op (99% CI) | new ns/op (99% CI) | new/old | verdict |")
    print("|---|---|---|---|---|---|")
    for name, procs in keys:
        old, new = runs.get((name, procs, "old"), []), runs.get((name, procs, "new"), [])
        if not old or not new:
            continue
        mo, ho = interval(old)
        mn, hn = interval(new)
        if mn - hn > mo + ho:
            verdict = "worse"
        elif mn + hn < mo - ho:
            verdict = "better"
        else:
            verdict = "within noise"
        print(f"| {name} | {procs} | {mo:,.1f} +- {ho:,.1f} (n={len(old)}) | {mn:,.1f} +- {hn:,.1f} (n={len(new)}) | {mn / mo:.2f} | {verdict} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: compare_summary.py COMPARE_OUTPUT")
    main(sys.argv[1])
