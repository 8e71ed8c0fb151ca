# demo/lib.sh — shared by demo/run.sh and demo/routing-trap.sh; source it, do not run it.
#
# Before sourcing, set DEMO_NAME (e.g. demo/run.sh, for messages) and LAB_ID (namespace id).
# After sourcing: REPO (and the working directory), AGENT_JAR, DEMO_JAR, CONFIG, LAB, JAVA, say().
# Then call, in order:
#   demo_prerequisites   root, tools (installs or explains what is missing), builds the jars if needed
#   demo_start_lab       temp dir $WORK with a hosts file, the lab, PeerServer (output in $WORK/server.out);
#                        installs the EXIT/INT/TERM cleanup that stops only that server and deletes the lab
#   run_app <outfile> <host> [java options...]   LegacyApp in the client namespace (stderr: <outfile>.err)
# shellcheck shell=bash

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

# IFPIN_AGENT_JAR: try another build of the agent without touching the tree.
AGENT_JAR=${IFPIN_AGENT_JAR:-agent/target/ifpin-agent.jar}
DEMO_JAR=demo-app/target/demo-app.jar
CONFIG=config-samples/demo.conf
LAB=scripts/netns-lab.sh
APT_LINE="apt-get install -y iproute2 openjdk-17-jdk-headless maven"

if [[ -n ${JAVA_HOME:-} && -x ${JAVA_HOME}/bin/java ]]; then
  JAVA=${JAVA_HOME}/bin/java
else
  JAVA=java
fi

say() { printf '%s\n' "$*" >&2; }

# ---- prerequisites ---------------------------------------------------------------------------

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

demo_prerequisites() {
  if [[ $(id -u) -ne 0 ]]; then
    say "$DEMO_NAME must run as root: it creates network namespaces and veth links."
    say "  sudo $0"
    exit 1
  fi

  local missing
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
}

# ---- lab and server, always cleaned up -------------------------------------------------------

WORK=""
SERVER_PID=""

demo_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  "$LAB" down "$LAB_ID" || true
  [[ -z $WORK ]] || rm -rf "$WORK"
  exit "$rc"
}

demo_start_lab() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/ifpin-demo.XXXXXX")
  trap demo_cleanup EXIT
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
}

run_app() { # <outfile> <host> [java options... and, after --, LegacyApp options]
  local out=$1 host=$2
  shift 2
  local jvm_opts=() app_opts=()
  while [[ $# -gt 0 ]]; do
    if [[ $1 == -- ]]; then
      shift
      app_opts=("$@")
      break
    fi
    jvm_opts+=("$1")
    shift
  done
  "$LAB" exec-client "$LAB_ID" "$JAVA" -XX:-UsePerfData "${jvm_opts[@]}" -Djdk.net.hosts.file="$WORK/hosts" \
    -cp "$DEMO_JAR" io.ifpin.demo.LegacyApp "${app_opts[@]}" "$host" >"$out" 2>"$out.err" || true
}
