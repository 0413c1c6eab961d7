#!/usr/bin/env bash
# The execution tracer's cost while tracing is off (compiled in, never started): the
# ping-pong and skynet benchmarks of a jar built before the tracer against the current one,
# alternated (old, new, old, new) in one run, 4 forks each; JMH's error column is its
# 99.9% confidence interval.
#
#   bench/trace-off.sh OLD_JAR NEW_JAR [ROUNDS]
#
# Build the old jar from the commit before the tracer (68e192e) in a worktree:
#   git worktree add /tmp/pretrace 68e192e && (cd /tmp/pretrace && mvn -B -q -pl bench -am package -DskipTests -Djcstress.skip)
#   bench/trace-off.sh /tmp/pretrace/bench/target/benchmarks.jar bench/target/benchmarks.jar
set -euo pipefail
old=$1 new=$2 rounds=${3:-1}
for round in $(seq 1 "$rounds"); do
  for b in 'PingPongBench.gort$' 'SkynetBench.gort$'; do
    for v in old new; do
      jar=$old; [ "$v" = new ] && jar=$new
      r=$(java -jar "$jar" "$b" -f 4 -wi 3 -i 5 \
            -jvmArgsAppend "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED" 2>/dev/null \
          | grep -E "^(PingPong|Skynet)Bench" | awk '{print $1, $(NF-3), "+-", $(NF-1), $NF}' | tr '\n' ' ')
      echo "round=$round $v: $r load=$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
