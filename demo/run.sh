#!/usr/bin/env bash
# demo/run.sh — ifpin in one command: the same unmodified app, without and with the agent.
#
# Builds what is missing, creates the two-namespace lab (scripts/netns-lab.sh), starts the
# PeerServer in the server namespace and runs LegacyApp (every JDK way of opening a socket) in the
# client namespace, once plain and once with
#   -javaagent:agent/target/ifpin-agent.jar=config-samples/demo.conf
# then prints, per case, which interface the server saw the connection come from.
#
# Usage (as root):  demo/run.sh
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 demo/run.sh   # another JDK (virtual threads on 21+)
#
# Exit code 0 when every applicable case is pinned to b0 with ifpin, 1 otherwise.
# Everything it creates (namespaces, veths, server process, temp files) is removed on exit,
# on error and on Ctrl-C.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

# IFPIN_AGENT_JAR: try another build of the agent without touching the tree.
AGENT_JAR=${IFPIN_AGENT_JAR:-agent/target/ifpin-agent.jar}
DEMO_JAR=demo-app/target/demo-app.jar
CONFIG=config-samples/demo.conf
LAB=scripts/netns-lab.sh
LAB_ID="demo$$"
TARGETS=(203.0.113.10 api.corp.example)
EXPECTED_IP=198.51.100.2
APT_LINE="apt-get install -y iproute2 openjdk-17-jdk-headless maven"

if [[ -n ${JAVA_HOME:-} && -x ${JAVA_HOME}/bin/java ]]; then
  JAVA=${JAVA_HOME}/bin/java
else
  JAVA=java
fi

say() { printf '%s\n' "$*" >&2; }

# ---- prerequisites ---------------------------------------------------------------------------

if [[ $(id -u) -ne 0 ]]; then
  say "demo/run.sh must run as root: it creates network namespaces and veth links."
  say "  sudo $0"
  exit 1
fi

missing_tools() {
  local tool missing=()
  for tool in ip "$JAVA" mvn; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  # mvn is only needed when something must be built.
  if [[ -f $AGENT_JAR && -f $DEMO_JAR ]]; then
    local kept=()
    for tool in "${missing[@]}"; do [[ $tool == mvn ]] || kept+=("$tool"); done
    missing=("${kept[@]}")
  fi
  echo "${missing[*]}"
}

missing=$(missing_tools)
if [[ -n $missing ]]; then
  if [[ -x scripts/install-deps.sh ]]; then
    say "missing: $missing — running scripts/install-deps.sh"
    scripts/install-deps.sh
    missing=$(missing_tools)
  fi
  if [[ -n $missing ]]; then
    say "missing: $missing. Install them, e.g.:"
    say "  $APT_LINE"
    exit 1
  fi
fi

if [[ ! -f $AGENT_JAR || ! -f $DEMO_JAR ]]; then
  say "building ifpin (mvn -q -B -DskipTests package) ..."
  mvn -q -B -DskipTests package
fi

# ---- lab and server, always cleaned up -------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ifpin-demo.XXXXXX")
SERVER_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  "$LAB" down "$LAB_ID" || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "creating the lab (namespaces ifpin-$LAB_ID-c / ifpin-$LAB_ID-s) ..."
"$LAB" up "$LAB_ID"

# Names without DNS: the child JVM reads them from this file (-Djdk.net.hosts.file).
cat >"$WORK/hosts" <<'EOF'
203.0.113.10 api.corp.example
2001:db8:f::10 api6.corp.example
203.0.113.20 other.example
2001:db8:f::20 other6.example
EOF

# netns-lab.sh execs the command in place, so $! is the server JVM's own PID.
"$LAB" exec-server "$LAB_ID" "$JAVA" -XX:-UsePerfData -cp "$DEMO_JAR" io.ifpin.demo.PeerServer \
  >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 1 600); do
  grep -qx READY "$WORK/server.out" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { say "PeerServer died:"; cat "$WORK/server.err" >&2; exit 1; }
  sleep 0.1
done
grep -qx READY "$WORK/server.out" || { say "PeerServer did not become ready"; exit 1; }

# ---- the two runs ----------------------------------------------------------------------------

run_app() { # <outfile> <host> [agent option]
  local out=$1 host=$2
  shift 2
  "$LAB" exec-client "$LAB_ID" "$JAVA" -XX:-UsePerfData "$@" -Djdk.net.hosts.file="$WORK/hosts" \
    -cp "$DEMO_JAR" io.ifpin.demo.LegacyApp "$host" >"$out" 2>"$out.err" || true
}

for target in "${TARGETS[@]}"; do
  say "running LegacyApp against $target without ifpin ..."
  run_app "$WORK/without-$target" "$target"
  say "running LegacyApp against $target with ifpin ..."
  run_app "$WORK/with-$target" "$target" "-javaagent:$AGENT_JAR=$CONFIG"
done

# ---- the table -------------------------------------------------------------------------------

# "PEER 198.51.100.2 41234" -> "198.51.100.2 (b0)"; errors shortened to their class.
describe() {
  local result=$1
  case $result in
    PEER\ *)
      local ip=${result#PEER }
      ip=${ip%% *}
      case $ip in
        192.0.2.2 | 2001:db8:a::2) echo "$ip (a0)" ;;
        198.51.100.2 | 2001:db8:b::2) echo "$ip (b0)" ;;
        *) echo "$ip (?)" ;;
      esac
      ;;
    ERROR\ *)
      local cls=${result#ERROR }
      cls=${cls%%:*}
      echo "ERROR ${cls##*.}"
      ;;
    "") echo "(no output)" ;;
    *) echo "$result" ;;
  esac
}

result_of() { # <file> <case> -> the result column of that case's line
  local line
  line=$(grep -m1 "^$2 " "$1" 2>/dev/null || true)
  line=${line#* } # drop the name
  echo "${line#* }" # drop the protocol
}

pinned=0
not_applicable=0
misses=0
format='%-28s | %-24s | %-24s | %-20s | %s\n'
for target in "${TARGETS[@]}"; do
  echo
  echo "LegacyApp -> $target   (ifpin rules: $CONFIG)"
  # shellcheck disable=SC2059
  printf "$format" "case" "without ifpin" "with ifpin" "expected" ""
  printf '%s\n' "-----------------------------+--------------------------+--------------------------+----------------------+-----"
  while read -r name _; do
    without=$(result_of "$WORK/without-$target" "$name")
    with=$(result_of "$WORK/with-$target" "$name")
    expected="$EXPECTED_IP (b0)"
    mark=ok
    if [[ $without == n/a && $with == n/a ]]; then
      expected="n/a (JDK < 21)"
      not_applicable=$((not_applicable + 1))
    elif [[ $(describe "$with") != "$expected" ]]; then
      mark=MISS
      misses=$((misses + 1))
    else
      pinned=$((pinned + 1))
    fi
    # shellcheck disable=SC2059
    printf "$format" "$name" "$(describe "$without")" "$(describe "$with")" "$expected" "$mark"
  done < <("$JAVA" -cp "$DEMO_JAR" io.ifpin.demo.LegacyApp --list)
done

echo
agent_info=$(grep -h '^\[ifpin\] INFO' "$WORK/with-${TARGETS[0]}.err" 2>/dev/null | head -1 || true)
[[ -n $agent_info ]] && echo "agent: $agent_info"
if [[ $misses -eq 0 && $pinned -gt 0 ]]; then
  echo "VERDICT: PASS — all $pinned socket cases left by b0 ($EXPECTED_IP) with ifpin ($not_applicable n/a on this JDK)"
  exit 0
fi
echo "VERDICT: FAIL — $misses of $((pinned + misses)) socket cases did not leave by b0 with ifpin"
echo "agent stderr (${TARGETS[0]}):"
sed 's/^/  /' "$WORK/with-${TARGETS[0]}.err" | head -40
exit 1
