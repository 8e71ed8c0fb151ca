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

DEMO_NAME=demo/run.sh
LAB_ID="demo$$"
# shellcheck source=demo/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TARGETS=(203.0.113.10 api.corp.example)
EXPECTED_IP=198.51.100.2

demo_prerequisites
demo_start_lab

# ---- the two runs ----------------------------------------------------------------------------

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
