#!/usr/bin/env bash
# redis-benchmark (the C client of Redis) against four servers speaking the same RESP2
# subset: gort's redis example (a goroutine per connection on gort's network poller), its
# Go twin (bench/go/redis), its Loom twin (virtual threads on the JDK's blocking sockets,
# dev.gort.examples.redis.LoomRedisServer) and redis-server itself (C, single-threaded:
# the ceiling). Prints a markdown table.
#
#   bench/redis.sh [--rebuild]
#
# Three scenarios, each run ROUNDS times with the servers alternating (gort, go, loom,
# redis, gort, ...), one fresh server process per run, the best run kept per server:
#   p1    redis-benchmark -t ping,set,get,incr -n REQUESTS -c CLIENTS -P 1
#   p16   the same with -P 16 (pipelining)
#   idle  p1 while IDLE other connections stay open and silent (redis-benchmark -I)
# Per run: requests/s, p50 and p99 latency (redis-benchmark's CSV), the server's OS
# threads (/proc/PID/status Threads: once ready, and the peak sampled every 100 ms) and its
# peak RSS (VmHWM). Before each measured run a warm-up of REQUESTS/10 (not recorded).
#
# Environment (defaults): REQUESTS=200000 CLIENTS=50 ROUNDS=3 IDLE=10000
# SERVERS="gort go loom redis" SCENARIOS="p1 p16 idle" PORT=16380 (PORT..PORT+n-1)
# (also: SERVERS=... jdk-agent: the Loom twin's code with a goroutine per connection under
# gort's agent, where the JDK sockets' blocking calls are syscalls that hold an M each)
# JAVA=java (21+) JAVA_OPTS="" OUT=bench/target/redis-YYYYmmdd-HHMMSS
# A quick check: REQUESTS=20000 ROUNDS=1 bench/redis.sh
#
# Installs nothing. Needs redis-benchmark and redis-server (Debian/Ubuntu: apt-get install
# redis-tools redis-server), Go 1.22+ and a JDK 21+; builds gort-examples.jar with Maven
# when it is missing (or with --rebuild) and the Go twin with `go build` each time.
# Client and servers share the machine: only figures of one run compare.
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$BENCH")"
REQUESTS=${REQUESTS:-200000} CLIENTS=${CLIENTS:-50} ROUNDS=${ROUNDS:-3} IDLE=${IDLE:-10000}
SERVERS=${SERVERS:-gort go loom redis} SCENARIOS=${SCENARIOS:-p1 p16 idle} PORT=${PORT:-16380}
JAVA=${JAVA:-java} JAVA_OPTS=${JAVA_OPTS:-}
OUT=${OUT:-$BENCH/target/redis-$(date +%Y%m%d-%H%M%S)}
JAR=$ROOT/gort-examples/target/gort-examples.jar
AGENT=$ROOT/gort-agent/target/gort-agent-0.1.0-SNAPSHOT.jar
rebuild=0
case "${1:-}" in
  --rebuild) rebuild=1 ;;
  "") ;;
  -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
  *) echo "redis.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

# ---- what it needs ----
missing=0
for tool in redis-benchmark redis-server redis-cli; do
  if ! command -v $tool >/dev/null; then
    echo "redis.sh: $tool not found; install it: sudo apt-get install redis-tools redis-server" >&2
    missing=1
  fi
done
command -v go >/dev/null || { echo "redis.sh: go not found (Go 1.22+, https://go.dev/dl/)" >&2; missing=1; }
if ! "$JAVA" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  echo "redis.sh: $JAVA is not a JDK 21+ (set JAVA=/path/to/bin/java)" >&2; missing=1
fi
[ $missing = 0 ] || exit 1

# 10,000 idle connections need that many descriptors in the server and in the client.
hard=$(ulimit -Hn)
want=$((IDLE + CLIENTS + 1000))
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then
  echo "redis.sh: the hard descriptor limit is $hard, the idle scenario needs $want (raise it in /etc/security/limits.conf, or IDLE=...)" >&2
  exit 1
fi
ulimit -Sn "$( [ "$hard" = unlimited ] && echo $want || echo "$hard" )"

mkdir -p "$OUT"
if [ $rebuild = 1 ] || [ ! -f "$JAR" ] || [ ! -f "$AGENT" ]; then
  echo "building gort-examples.jar ..." >&2
  (cd "$ROOT" && mvn -B -q -pl gort-examples,gort-agent -am package -DskipTests -Djcstress.skip) >&2
fi
(cd "$BENCH/go" && go build -o "$OUT/redis-go" ./redis)

# ---- one server process ----
server_pid=""
idle_pid=""
sampler_pid=""
cleanup() {
  for p in $sampler_pid $idle_pid $server_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# start_server NAME PORT LOG: starts it, waits until it answers PING; sets server_pid.
start_server() {
  local name=$1 port=$2 log=$3
  case $name in
    gort) $JAVA $JAVA_OPTS -jar "$JAR" redis 127.0.0.1:$port >"$log" 2>&1 & ;;
    loom) $JAVA $JAVA_OPTS -cp "$JAR" dev.gort.examples.redis.LoomRedisServer 127.0.0.1:$port >"$log" 2>&1 & ;;
    go) "$OUT/redis-go" 127.0.0.1:$port >"$log" 2>&1 & ;;
    # The Loom twin's code (JDK blocking sockets) with a goroutine per connection, under the agent.
    jdk-agent) $JAVA $JAVA_OPTS -javaagent:"$AGENT" -Dredis.spawn=goroutine -cp "$JAR" dev.gort.examples.redis.LoomRedisServer 127.0.0.1:$port >"$log" 2>&1 & ;;
    redis) redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no --maxclients $((IDLE + CLIENTS + 100)) >"$log" 2>&1 & ;;
    *) echo "redis.sh: unknown server $name (gort, go, loom, redis, jdk-agent)" >&2; exit 2 ;;
  esac
  server_pid=$!
  for _ in $(seq 300); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then return 0; fi
    kill -0 $server_pid 2>/dev/null || { echo "redis.sh: $name exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "redis.sh: $name did not answer PING on port $port within 30 s" >&2; cat "$log" >&2; exit 1
}

stop_server() {
  for p in $sampler_pid $idle_pid $server_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  sampler_pid="" idle_pid="" server_pid=""
}

threads_of() { awk '/^Threads:/ {print $2}' /proc/"$1"/status 2>/dev/null || echo 0; }

# sample PID FILE: the peak of Threads, every 100 ms, rewritten into FILE.
sample() {
  local pid=$1 file=$2 peak=0 t
  while kill -0 "$pid" 2>/dev/null; do
    t=$(threads_of "$pid"); t=${t:-0}
    if [ "$t" -gt "$peak" ]; then peak=$t; echo $peak >"$file"; fi
    sleep 0.1
  done
}

# connections PORT: established connections to the server's port.
connections() { ss -Htn state established "( sport = :$1 )" 2>/dev/null | wc -l; }

# run SCENARIO SERVER ROUND: one fresh server, warm-up, the measured benchmark; writes
# OUT/SCENARIO-SERVER-ROUND.csv (redis-benchmark's) and .proc (threads_ready threads_peak hwm_kb).
run() {
  local scen=$1 name=$2 round=$3 port=$4 base=$OUT/$1-$2-$3 pipeline=1
  [ "$scen" = p16 ] && pipeline=16
  start_server "$name" "$port" "$base.log"
  local ready; ready=$(threads_of $server_pid)
  sample $server_pid "$base.peak" & sampler_pid=$!
  if [ "$scen" = idle ]; then
    redis-benchmark -p "$port" -I -c "$IDLE" >"$base.idle.log" 2>&1 & idle_pid=$!
    for _ in $(seq 600); do
      [ "$(connections "$port")" -ge "$IDLE" ] && break
      kill -0 $idle_pid 2>/dev/null || { echo "redis.sh: redis-benchmark -I exited:" >&2; cat "$base.idle.log" >&2; exit 1; }
      sleep 0.1
    done
    local open; open=$(connections "$port")
    [ "$open" -ge "$IDLE" ] || { echo "redis.sh: only $open of $IDLE idle connections opened to $name" >&2; exit 1; }
  fi
  if ! redis-benchmark -p "$port" -t ping,set,get,incr -n $((REQUESTS / 10)) -c "$CLIENTS" -P $pipeline -q --csv >/dev/null 2>"$base.err" \
      || ! redis-benchmark -p "$port" -t ping,set,get,incr -n "$REQUESTS" -c "$CLIENTS" -P $pipeline -q --csv >"$base.csv" 2>"$base.err"; then
    # A server that fails its client is a finding, not the end of the run: keep its
    # threads (a JVM prints them to its log on SIGQUIT) and go on with the others.
    echo "redis.sh: redis-benchmark failed against $name ($scen round $round): $(tr '\n' ' ' <"$base.err"); log in $base.log" >&2
    case $name in gort|loom) kill -QUIT $server_pid; sleep 2 ;; esac
    rm -f "$base.csv"; touch "$base.failed"
    stop_server
    return 0
  fi
  local hwm; hwm=$(awk '/^VmHWM:/ {print $2}' /proc/$server_pid/status)
  kill $sampler_pid 2>/dev/null || true; wait $sampler_pid 2>/dev/null || true; sampler_pid=""
  echo "$ready $(cat "$base.peak" 2>/dev/null || echo "$ready") $hwm" >"$base.proc"
  stop_server
  echo "$scen round $round $name: $(grep -E '^"(SET|GET)"' "$base.csv" | cut -d, -f1,2 | tr '\n' ' ')threads $(cat "$base.proc")" >&2
}

{
  echo "date: $(date -Is)"; echo "host: $(uname -srm), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $($JAVA -version 2>&1 | head -1)"; echo "go: $(go version)"
  echo "redis-server: $(redis-server --version)"; echo "redis-benchmark: $(redis-benchmark --version)"
  echo "REQUESTS=$REQUESTS CLIENTS=$CLIENTS ROUNDS=$ROUNDS IDLE=$IDLE SERVERS=\"$SERVERS\" SCENARIOS=\"$SCENARIOS\""
} >"$OUT/env.txt"

for scen in $SCENARIOS; do
  for round in $(seq 1 "$ROUNDS"); do
    i=0
    for name in $SERVERS; do
      run "$scen" "$name" "$round" $((PORT + i))
      i=$((i + 1))
    done
  done
done

python3 "$BENCH/redis_report.py" "$OUT" | tee "$OUT/table.md"
echo "(raw results in $OUT)" >&2
