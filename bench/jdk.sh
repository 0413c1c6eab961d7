# Sourced by bench/run.sh and bench/libs.sh: sets JAVA_HOME and JAVA to the newest JDK 21+
# (JAVA_HOME first, then /usr/lib/jvm), or exits naming what is missing. $1: the caller's name.
jdk_version() {
  [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
best="" best_v=0
for cand in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  [ -n "$cand" ] && [ -d "$cand" ] || continue
  v=$(jdk_version "$cand")
  if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$cand"; best_v="$v"; fi
done
[ -n "$best" ] || { echo "$1: needs a JDK 21+ (JAVA_HOME or /usr/lib/jvm)" >&2; exit 1; }
export JAVA_HOME="$best"
JAVA="$JAVA_HOME/bin/java"
