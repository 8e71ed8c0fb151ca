#!/usr/bin/env bash
# Runs ifpin's JMH benchmarks (issue 7) and prints a compact table.
#
#   bench/run.sh                   # everything, about 6 minutes on 2 cores
#   bench/run.sh 'RuleMatch.*' -p rules=10000    # any JMH arguments: a benchmark regex, -p, -bm, ...
#   BENCH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/run.sh 'PinCall' 'Hook' -p calls=jna,ffm   # JNA vs FFM
#
# Without arguments on JDK 22 or later, the PinCall and Hook benchmarks run twice: through JNA and through the
# Foreign Function API (-p calls=jna,ffm); before 22 only through JNA, the only way there.
# PinCallBenchmark re-sets SO_BINDTODEVICE on a bound socket, which needs CAP_NET_RAW: run as root (Linux only).
# Builds bench/target/benchmarks.jar first when it is missing or older than the agent's or the bench's sources.
# Raw results: bench/target/jmh-result.csv and bench/target/jmh-output.txt.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
csv="$here/target/jmh-result.csv"
log="$here/target/jmh-output.txt"

if [[ ! -f "$jar" ]] || [[ -n "$(find "$root/agent/src/main" "$here/src" "$here/pom.xml" "$root/agent/pom.xml" \
        -newer "$jar" -type f -print -quit)" ]]; then
  echo "[bench] building $jar (mvn package -pl bench -am -DskipTests)" >&2
  (cd "$root" && mvn -B -q package -pl bench -am -DskipTests)
fi

if [[ "$(id -u)" != 0 ]]; then
  echo "[bench] warning: not root; PinCallBenchmark needs CAP_NET_RAW and will fail without it" >&2
fi

# Short settings so the whole run fits in ~3 minutes on 2 cores; noisy machines: compare runs, not single numbers.
settings=(-f 1 -wi 3 -w 500ms -i 5 -r 500ms)
# BENCH_SETTINGS replaces them, e.g. "-f 1 -wi 0 -i 1 -r 100ms" for a smoke run (DocCommandsIT runs the documented
# commands that way: it checks that they work, not what they measure).
if [[ -n "${BENCH_SETTINGS:-}" ]]; then
  read -r -a settings <<< "$BENCH_SETTINGS"
fi
java=${BENCH_JAVA:-java}
feature=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [[ $# == 0 && $feature -ge 22 ]]; then
  set -- -p calls=jna,ffm # FFM needs JDK 22+
fi
echo "[bench] $java -jar $jar ${settings[*]} $* (JMH output in $log)" >&2
"$java" -jar "$jar" "${settings[@]}" -rf csv -rff "$csv" "$@" > "$log" 2>&1 || {
  tail -40 "$log" >&2
  echo "[bench] JMH failed; full output in $log" >&2
  exit 1
}

# Benchmark, params, score, error, unit; for sample mode the p50 and p99 rows too (JMH reports no error for them).
echo "# $("$java" -version 2>&1 | head -1); $(nproc) cores; $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ)"
awk -F',' '
  function unq(s) { gsub(/^"|"$/, "", s); return s }
  { sub(/\r$/, "") }
  NR == 1 { for (i = 8; i <= NF; i++) { p = unq($i); sub(/^Param: /, "", p); pname[i] = p }; next }
  {
    name = unq($1); sub(/^io\.ifpin\.bench\./, "", name); sub(/Benchmark\./, ".", name)
    if (name ~ /:/ && name !~ /:p0\.(50|99)$/ ) next
    params = ""
    for (i = 8; i <= NF; i++) if (unq($i) != "") params = params (params == "" ? "" : " ") pname[i] "=" unq($i)
    err = unq($6); if (err == "NaN") err = ""; else err = sprintf("%.1f", err)
    printf "%-32s %-12s %-7s %12.1f %10s  %s\n", name, params, unq($2), unq($5), err, unq($7)
  }' "$csv" | { printf "%-32s %-12s %-7s %12s %10s  %s\n" benchmark params mode score error unit; cat; }
