#!/usr/bin/env bash
# Issue 12's "profiling switched off" target: spawn+exit, ping-pong, a contended Mutex and
# skynet, two builds alternated (old, new, old, new) at GOMAXPROCS 1 and 2, with Go's twins
# (spawn, ping-pong, mutex, skynet) once per round in the same run. One line per run.
#
#   bench/profiles-off.sh OLD_JAR NEW_JAR [ROUNDS]
#
# OLD_JAR: the benchmarks jar of the commit before the profiles (aa6ebb9), built in a worktree:
#   git worktree add /tmp/old aa6ebb9 && (cd /tmp/old && mvn -B -q -pl bench -am package -DskipTests -Djcstress.skip)
set -euo pipefail
old=$1 new=$2 rounds=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
benches='SpawnBench.gort$ PingPongBench.gort$ MutexBench.gortContended$ SkynetBench.gort$'
for round in $(seq 1 "$rounds"); do
  for procs in 1 2; do
    for b in $benches; do
      for v in old new; do
        jar=$old; [ "$v" = new ] && jar=$new
        r=$(java -jar "$jar" "$b" -f 1 -wi 3 -w 1 -i 5 -r 1 \
              -jvmArgsAppend "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -Xmx2g -Dgort.maxprocs=$procs" 2>/dev/null \
            | grep -E "^(Spawn|PingPong|Mutex|Skynet)Bench" | awk '{print $1, $(NF-3), "+-", $(NF-1), $NF}' | tr '\n' ' ')
        echo "round=$round procs=$procs $v: $r load=$(cut -d' ' -f1 /proc/loadavg)"
      done
    done
    (cd "$here/go" && GOMAXPROCS=$procs go test -run '^$' -bench '^Benchmark(Spawn|PingPong|MutexContended|Skynet)$' -benchtime 1s -count 1 2>/dev/null \
      | grep '^Benchmark' | awk -v r="$round" -v p="$procs" '{print "round=" r " procs=" p " go: " $1, $3, $4}')
  done
done
