#!/usr/bin/env bash
# Compares two builds of the benchmarks jar on the runtime's hot paths, alternating them
# (old, new, old, new) so that both see the same machine load; prints one line per run.
#
#   bench/compare.sh OLD_JAR NEW_JAR [ROUNDS]
#
# BENCHES (space-separated JMH patterns) picks the benchmarks; default: ping-pong, Gosched
# and select, e.g. BENCHES='PingPongBench.gort$ SpawnBench.gort$ SyscallBench.gort$'. A
# benchmark's parameters follow its name (ProdConsBench.gort:0). bench/compare_summary.py
# turns the output into a table of means with 99% intervals.
# GO_BENCH (a `go test -bench` pattern) also runs those Go twins of bench/go once per round
# and GOMAXPROCS, in the same run.
#
# Build an older jar from its commit in a worktree:
#   git worktree add /tmp/old COMMIT && (cd /tmp/old && mvn -B -q -pl bench -am package -DskipTests -Djcstress.skip)
#   bench/compare.sh /tmp/old/bench/target/benchmarks.jar bench/target/benchmarks.jar
set -euo pipefail
old=$1 new=$2 rounds=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
benches=${BENCHES:-'PingPongBench.gort$ GoschedBench.gort1$ SelectBench.gort$'}
for round in $(seq 1 "$rounds"); do
  for procs in 1 2; do
    for b in $benches; do
      for v in old new; do
        jar=$old; [ "$v" = new ] && jar=$new
        r=$(java -jar "$jar" "$b" -f 1 -wi 3 -w 1 -i 5 -r 1 \
              -jvmArgsAppend "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -Xmx2g -Dgort.maxprocs=$procs" 2>/dev/null \
            | grep -E "^[A-Za-z]+Bench\." | awk '{n = $1; for (i = 2; i <= NF - 6; i++) n = n ":" $i; print n, $(NF-3), "+-", $(NF-1)}' | tr '\n' ' ')
        echo "round=$round procs=$procs $v: $r load=$(cut -d' ' -f1 /proc/loadavg)"
      done
    done
    if [ -n "${GO_BENCH:-}" ]; then
      (cd "$here/go" && GOMAXPROCS=$procs go test -run '^$' -bench "$GO_BENCH" -benchtime 1s -count 1 2>/dev/null \
        | grep '^Benchmark' | awk -v r="$round" -v p="$procs" '{print "round=" r " procs=" p " go: " $1, $3, $4}')
    fi
  done
done
