#!/usr/bin/env bash
# bench/harness.sh — whole-process measurements for issues 7 and 13, side by side in one run, printed as one table.
#
#   sudo bench/harness.sh              # 5 runs, about 30 minutes on 2 cores (the startup matrix included)
#   sudo bench/harness.sh --runs 3     # about 19 minutes
#   sudo bench/harness.sh --smoke      # 1 run, tiny counts, 100 rules for "10,000", no JMH: checks that the
#                                      # harness works (~35 s; BenchHarnessIT runs it)
#   sudo bench/harness.sh --startup-only   # only the startup matrix (issue 13), 11 rounds: about 3 minutes today
#   sudo bench/harness.sh --throughput-only   # only issue 20's 64-thread comparison, pinned by ifpin against the
#                                      # app pinning its own sockets, with an A/A control: 9 rounds per JDK in
#                                      # separate processes and in one, about 13 minutes (ThroughputPairs prints it)
#   options: --startup-runs N (rounds of the startup matrix; default 11, --smoke 1); --pairs N (rounds of
#   --throughput-only; default 9), --seconds S (its measured seconds per JVM or phase; default 3), --warmup S (its
#   seconds of warm-up; default 6: see paired_throughput)
#
# In a lab from scripts/netns-lab.sh (id bench<PID>), a C server (bench/c/connect-floor.c, built here with gcc)
# accepts and closes connections in the server namespace. In the client namespace, each run measures, back to back:
#   - the C floor: setsockopt/getsockopt(SO_BINDTODEVICE) alone, connects without and with setsockopt;
#   - the connect app (bench/src/main/java/io/ifpin/bench/app/ConnectApp.java, its own jar) without the agent, and
#     with the agent and 0, 1,000 or 10,000 rules (bench/target/harness/rules-N.conf, see HarnessConfigs):
#     startup (launch to the end of the first connect; and the JVM's whole life; also with an agent that does
#     nothing, the floor of any agent), connect cost (serial), heap after GC, and throughput with 1 to 64 platform
#     threads and with 64 platform + 10,000 virtual threads (Temurin 25), also with the app pinning its own sockets
#     (self-pinned: what pinning costs without ifpin);
#   - JMH's p50 of RuleSet.match with 10,000 rules (the worst of its four cases);
#   - JMH's in-process cost of the agent's hook (HookBenchmark) in the client namespace: a connect no rule matches
#     (10,000 rules), and a pinned one through JNA on JDK 17 and through JNA and FFM on Temurin 25: what the
#     whole-process connects are too noisy to resolve, next to the C setsockopt of the same run;
#   - the startup matrix (issue 13), on JDK 17 and Temurin 25: whole JVMs of StartupApp (a main that returns at once)
#     with no agent, an agent that does nothing, and ifpin with the empty config, 10 rules (rules-10-mix.conf) and
#     1,000 rules; each agent run paired with a no-agent run right before or after it (the order alternates round by
#     round). Wall to exit and CPU (user+sys) from bash's `time`, peak RSS from GNU time (%M, the child's maxrss),
#     the launch-to-main time from the shell's clock at the launch and the app's at main's first line (and main to
#     exit: the wall minus that); and the first connect, pinned by ifpin's 10 rules, timed by the app from main's
#     first line.
# 203.0.113.10 matches no rule; 203.0.113.20 matches the last rule and is pinned to b0. A check on the server's
# packet counters makes sure the pinned connects really leave by b0 and the others do not.
#
# Raw results: bench/target/harness/raw.tsv (measure, variant, run, value). The table (HarnessReport) goes to stdout
# and bench/target/harness/table.txt; the throughput plot to bench/target/harness/connect-throughput.svg.
# Needs root (namespaces), gcc, iproute2. Everything it creates is removed on exit, also on failure or Ctrl-C.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="$here/target/harness"
runs=5
smoke=0
startup_runs=
startup_only=0
throughput_only=0
pairs=9
pair_seconds=3
pair_warmup=6
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --smoke) smoke=1; runs=1; shift ;;
    --startup-runs) startup_runs=$2; shift 2 ;;
    --startup-only) startup_only=1; shift ;;
    --throughput-only) throughput_only=1; shift ;;
    --pairs) pairs=$2; shift 2 ;;
    --seconds) pair_seconds=$2; shift 2 ;;
    --warmup) pair_warmup=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--smoke] [--startup-runs N] [--startup-only]"\
" [--throughput-only [--pairs N] [--seconds S] [--warmup S]]" >&2; exit 64 ;;
  esac
done
[[ -n $startup_runs ]] || { [[ $smoke == 1 ]] && startup_runs=1 || startup_runs=11; }
[[ $startup_only == 0 ]] || runs=0

say() { echo "[harness] $*" >&2; }
die() { say "$*"; exit 1; }
[[ $(id -u) == 0 ]] || die "must run as root: it creates network namespaces (scripts/netns-lab.sh)"
command -v gcc >/dev/null || die "gcc is missing: apt-get install -y gcc"
[[ -x /usr/bin/time ]] || die "GNU time is missing (the startup matrix's peak RSS): apt-get install -y time"
java17=java
java25=$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)/bin/java
[[ -x $java25 ]] || { say "no Temurin 25 under /usr/lib/jvm: virtual-thread throughput is skipped"; java25=; }

agent="$root/agent/target/ifpin-agent.jar"
# JNA's own jar (the version ifpin builds with), for an app on Java 17 to 21 that pins its own sockets.
jna_version=$(sed -n 's|.*<jna.version>\(.*\)</jna.version>.*|\1|p' "$root/pom.xml")
jna_jar="${HOME:-/root}/.m2/repository/net/java/dev/jna/jna/$jna_version/jna-$jna_version.jar"
bench_jar="$here/target/benchmarks.jar"
app_jar=$(ls "$here"/target/ifpin-bench-*-connect-app.jar 2>/dev/null | head -1 || true)
if [[ ! -f $bench_jar || ! -f $agent || -z $app_jar ]] || [[ -n "$(find "$root/agent/src/main" "$here/src/main" \
    "$here/pom.xml" "$root/agent/pom.xml" -newer "$bench_jar" -type f -print -quit)" ]]; then
  [[ -z ${IFPIN_BENCH_NO_BUILD:-} ]] || die "bench/target/benchmarks.jar is missing or older than the sources:"\
" build it first (mvn package -pl bench -am -DskipTests)"
  say "building (mvn package -pl bench -am -DskipTests)"
  (cd "$root" && mvn -B -q package -pl bench -am -DskipTests)
  app_jar=$(ls "$here"/target/ifpin-bench-*-connect-app.jar | head -1)
fi

rm -rf "$out"
mkdir -p "$out"
floor="$out/connect-floor"
gcc -O2 -Wall -pthread -o "$floor" "$here/c/connect-floor.c"
java -cp "$bench_jar" io.ifpin.bench.harness.HarnessConfigs "$out" 0 100 1000 10000 10-mix
# The floor of any agent: a premain that registers a retransforming transformer that changes nothing.
mkdir -p "$out/empty-agent"
cat > "$out/empty-agent/EmptyAgent.java" <<'JAVA'
public class EmptyAgent implements java.lang.instrument.ClassFileTransformer {
    public static void premain(String argument, java.lang.instrument.Instrumentation instrumentation) {
        instrumentation.addTransformer(new EmptyAgent(), true);
    }
}
JAVA
printf 'Premain-Class: EmptyAgent\nCan-Retransform-Classes: true\n' > "$out/empty-agent/manifest.txt"
javac --release 17 -d "$out/empty-agent" "$out/empty-agent/EmptyAgent.java"
empty_agent="$out/empty-agent.jar"
jar cfm "$empty_agent" "$out/empty-agent/manifest.txt" -C "$out/empty-agent" EmptyAgent.class
raw="$out/raw.tsv"
echo "# $(java -version 2>&1 | head -1); $(nproc) cores; $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ); runs $runs;"\
" startup rounds $startup_runs" > "$raw"

lab="$root/scripts/netns-lab.sh"
id="bench$$"
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  "$lab" down "$id"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$lab" up "$id"
client() { "$lab" exec-client "$id" "$@"; }
# Tens of thousands of connects a second: the whole port range, and room in the accept queue.
client sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
"$lab" exec-server "$id" sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
port=7000
"$lab" exec-server "$id" "$floor" serve "$port" 2 &
server_pid=$!
sleep 0.3

unmatched=203.0.113.10
pinned=203.0.113.20
# big: the rule count of the variants labelled agent-10000 (smoke: 100, so that it stays quick; its targets are then
# "not measured", which HarnessReportTest covers instead).
if [[ $smoke == 1 ]]; then
  serial=300; options=2000; seconds=0.3; thread_counts=(4); virtual=100; big=100
  startups=(none empty-agent agent-0 agent-1000)
else
  serial=20000; options=100000; seconds=3; thread_counts=(1 4 16 64); virtual=10000; big=10000
  startups=(none empty-agent agent-0 agent-1000 agent-10000)
fi

# The agent's stderr, but only what may be a problem: with 10,000 rules it logs 10,000 INFO lines per JVM.
keep_problems() { grep -v '^\[ifpin\] INFO' >> "$out/stderr.txt" || true; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "${4:-$run}" "$3" >> "$raw"; } # $4: the run, if not $run
value() { sed -n "s/^.*$1=\([0-9.]*\).*$/\1/p" | head -1; } # key=value from a result line
# The packets the server received on sb0 (the pinned link).
sb0_packets() { "$lab" exec-server "$id" cat /sys/class/net/sb0/statistics/rx_packets; }

# java.specification.version of a java: the jdk<N> of its variants.
feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

# The connect app; $1 = variant (none | empty-agent | agent-N | self-pinned), $2 = java, the rest its arguments.
# self-pinned: no agent; the app binds every socket to b0 itself (SelfPin, Java 22+): what pinning costs without ifpin.
app() {
  local variant=$1 java=$2
  shift 2
  local jvm_args=() app_args=()
  case $variant in
    none) ;;
    empty-agent) jvm_args=("-javaagent:$empty_agent") ;;
    self-pinned) jvm_args=(--add-opens java.base/java.net=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED
                           --enable-native-access=ALL-UNNAMED)
                 app_args=(b0) ;;
    self-pinned-jna) # before Java 22 (no FFM): the app pins with JNA, whose jar it then has on its class path
                 jvm_args=(--add-opens java.base/java.net=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED)
                 app_args=(b0) ;;
    agent-*) jvm_args=("-javaagent:$agent=$out/rules-${variant#agent-}.conf") ;;
    *) die "unknown variant $variant" ;;
  esac
  local java_args=() # -D... before the jar, from the caller
  while [[ $1 == -D* ]]; do java_args+=("$1"); shift; done
  local main=(-jar "$app_jar")
  [[ $variant != self-pinned-jna ]] || main=(-cp "$app_jar:$jna_jar" io.ifpin.bench.app.ConnectApp)
  client "$java" "${jvm_args[@]}" "${java_args[@]}" "${main[@]}" "$@" "${app_args[@]}"
}

# One HookBenchmark case in the client namespace; $1 = java, $2 = benchmark, $3 = rules, $4 = calls; prints ns/op.
hook() {
  client "$1" -jar "$bench_jar" "HookBenchmark.$2\$" -p rules="$3" -p calls="$4" -f 1 -wi 2 -w 300ms -i 3 \
    -r 500ms -rf csv -rff "$out/jmh-hook.csv" >> "$out/jmh-hook.txt" 2>&1 || die "JMH failed: see $out/jmh-hook.txt"
  awk -F, 'NR == 2 { gsub(/"/, "", $5); print $5 + 0 }' "$out/jmh-hook.csv"
}

# The app() variant of a throughput variant: agent-N-pinned is agent-N connecting to the pinned address.
app_variant() { [[ $1 == agent-*-pinned ]] && echo "${1%-pinned}" || echo "$1"; }

# Serial connects, with the pinning checked on the server's counters.
serial_connects() {
  local measure=$1 variant=$2 target=$3 expect_pinned=$4 before after line
  before=$(sb0_packets)
  line=$(app "$variant" "$java17" "$target" "$port" serial "$serial" 2> >(keep_problems))
  after=$(sb0_packets)
  record "$measure" "$variant" "$(value ns_per_op <<< "$line")"
  check_pinned "$variant -> $target" "$((after - before))" "$expect_pinned"
}

# Each connect is at least three packets to the server (SYN, ACK, RST); stray ones (ARP, ND) are few.
check_pinned() {
  local what=$1 packets=$2 expect=$3
  if [[ $expect == yes && $packets -lt $serial ]]; then
    die "$what: only $packets packets arrived on sb0 for $serial connects: not pinned"
  elif [[ $expect == no && $packets -gt 50 ]]; then
    die "$what: $packets packets arrived on sb0: connects that should not be pinned were"
  fi
}

# --- --throughput-only: issue 20's 64-thread comparison alone, in paired rounds ---
# Per JDK, two ways, both round by round with the order of the three kinds rotating each round, so that a drift in
# load falls on each alike:
#   - separate processes: ifpin pinning (agent-N connecting to the pinned address), and the app pinning its own
#     sockets without the agent, twice (self and self-again: the A/A control, what two runs of the same thing differ
#     by on this machine); measures connects_per_s_t64 and cpu_us_per_connect;
#   - one process with the agent (AlternatingThroughput): the same 64 threads connect phase by phase to the pinned
#     address and, pinning themselves, to the unmatched one; measures inproc_connects_per_s_t64 and
#     inproc_cpu_us_per_connect. Phases a second apart share the machine's load, which whole processes do not.
# Variants jdk<N>-ifpin, jdk<N>-self, jdk<N>-self-again, run = round; ThroughputPairs computes the ratios.
# Warm-up: --warmup seconds (6), not the 1 s of the throughput rows above: the JIT's compiler threads share the two
# cores with 64 connecting threads, and with the agent's startup work queued before it, ifpin's connect path is
# still interpreted or C1-compiled 2 to 4 s after the first connect (-XX:+PrintCompilation; docs/dev/performance.md).
paired_throughput() {
  local java jdk self round k kind variant line before self_args main_cp
  local kinds=(ifpin self self-again)
  for java in ${java25:+"$java25"} "$java17"; do
    jdk=jdk$(feature "$java")
    self=self-pinned
    self_args=(--add-opens java.base/java.net=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED)
    main_cp=$app_jar
    if [[ ${jdk#jdk} -lt 22 ]]; then
      [[ -f $jna_jar ]] || die "$jna_jar is missing: the self-pinned app on ${jdk#jdk} needs JNA"\
" (mvn -o dependency:resolve -pl agent)"
      self=self-pinned-jna
      main_cp=$app_jar:$jna_jar
    else
      self_args+=(--enable-native-access=ALL-UNNAMED)
    fi
    for round in $(seq 1 "$pairs"); do
      say "throughput pairs, $jdk: round $round of $pairs"
      for k in 0 1 2; do
        kind=${kinds[$(((round + k) % 3))]}
        case $kind in
          ifpin) variant="agent-$big" ;;
          *) variant=$self ;;
        esac
        before=$(sb0_packets)
        line=$(app "$variant" "$java" -Dconnect.first="$pinned" -Dconnect.warmup="$pair_warmup" "$pinned" "$port" \
          threads 64 0 "$pair_seconds" 2> >(keep_problems))
        [[ $(value failures <<< "$line") == 0 ]] || die "failed connects in $jdk $kind: $line"
        serial=1000 check_pinned "$jdk $kind" "$(($(sb0_packets) - before))" yes
        record connects_per_s_t64 "$jdk-$kind" "$(value connects_per_s <<< "$line")" "$round"
        record cpu_us_per_connect "$jdk-$kind" "$(value cpu_us_per_connect <<< "$line")" "$round"
      done
    done
    say "throughput in one process, $jdk: $pairs rounds"
    before=$(sb0_packets)
    client "$java" "-javaagent:$agent=$out/rules-$big.conf" "${self_args[@]}" -cp "$main_cp" \
      io.ifpin.bench.app.AlternatingThroughput "$pinned" "$unmatched" "$port" b0 64 "$pairs" "$pair_seconds" \
      "$pair_warmup" > "$out/alternating-$jdk.txt" 2> >(keep_problems)
    [[ $(value failures < "$out/alternating-$jdk.txt") == 0 ]] || die "failed connects: $out/alternating-$jdk.txt"
    serial=1000 check_pinned "$jdk in one process" "$(($(sb0_packets) - before))" yes
    while read -r line; do
      [[ $line == round=* ]] || continue
      round=$(value round <<< "$line")
      kind=$(sed -n 's/^.*kind=\([a-z-]*\).*$/\1/p' <<< "$line")
      record inproc_connects_per_s_t64 "$jdk-$kind" "$(value connects_per_s <<< "$line")" "$round"
      record inproc_cpu_us_per_connect "$jdk-$kind" "$(value cpu_us_per_connect <<< "$line")" "$round"
    done < "$out/alternating-$jdk.txt"
  done
}

if [[ $throughput_only == 1 ]]; then
  [[ $smoke == 0 ]] || { pairs=1; pair_seconds=0.3; pair_warmup=0.3; big=100; }
  paired_throughput
  if grep -q 'ERROR' "$out/stderr.txt" 2>/dev/null; then
    grep 'ERROR' "$out/stderr.txt" | sort | uniq -c >&2
    die "the agent reported errors (above; all of stderr in $out/stderr.txt)"
  fi
  java -cp "$bench_jar" io.ifpin.bench.harness.ThroughputPairs "$raw" | tee "$out/table.txt"
  exit 0
fi

for run in $(seq 1 "$runs"); do
  say "run $run of $runs"
  # --- the C floor ---
  record c_setsockopt_ns c "$(client "$floor" setsockopt "$options" b0 | value ns_per_op)"
  record c_getsockopt_ns c "$(client "$floor" getsockopt "$options" | value ns_per_op)"
  record connect_ns c "$(client "$floor" connect "$serial" "$unmatched" "$port" | value ns_per_op)"
  record connect_pinned_ns c-unpinned "$(client "$floor" connect "$serial" "$pinned" "$port" | value ns_per_op)"
  before=$(sb0_packets)
  record connect_pinned_ns c "$(client "$floor" connect "$serial" "$pinned" "$port" b0 | value ns_per_op)"
  check_pinned "C with setsockopt" "$(($(sb0_packets) - before))" yes

  # --- startup: the whole life of a JVM that makes one connect ---
  # startup_ms: from the launch to the end of the app's first connect (what a user waits for); lifetime_ms: until
  # the JVM has exited (ifpin never holds the exit: the difference is the JVM's own shutdown).
  for variant in "${startups[@]}"; do
    start=$(date +%s%3N)
    line=$(app "$variant" "$java17" "$unmatched" "$port" once 2> >(keep_problems))
    end=$(date +%s%3N)
    record startup_ms "$variant" "$(( $(value connected_at_ms <<< "$line") - start ))"
    record lifetime_ms "$variant" "$(( end - start ))"
  done

  # --- connect cost, one thread ---
  serial_connects connect_ns none "$unmatched" no
  serial_connects connect_ns agent-0 "$unmatched" no
  serial_connects connect_ns "agent-$big" "$unmatched" no
  serial_connects connect_pinned_ns none "$pinned" no
  serial_connects connect_pinned_ns "agent-$big" "$pinned" yes

  # --- heap held after full GCs ---
  for variant in none "agent-$big"; do
    bytes=$(app "$variant" "$java17" "$unmatched" "$port" heap 2> >(keep_problems) | value heap_bytes)
    record heap_mb "$variant" "$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1048576 }')"
  done

  # --- throughput: platform threads, then 64 platform + virtual threads (JDK 21+) ---
  tjava=${java25:-$java17}
  pinning_variants=("agent-$big-pinned"); [[ -n $java25 ]] && pinning_variants+=(self-pinned)
  for threads in "${thread_counts[@]}"; do
    for variant in none "agent-$big" "${pinning_variants[@]}"; do
      target=$unmatched; [[ $variant == *-pinned ]] && target=$pinned
      line=$(app "$(app_variant "$variant")" "$tjava" -Dconnect.first="$pinned" "$target" "$port" threads \
        "$threads" 0 "$seconds" 2> >(keep_problems))
      [[ $(value failures <<< "$line") == 0 ]] || die "failed connects in $variant, $threads threads: $line"
      record "connects_per_s_t$threads" "$variant" "$(value connects_per_s <<< "$line")"
    done
  done
  if [[ -n $java25 ]]; then
    for variant in none "agent-$big" "${pinning_variants[@]}"; do
      target=$unmatched; [[ $variant == *-pinned ]] && target=$pinned
      line=$(app "$(app_variant "$variant")" "$java25" -Dconnect.first="$pinned" "$target" "$port" threads 64 \
        "$virtual" "$seconds" \
        2> >(keep_problems))
      [[ $(value failures <<< "$line") == 0 ]] || die "failed connects in $variant, 64+$virtual threads: $line"
      record connects_per_s_t64_vthreads "$variant" "$(value connects_per_s <<< "$line")"
    done
  fi

  # --- RuleSet.match, 10,000 rules, p50 of the worst case (JMH sample mode) ---
  if [[ $smoke == 0 ]]; then
    java -jar "$bench_jar" 'RuleMatch' -p rules=10000 -bm sample -f 1 -wi 2 -w 300ms -i 3 -r 500ms \
      -rf csv -rff "$out/jmh-match.csv" > "$out/jmh-match.txt" 2>&1 || die "JMH failed: see $out/jmh-match.txt"
    record match_p50_ns agent-10000 "$(awk -F, '$1 ~ /:p0.50"?$/ { gsub(/"/, "", $5); v = $5 + 0; if (v > max) max = v } END { print max }' \
      "$out/jmh-match.csv")"

    # --- the hook's own cost, in-process (HookBenchmark), next to this run's C setsockopt ---
    # hook_ns: PinBridge.beforeTcpConnect without a hook (variant none) and with the agent's, unmatched, 10,000 rules;
    # hook_pinned_ns: the same on a fresh socket pinned to lo, per JDK and way of calling (none: without a hook).
    none=$(hook "$java17" noHook 10 jna)
    record hook_ns none "$none"
    record hook_ns agent-10000 "$(hook "$java17" unmatched 10000 jna)"
    record hook_pinned_ns none "$none"
    record hook_pinned_ns jdk17-jna "$(hook "$java17" pinnedFreshSocket 10 jna)"
    if [[ -n $java25 ]]; then
      record hook_pinned_ns jdk25-jna "$(hook "$java25" pinnedFreshSocket 10 jna)"
      record hook_pinned_ns jdk25-ffm "$(hook "$java25" pinnedFreshSocket 10 ffm)"
    fi
  fi
done

# --- the startup matrix (issue 13): whole JVMs of an app whose main returns at once ---
# Variants jdk<N>-<case>; a run number is a pair, round * 10 + k, shared by the agent's run and its no-agent partner
# (StartupMatrix). Timed inside the client namespace, so that `ip netns exec` is not in the figures:
# bash's `time` (wall and the child's user+sys CPU, to the ms), GNU time's %M (the child's peak RSS, KiB), and the
# shell's clock at the launch, inside the timed block (so that the wall and launch-to-main start together), which
# StartupApp's main_at_ms= is measured against.
matrix="$out/matrix"
mkdir -p "$matrix"
timed_jvm='set -e; files=$1; shift
TIMEFORMAT="%3R %3U %3S"
{ time { echo "${EPOCHREALTIME/./}" > "$files.launch"
         /usr/bin/time -f %M -o "$files.rss" "$@" > "$files.stdout" 2> "$files.stderr"; }; } 2> "$files.time"'

# The JVM arguments of an agent case.
case_args() {
  case $1 in
    none) ;;
    empty-agent) echo "-javaagent:$empty_agent" ;;
    ifpin-empty) echo "-javaagent:$agent=$out/rules-0.conf" ;;
    ifpin-10) echo "-javaagent:$agent=$out/rules-10-mix.conf" ;;
    ifpin-1000) echo "-javaagent:$agent=$out/rules-1000.conf" ;;
    *) die "unknown startup case $1" ;;
  esac
}

# One timed JVM; $1 = java, $2 = case, the rest StartupApp's arguments. Leaves its files in $matrix/jvm.*.
timed_startup_app() {
  local java=$1 agent_case=$2
  shift 2
  # shellcheck disable=SC2046 # case_args: one word or none, no spaces (paths under bench/target)
  client bash -c "$timed_jvm" _ "$matrix/jvm" "$java" $(case_args "$agent_case") -cp "$app_jar" \
    io.ifpin.bench.app.StartupApp "$@" \
    || { cat "$matrix/jvm.stderr" >&2; die "StartupApp $* failed with $agent_case on $java"; }
  keep_problems < "$matrix/jvm.stderr"
}

# One run of the exit app, recorded as pair $4 of variant $3.
startup_exit() {
  local java=$1 agent_case=$2 variant=$3 pair=$4 wall user sys main_at launch
  timed_startup_app "$java" "$agent_case" exit
  read -r wall user sys < "$matrix/jvm.time"
  main_at=$(value main_at_ms < "$matrix/jvm.stdout")
  launch=$(cat "$matrix/jvm.launch")
  record exit_wall_ms "$variant" "$(awk -v w="$wall" 'BEGIN { printf "%.0f", w * 1000 }')" "$pair"
  record exit_cpu_ms "$variant" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", (u + s) * 1000 }')" "$pair"
  record peak_rss_mib "$variant" "$(awk 'END { printf "%.1f", $1 / 1024 }' "$matrix/jvm.rss")" "$pair"
  record main_start_ms "$variant" "$(awk -v m="$main_at" -v l="$launch" 'BEGIN { printf "%.0f", m - l / 1000 }')" \
    "$pair"
  # main returns at once: the rest of the wall is the JVM's exit, and whatever an agent makes it wait for
  record main_to_exit_ms "$variant" "$(awk -v w="$wall" -v m="$main_at" -v l="$launch" \
    'BEGIN { printf "%.0f", w * 1000 - (m - l / 1000) }')" "$pair"
}

# One run of the connect app to the pinned address; the server's counters on sb0 say whether it was pinned.
startup_connect() {
  local java=$1 agent_case=$2 variant=$3 pair=$4 expect_pinned=$5 before packets
  before=$(sb0_packets)
  timed_startup_app "$java" "$agent_case" connect "$pinned" "$port"
  packets=$(( $(sb0_packets) - before ))
  if [[ $expect_pinned == yes && $packets -lt 3 ]]; then
    die "StartupApp connect, $variant: $packets packets on sb0: the first connect was not pinned"
  elif [[ $expect_pinned == no && $packets -gt 2 ]]; then
    die "StartupApp connect, $variant: $packets packets on sb0: it should have left by a0"
  fi
  record first_connect_ms "$variant" "$(value connect_ms < "$matrix/jvm.stdout")" "$pair"
}

declare -A startup_jdk
startup_jdk[$java17]=jdk$(feature "$java17")
startup_javas=("$java17")
if [[ -n $java25 ]]; then
  startup_jdk[$java25]=jdk$(feature "$java25")
  if [[ ${startup_jdk[$java25]} != "${startup_jdk[$java17]}" ]]; then startup_javas+=("$java25")
  else say "startup matrix: $java17 is Java ${startup_jdk[$java17]#jdk} too: it runs once"; fi
fi
startup_cases=(empty-agent ifpin-empty ifpin-10 ifpin-1000)
if [[ $smoke == 0 ]]; then # one untimed launch of each case first: jars and JDK files into the page cache
  say "startup matrix: warming up"
  for java in "${startup_javas[@]}"; do
    for agent_case in none "${startup_cases[@]}"; do timed_startup_app "$java" "$agent_case" exit; done
  done
fi
for round in $(seq 1 "$startup_runs"); do
  say "startup matrix: round $round of $startup_runs"
  for java in "${startup_javas[@]}"; do
    jdk=${startup_jdk[$java]}
    k=0
    for agent_case in "${startup_cases[@]}"; do
      k=$((k + 1))
      pair=$((round * 10 + k))
      if ((round % 2)); then # A/B, then B/A in the next round
        startup_exit "$java" none "$jdk-none" "$pair"
        startup_exit "$java" "$agent_case" "$jdk-$agent_case" "$pair"
      else
        startup_exit "$java" "$agent_case" "$jdk-$agent_case" "$pair"
        startup_exit "$java" none "$jdk-none" "$pair"
      fi
    done
    pair=$((round * 10 + k + 1))
    if ((round % 2)); then
      startup_connect "$java" none "$jdk-none" "$pair" no
      startup_connect "$java" ifpin-10 "$jdk-ifpin-10" "$pair" yes
    else
      startup_connect "$java" ifpin-10 "$jdk-ifpin-10" "$pair" yes
      startup_connect "$java" none "$jdk-none" "$pair" no
    fi
  done
done

if grep -q 'ERROR' "$out/stderr.txt" 2>/dev/null; then
  grep 'ERROR' "$out/stderr.txt" | sort | uniq -c >&2
  die "the agent reported errors (above; all of stderr in $out/stderr.txt)"
fi
java -cp "$bench_jar" io.ifpin.bench.harness.HarnessReport "$raw" "$out" | tee "$out/table.txt"
