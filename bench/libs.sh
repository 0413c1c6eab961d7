#!/usr/bin/env bash
# What the agent costs on ordinary library code: Jackson, Caffeine, Lucene and Commons
# Compress (fetched from Maven Central by bench/libs/pom.xml), each run with and without
# -javaagent:gort-agent.jar, and with the agent's preempt=off and blocking=off; start-up (JVM
# start to first result) and steady-state rounds (best, median), in one interleaved run.
#
#   bench/libs.sh [--runs N] [--workloads LIST] [--variants LIST] [--rebuild] [--out DIR]
#
#   --runs N        JVM launches per workload and variant (default 5)
#   --workloads     comma-separated, of: jackson, jackson-4g, caffeine, lucene, lucene-4g,
#                   compress (default: all)
#   --variants      comma-separated, of: none, agent, preempt=off, blocking=off,
#                   preempt+blocking=off (the agent with both), before
#                   (default: none,agent,preempt=off,blocking=off)
#   --baseline-agent JAR  the agent jar the variant "before" runs (another build, to compare)
#   --jvm-args STR  extra JVM options for every launch (e.g. "-Xlog:gc:file=/tmp/gc-%p.log")
#   --rebuild       rebuild the agent jar and the workloads (default: only when missing)
#   --out DIR       where results go (default bench/target/libs-YYYYmmdd-HHMMSS)
#
# Output in DIR: env.txt (machine, JDK, git, load), table.md, launches.jsonl (every launch's
# rounds and times), stderr/ (each launch's stderr). bench/libs/measure.py documents the
# measurement. The full default run takes about 40 minutes on 2 cores.
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$BENCH")"

args="$*"
rebuild=0 out="" pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs|--workloads|--variants|--jvm-args|--baseline-agent) pass+=("$1" "$2"); shift ;;
    --rebuild) rebuild=1 ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "libs.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$out" ] || out="$BENCH/target/libs-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# The newest JDK 21+ (JAVA_HOME first), as .ci/run's build does.
. "$BENCH/jdk.sh" libs.sh

LIBS="$BENCH/libs/target"
AGENT_JAR="$ROOT/gort-agent/target/gort-agent-0.1.0-SNAPSHOT.jar"
RUNTIME_JAR="$ROOT/gort-runtime/target/gort-runtime-0.1.0-SNAPSHOT.jar"
if [ "$rebuild" = 1 ] || [ ! -f "$AGENT_JAR" ] || [ ! -f "$LIBS/bench-libs-0.1.0-SNAPSHOT.jar" ]; then
  echo "== building the agent jar and bench/libs (the libraries come from Maven Central)"
  # -Plibs adds bench/libs to the reactor; its package phase copies the libraries to
  # bench/libs/target/lib.
  (cd "$ROOT" && mvn -B -q -Plibs -pl gort-agent,bench/libs -am package -DskipTests -Djcstress.skip)
fi
CP="$LIBS/bench-libs-0.1.0-SNAPSHOT.jar:$(ls "$LIBS"/lib/*.jar | tr '\n' ':')$RUNTIME_JAR"

{
  echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command: bench/libs.sh $args"
  echo "git:     $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -q . && echo ' (with uncommitted changes)')"
  echo "cpu:     $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores:   $(nproc)"
  echo "memory:  $(free -h | awk '/^Mem:/ {print $2}')"
  echo "kernel:  $(uname -sr)"
  echo "java:    $("$JAVA" -version 2>&1 | sed -n 2p) ($JAVA_HOME)"
  echo "libs:    $(cd "$LIBS/lib" && ls | tr '\n' ' ')"
  echo "load:    $(uptime)"
} | tee "$out/env.txt"

python3 "$BENCH/libs/measure.py" --java "$JAVA" --agent "$AGENT_JAR" --cp "$CP" --out "$out" "${pass[@]}"
echo "load:    $(uptime) (at the end)" | tee -a "$out/env.txt"
echo "== $out/table.md"
