#!/usr/bin/env python3
"""Start-up and throughput of H2Workload with and without the agent (issue "The java agent", item 6).

Runs each configuration N times, interleaved (a, b, c, a, b, c, ...) so that the load of a
shared machine falls on all of them alike, and prints the medians and the ratios to the
first configuration. Run from gort-agent/ after `mvn -o -q install -DskipTests` (or package)
and test-compile:

    python3 src/test/scripts/h2_measure.py [--runs 7] [--set main|startup|throughput] [workload args...]

--set main:    (a) plain JVM, seq on the main thread; (b) the agent with main=goroutine, seq;
               (c) the agent, main=goroutine, maxprocs=2, go mode; (a-go) no agent, go mode.
--set startup: mode=startup only, to take the agent's start-up cost apart.
--set cache:   mode=startup, the agent's cache=DIR (issue 15): no agent; the agent without a
               cache; with a cold cache (emptied before each run); with a warm one (filled
               by one run before the first).
--set cold:    mode=startup, no cache: no agent; the agent's floor (include=none); everything
               instrumented; and, for each agent jar in GORT_AGENT_OLD (comma-separated: other
               builds), everything instrumented by that one (a before/after in one run).
--set throughput: seq mode, the agent's parts switched off one at a time (pass rounds=3 or
               more and read the last round's figures: the JIT has settled by then; on a
               busy machine compare workload_cpu_ms, wall times swing by 2x between runs).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import shutil
import tempfile

HOME = os.path.expanduser("~")
JAVA = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
AGENT = "target/gort-agent-0.1.0-SNAPSHOT.jar"
H2 = os.path.join(HOME, ".m2/repository/com/h2database/h2/2.5.252/h2-2.5.252.jar")
CP = "target/test-classes:" + H2
MAIN = "dev.gort.agentit.H2Workload"
EXPORTS = "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED"


def directives():
    """A compiler directives file that keeps C2 off the agent's (shaded) ASM."""
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    f.write('[{ match: "dev/gort/agent/asm/*.*", c2: { Exclude: true } }]\n')
    f.close()
    return f.name


def configs(which, extra):
    ag = "-javaagent:" + AGENT
    if which == "main":
        return [
            ("a: no agent, seq", [JAVA, "-cp", CP, MAIN, "mode=seq"] + extra),
            ("b: agent main=goroutine, seq", [JAVA, ag + "=main=goroutine", "-cp", CP, MAIN, "mode=seq"] + extra),
            ("c: agent main=goroutine,maxprocs=2, go", [JAVA, ag + "=main=goroutine,maxprocs=2", "-cp", CP, MAIN, "mode=go"] + extra),
            ("a-go: no agent, go (Gort.run), maxprocs=2", [JAVA, EXPORTS, "-Dgort.maxprocs=2", "-cp", CP + ":../gort-runtime/target/classes", MAIN, "mode=go"] + extra),
        ]
    if which == "throughput":
        s = [MAIN, "mode=seq"] + extra
        return [
            ("t-a: no agent", [JAVA, "-cp", CP] + s),
            ("t-b: agent main=goroutine", [JAVA, ag + "=main=goroutine", "-cp", CP] + s),
            ("t-b0: agent main=goroutine, include=none", [JAVA, ag + "=main=goroutine,include=none.None", "-cp", CP] + s),
            ("t-b1: agent main=goroutine, preempt=off", [JAVA, ag + "=main=goroutine,preempt=off", "-cp", CP] + s),
            ("t-bp: agent main=goroutine, preempt=prologue", [JAVA, ag + "=main=goroutine,preempt=prologue", "-cp", CP] + s),
            ("t-bb: agent main=goroutine, preempt=backedge", [JAVA, ag + "=main=goroutine,preempt=backedge", "-cp", CP] + s),
            ("t-b3: agent, no main=goroutine (main thread)", [JAVA, ag, "-cp", CP] + s),
        ]
    if which == "cache":
        s = [MAIN, "mode=startup"]
        root = tempfile.mkdtemp(prefix="gort-cache-")
        cold, warm = os.path.join(root, "cold"), os.path.join(root, "warm")
        subprocess.run([JAVA, ag + "=cache=" + warm, "-cp", CP] + s, capture_output=True, timeout=600, check=True)
        return [
            ("c0: no agent", [JAVA, "-cp", CP] + s),
            ("c1: agent, all instrumented, no cache", [JAVA, ag, "-cp", CP] + s),
            ("c1n: agent, include=none (the floor)", [JAVA, ag + "=include=none.None", "-cp", CP] + s),
            ("c2: c1 + cache=DIR, cold (empty DIR)", [JAVA, ag + "=cache=" + cold, "-cp", CP] + s,
             lambda: shutil.rmtree(cold, ignore_errors=True)),
            ("c3: c1 + cache=DIR, warm", [JAVA, ag + "=cache=" + warm, "-cp", CP] + s),
        ]
    if which == "cold":
        s = [MAIN, "mode=startup"]
        cs = [
            ("c0: no agent", [JAVA, "-cp", CP] + s),
            ("c1n: agent, include=none (the floor)", [JAVA, ag + "=include=none.None", "-cp", CP] + s),
            ("c1: agent, all instrumented, no cache", [JAVA, ag, "-cp", CP] + s),
        ]
        for k, old in enumerate(filter(None, os.environ.get("GORT_AGENT_OLD", "").split(","))):
            cs.append((f"c1-old{k}: {os.path.basename(old)}, all instrumented", [JAVA, "-javaagent:" + old, "-cp", CP] + s))
        return cs
    d = directives()
    s = [MAIN, "mode=startup"]
    return [
        ("s0: no agent", [JAVA, "-cp", CP] + s),
        ("s0x: no agent, -Xshare:off", [JAVA, "-Xshare:off", "-cp", CP] + s),
        ("s1: agent, include=none", [JAVA, ag + "=include=none.None", "-cp", CP] + s),
        ("s2: agent, include=none, main=goroutine", [JAVA, ag + "=include=none.None,main=goroutine", "-cp", CP] + s),
        ("s3: agent, all instrumented", [JAVA, ag, "-cp", CP] + s),
        ("s4: agent, all instrumented, main=goroutine", [JAVA, ag + "=main=goroutine", "-cp", CP] + s),
        ("s5: s4 + no C2 for ASM", [JAVA, "-XX:+UnlockDiagnosticVMOptions", "-XX:CompilerDirectivesFile=" + d,
                                    ag + "=main=goroutine", "-cp", CP] + s),
        ("s6: s4 + preempt=off,blocking=off", [JAVA, ag + "=main=goroutine,preempt=off,blocking=off", "-cp", CP] + s),
    ]


def parse(out):
    vals = {}
    for m in re.finditer(r"(\w+)=([0-9.]+)", out):
        vals.setdefault(m.group(1), []).append(float(m.group(2)))
    return vals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--set", default="main", choices=["main", "startup", "throughput", "cache", "cold"])
    args, extra = ap.parse_known_args()
    cs = configs(args.set, extra)
    cs = [c if len(c) == 3 else c + (None,) for c in cs]
    results = {name: [] for name, _, _ in cs}
    for i in range(args.runs):
        for name, cmd, prep in cs:
            if prep:
                prep()
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            if p.returncode != 0 or "uninstrumented" in p.stderr or "gort-agent: cache" in p.stderr:
                print("FAILED or reported:", name, p.returncode, p.stderr[-2000:], file=sys.stderr)
            results[name].append(parse(p.stdout))
            print(f"run {i + 1} {name}: " + " ".join(l for l in p.stdout.splitlines() if l.startswith("startup")),
                  file=sys.stderr, flush=True)
    keys = ["startup_ms", "startup_cpu_ms"]
    if args.set not in ("startup", "cache", "cold"):
        keys += ["rows_per_s", "lookups_per_s", "workload_ms", "workload_cpu_ms"]
    base = None
    print("median of %d runs (for per-round keys: first round / last round)" % args.runs)
    for name, _, _ in cs:
        row = {}
        for k in keys:
            firsts = [r[k][0] for r in results[name] if k in r]
            lasts = [r[k][-1] for r in results[name] if k in r]
            row[k] = (statistics.median(firsts), statistics.median(lasts)) if firsts else (float("nan"),) * 2
        if base is None:
            base = row
        cells = []
        for k in keys:
            f, l = row[k]
            bf, bl = base[k]
            if k.startswith("startup"):
                cells.append(f"{k}={f:.0f} (x{f / bf:.2f})")
            else:
                cells.append(f"{k}={f:.0f}/{l:.0f} (x{f / bf:.2f}/x{l / bl:.2f})")
        print(f"{name:48s} " + "  ".join(cells))


if __name__ == "__main__":
    main()
