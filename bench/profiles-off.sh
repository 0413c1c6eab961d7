#!/usr/bin/env bash
# Issue 12's "profiling switched off" target: spawn+exit, ping-pong, a contended Mutex and
# skynet, two builds alternated at GOMAXPROCS 1 and 2 (bench/compare.sh), with Go's twins
# in the same run. One line per run.
#
#   bench/profiles-off.sh OLD_JAR NEW_JAR [ROUNDS]
#
# OLD_JAR: the benchmarks jar of the commit before the profiles (aa6ebb9), built in a worktree:
#   git worktree add /tmp/old aa6ebb9 && (cd /tmp/old && mvn -B -q -pl bench -am package -DskipTests -Djcstress.skip)
BENCHES='SpawnBench.gort$ PingPongBench.gort$ MutexBench.gortContended$ SkynetBench.gort$' \
GO_BENCH='^Benchmark(Spawn|PingPong|MutexContended|Skynet)$' \
  exec "$(dirname "$0")/compare.sh" "$@"
