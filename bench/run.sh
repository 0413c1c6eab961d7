#!/usr/bin/env bash
# Runs gort's benchmarks beside their Loom, bare-continuation and Go twins, and prints the
# results table (bench/RESULTS.md describes each benchmark).
#
#   bench/run.sh [--quick|--full] [--rebuild] [--only java|go] [--groups LIST] [--out DIR]
#
#   --quick    fewer forks/iterations (~15 min on 2 cores); default: --full (~60 min)
#   --rebuild  rebuild bench/target/benchmarks.jar and the agent jar (default: only when missing)
#   --only     run only the Java (JMH + ParkedHeap + latency programs) or only the Go side
#   --groups   comma-separated groups to run (default: all): gosched, spawn, pingpong,
#              prodcons, select, mutex, waitgroup, timers, syscall, skynet, parked, latency, agent
#   --out DIR  where results go (default bench/target/results-YYYYmmdd-HHMMSS)
#
# Output in DIR, per group (gosched, spawn, pingpong, prodcons, select, mutex, waitgroup,
# timers, syscall, skynet, agent): jmh-GROUP.json/.log (JMH -rf json), go-GROUP.txt (go test
# -bench); parked.txt (ParkedHeap, one fresh JVM per line), go-parked-N.txt; latency.txt
# (HandoffLatency and SleepLateness, one fresh JVM per line), go-latency-NAME-N.txt (their Go
# twins, one process each, printing the same lines); agent-latency.txt (PreemptLatency under
# the agent, and once without it), go-agent-latency-N.txt (its Go twin); env.txt; table.md
# (the final table). Only ratios measured in one run are meaningful on a shared machine.
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$BENCH")"

args="$*"
mode=full rebuild=0 only="" out="" groups=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --rebuild) rebuild=1 ;;
    --only) only="$2"; shift ;;
    --groups) groups=",$2,"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$only" in ""|java|go) ;; *) echo "run.sh: --only java|go" >&2; exit 2 ;; esac
want() { [ -z "$groups" ] || [[ "$groups" == *",$1,"* ]]; } # want GROUP: selected by --groups
[ -n "$out" ] || out="$BENCH/target/results-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# The newest JDK 21+ (JAVA_HOME first), as .ci/run's build does.
. "$BENCH/jdk.sh" run.sh
JAR="$BENCH/target/benchmarks.jar"
AGENT_JAR="$(ls "$ROOT"/gort-agent/target/gort-agent-*.jar 2>/dev/null | head -n 1 || true)"
EXPORTS="--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED"

if [ "$mode" = quick ]; then
  # JMH: -f forks, -wi/-i warm-up/measurement iterations, -w/-r their times.
  JMH_AVG=(-f 1 -wi 3 -w 1s -i 3 -r 1s)
  JMH_SS=(-f 1 -wi 2 -i 3)
  GO_AVG=(-benchtime 1s -count 3)
  GO_SKYNET=(-benchtime 3x -count 2)
  PARKED_REPS=1
  LATENCY_REPS=1
  PREEMPT_N=1000
else
  JMH_AVG=()    # the annotations: 2 forks, 5 x 1 s warm-up, 5 x 2 s measurement
  JMH_SS=()     # SkynetBench's: 2 forks, 3 warm-up shots, 5 measured shots
  GO_AVG=(-benchtime 2s -count 5)
  GO_SKYNET=(-benchtime 5x -count 3)
  PARKED_REPS=3
  LATENCY_REPS=3
  PREEMPT_N=3000
fi
PARKED_N=1000000

{
  echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "mode:    $mode"
  echo "command: bench/run.sh $args"
  echo "git:     $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -q . && echo ' (with uncommitted changes)')"
  echo "cpu:     $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores:   $(nproc) (lscpu: $(lscpu | sed -n 's/^CPU(s): *//p' | head -1) CPUs, $(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s)/core)"
  echo "memory:  $(free -h | awk '/^Mem:/ {print $2}')"
  echo "kernel:  $(uname -sr)"
  echo "java:    $("$JAVA" -version 2>&1 | sed -n 2p) ($JAVA_HOME)"
  echo "go:      $(go version 2>/dev/null || echo 'not found')"
} | tee "$out/env.txt"

# Each group runs its JMH benchmarks, then their Go twins, so the two sides of a ratio are
# measured minutes apart at most (the machine's load drifts).
jmh() { # jmh GROUP REGEX [options...]
  local group="$1" regex="$2"; shift 2
  "$JAVA" -jar "$JAR" "$regex" "$@" -foe true -rf json -rff "$out/jmh-$group.json" \
    > "$out/jmh-$group.log" 2>&1 || echo "run.sh: JMH $group failed (see $out/jmh-$group.log)" >&2
  grep -E '^[A-Z][A-Za-z]+Bench\.' "$out/jmh-$group.log" || true
}
gobench() { # gobench GROUP REGEX [options...]
  local group="$1" regex="$2"; shift 2
  (cd "$BENCH/go" && go test -run '^$' -bench "$regex" "$@") > "$out/go-$group.txt" 2>&1 \
    || echo "run.sh: go test $group failed (see $out/go-$group.txt)" >&2
  grep -E '^(Benchmark|[A-Z][A-Z_]+ impl=)' "$out/go-$group.txt" || true
}

if [ "$only" != go ] && { [ "$rebuild" = 1 ] || [ ! -f "$JAR" ] || [ -z "$AGENT_JAR" ]; }; then
  echo "== building $JAR and the agent jar"
  (cd "$ROOT" && mvn -B -q -pl bench,gort-agent -am package -DskipTests)
  AGENT_JAR="$(ls "$ROOT"/gort-agent/target/gort-agent-*.jar | head -n 1)"
fi

P='^dev\.gort\.bench\.'
BENCH_GROUPS=( # group, JMH regex, go test -bench regex (separated by spaces)
  "gosched ${P}GoschedBench\. ^Benchmark(Gosched1|Gosched2)\$"
  "spawn ${P}SpawnBench\. ^BenchmarkSpawn\$"
  "pingpong ${P}PingPongBench\. ^BenchmarkPingPong\$"
  "prodcons ${P}ProdConsBench\. ^BenchmarkProdCons(0|10|100)\$"
  "select ${P}SelectBench\. ^BenchmarkSelect\$"
  "mutex ${P}MutexBench\. ^BenchmarkMutex(Uncontended|Contended)\$"
  "waitgroup ${P}WaitGroupBench\. ^BenchmarkWaitGroup(Done|Go)\$"
  "timers ${P}TimerBench\. ^BenchmarkTimer(AfterFunc|Sleep)\$"
  "syscall ${P}SyscallBench\. ^Benchmark(SyscallEnterExit|SyscallDirect|SyscallGetpid|RawSyscallGetpid)\$"
)
for g in "${BENCH_GROUPS[@]}"; do
  read -r group jregex gregex <<< "$g"
  want "$group" || continue
  echo "== $group ($mode)"
  [ "$only" = go ] || jmh "$group" "$jregex" "${JMH_AVG[@]}"
  [ "$only" = java ] || gobench "$group" "$gregex" "${GO_AVG[@]}"
done

if want skynet; then
echo "== skynet 1M ($mode)"
[ "$only" = go ] || jmh skynet "${P}SkynetBench\." "${JMH_SS[@]}"
[ "$only" = java ] || gobench skynet '^BenchmarkSkynet$' "${GO_SKYNET[@]}"
fi

if want parked; then
echo "== parked heap: $PARKED_N parked goroutines, a fresh JVM / process per run, x$PARKED_REPS"
[ "$only" = go ] || : > "$out/parked.txt"
for rep in $(seq "$PARKED_REPS"); do
  if [ "$only" != go ]; then
    for impl in gort loom bare; do
      "$JAVA" "$EXPORTS" -Xmx4g -cp "$JAR" dev.gort.bench.ParkedHeap "$impl" "$PARKED_N" \
        | tee -a "$out/parked.txt" || echo "run.sh: ParkedHeap $impl failed" >&2
    done
  fi
  [ "$only" = java ] || gobench "parked-$rep" '^BenchmarkParkedHeap$' -benchtime 1x
done
fi

if want latency; then
echo "== latency: P hand-off (GOMAXPROCS=1), sleep lateness (100k goroutines, sleeps of 1..1000 and 1..50 ms), a fresh JVM / process per run, x$LATENCY_REPS"
[ "$only" = go ] || : > "$out/latency.txt"
for rep in $(seq "$LATENCY_REPS"); do
  if [ "$only" != go ]; then
    for kind in syscall implicit; do
      "$JAVA" "$EXPORTS" -Xmx4g -Dgort.maxprocs=1 -cp "$JAR" dev.gort.bench.HandoffLatency "$kind" \
        | tee -a "$out/latency.txt" || echo "run.sh: HandoffLatency $kind failed" >&2
    done
    for max_ms in 1000 50; do
      for impl in gort loom; do
        "$JAVA" "$EXPORTS" -Xmx4g -cp "$JAR" dev.gort.bench.SleepLateness "$impl" 100000 5 "$max_ms" \
          | tee -a "$out/latency.txt" || echo "run.sh: SleepLateness $impl $max_ms failed" >&2
      done
    done
  fi
  if [ "$only" != java ]; then # one process each, as the JVMs
    for b in HandoffLatency SleepLateness SleepLatenessDense; do
      gobench "latency-$b-$rep" "^Benchmark$b\$" -benchtime 1x
    done
  fi
done
fi

if want agent; then
# The agent's cost on CPU-bound code (the same forks with and without -javaagent, in one JMH
# run: AgentFork adds the flag by the agent parameter), then preemption latency: a sleeper
# beside a goroutine spinning in a call-free loop, GOMAXPROCS=1, with the agent (fresh JVM
# per run), once without it (it starves: a bounded run), the Go twin, and the OS's own
# lateness with the two loops on two platform threads (the floor under the others' tails).
# (--full: AgentOverheadBench's annotations, 4 forks of 5 x 1 s per workload and parameter
# pair, ~22 min.)
echo "== agent: overhead of the injected checks on CPU-bound code ($mode)"
[ "$only" = go ] || jmh agent "${P}AgentOverheadBench\." "${JMH_AVG[@]}" -prof "dev.gort.bench.AgentFork:jar=$AGENT_JAR"
echo "== agent: preemption latency of a call-free spinning goroutine (GOMAXPROCS=1, $PREEMPT_N sleeps of 1 ms), x$LATENCY_REPS"
[ "$only" = go ] || : > "$out/agent-latency.txt"
for rep in $(seq "$LATENCY_REPS"); do
  if [ "$only" != go ]; then
    "$JAVA" -javaagent:"$AGENT_JAR"=maxprocs=1 -Xmx4g -cp "$JAR" dev.gort.bench.PreemptLatency gort "$PREEMPT_N" \
      | tee -a "$out/agent-latency.txt" || echo "run.sh: PreemptLatency (agent) failed" >&2
    "$JAVA" -Xmx4g -cp "$JAR" dev.gort.bench.PreemptLatency thread "$PREEMPT_N" \
      | tee -a "$out/agent-latency.txt" || echo "run.sh: PreemptLatency (threads) failed" >&2
  fi
  [ "$only" = java ] || gobench "agent-latency-$rep" '^BenchmarkPreemptLatency$' -benchtime 1x -args -preemptn="$PREEMPT_N"
done
if [ "$only" != go ]; then # without the agent the sleeper never runs: stop after 5 s
  "$JAVA" "$EXPORTS" -Xmx4g -Dgort.maxprocs=1 -cp "$JAR" dev.gort.bench.PreemptLatency gort "$PREEMPT_N" 5 \
    | tee -a "$out/agent-latency.txt" || echo "run.sh: PreemptLatency (no agent) failed" >&2
fi
fi

echo
echo "== results ($out)"
python3 "$BENCH/report.py" "$out"
