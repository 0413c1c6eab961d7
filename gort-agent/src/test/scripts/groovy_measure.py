#!/usr/bin/env python3
"""Wall and CPU time of Groovy running src/test/resources/groovy/workload.groovy (GroovyIT's
script: Groovy compiles it, then runs it) with and without the agent (issue "The java
agent", item 6: the second real application).

Runs each configuration N times, interleaved so that a shared machine's load falls on all
alike, and prints medians and ratios to the first. Run from gort-agent/ after `mvn -o -q
install -DskipTests` (the agent jar and ../gort-runtime/target/classes):

    python3 src/test/scripts/groovy_measure.py [--runs 7]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

HOME = os.path.expanduser("~")
JAVA = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
AGENT = "target/gort-agent-0.1.0-SNAPSHOT.jar"
GROOVY = os.path.join(HOME, ".m2/repository/org/apache/groovy/groovy/5.0.8/groovy-5.0.8.jar")
SCRIPT = "src/test/resources/groovy/workload.groovy"
MAIN = ["groovy.ui.GroovyMain", SCRIPT]


def configs():
    ag = "-javaagent:" + AGENT
    return [
        ("g0: no agent (main thread; gort on the class path)",
         [JAVA, "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "-cp", GROOVY + ":../gort-runtime/target/classes"] + MAIN),
        ("g1: agent, nothing instrumented, main=goroutine", [JAVA, ag + "=include=none.None,main=goroutine", "-cp", GROOVY] + MAIN),
        ("g2: agent, all instrumented, main=goroutine", [JAVA, ag + "=main=goroutine", "-cp", GROOVY] + MAIN),
    ]


def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    wall = (time.monotonic() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    if p.returncode != 0 or not p.stdout.startswith("ok "):
        print("FAILED:", cmd, p.returncode, p.stdout[-500:], p.stderr[-2000:], file=sys.stderr)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    cs = configs()
    results = {name: [] for name, _ in cs}
    for i in range(args.runs):
        for name, cmd in cs:
            results[name].append(run(cmd))
            w, c = results[name][-1]
            print(f"run {i + 1} {name}: wall {w:.0f} ms, cpu {c:.0f} ms", file=sys.stderr, flush=True)
    print("median of %d runs" % args.runs)
    base = None
    for name, _ in cs:
        w = statistics.median(r[0] for r in results[name])
        c = statistics.median(r[1] for r in results[name])
        if base is None:
            base = (w, c)
        print(f"{name:52s} wall_ms={w:.0f} (x{w / base[0]:.2f})  cpu_ms={c:.0f} (x{c / base[1]:.2f})")


if __name__ == "__main__":
    main()
