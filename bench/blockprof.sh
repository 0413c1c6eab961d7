#!/usr/bin/env bash
# The block profile's cost on the unbuffered ping-pong (issue 12): gort's BlockProfileBench
# (block profile rate 0 and 1, GOMAXPROCS 1 and 2) and its Go twin (bench/go/blockprof_test.go:
# BenchmarkPingPong at Go's default rate 0, BenchmarkPingPongBlockProfile at rate 1, -cpu 1,2)
# in one run, alternated per round so both see the same machine load.
#
#   bench/blockprof.sh [JAR] [ROUNDS]     (JAR: bench/target/benchmarks.jar)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-$here/target/benchmarks.jar} rounds=${2:-2}
for round in $(seq 1 "$rounds"); do
  echo "round=$round load=$(cut -d' ' -f1 /proc/loadavg)"
  java -jar "$jar" 'BlockProfileBench' -f 2 -wi 5 -w 1 -i 5 -r 2 \
      -jvmArgsAppend "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -Xmx4g" 2>/dev/null \
    | grep -E "^BlockProfileBench" | awk '{print "  gort procs=" $2 " rate=" $3 ": " $(NF-3) " +- " $(NF-1) " ns/op"}'
  (cd "$here/go" && go test -run '^$' -bench 'PingPong$|PingPongBlockProfile' -cpu 1,2 -count 3 -benchtime 2s) \
    | grep -E "^Benchmark" | awk '{print "  go " $1 ": " $(NF-1) " ns/op"}'
done
