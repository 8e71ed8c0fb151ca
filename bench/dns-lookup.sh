#!/usr/bin/env bash
# bench/dns-lookup.sh — what a name lookup costs through a rule with dns, against the system resolver (issue 14),
# whole process, in a lab from scripts/netns-lab.sh.
#
#   sudo bench/dns-lookup.sh              # 2,000 timed lookups per variant after 500 untimed, about 1 minute
#   sudo bench/dns-lookup.sh --count N
#   sudo bench/dns-lookup.sh --smoke      # 50 lookups per variant: checks that it works (BenchHarnessIT runs it)
#
# DnsResponderApp answers on 203.0.113.10:53 in the server namespace. The client namespace's resolv.conf
# (/etc/netns/<client>/resolv.conf, which `ip netns exec` mounts over /etc/resolv.conf) names the same server, so
# both resolvers ask one server over links of one length (the system resolver by a0, ifpin by b0). LookupApp times
# InetAddress.getAllByName in the client namespace:
#   system          no agent; -Dsun.net.inetaddr.ttl=0, so every lookup asks the system resolver (glibc)
#   system+ifpin    ifpin with a dns rule for *.corp.example and a name no rule matches: the JDK's usual path, plus
#                   the hook
#   ifpin-dns       a name the rule matches: ifpin's own client asks the server over b0
#   cached          the JDK's default cache (30 s): every timed lookup is a hit (200,000 untimed first, so that the
#                   JIT has compiled the path; timed in batches of 500); without and with ifpin
# Needs root. Everything it creates is removed on exit, also on failure.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
count=2000
warmup=500
cached_warmup=200000
case ${1:-} in
  --count) count=$2 ;;
  --smoke) count=50; warmup=20; cached_warmup=1000 ;;
  "") ;;
  *) echo "usage: $0 [--count N | --smoke]" >&2; exit 64 ;;
esac
java=${BENCH_JAVA:-java}

say() { echo "[dns-lookup] $*" >&2; }
[[ $(id -u) == 0 ]] || { say "must run as root: it creates network namespaces"; exit 1; }
agent="$root/agent/target/ifpin-agent.jar"
app_jar=$(ls "$here"/target/ifpin-bench-*-connect-app.jar 2>/dev/null | head -1 || true)
if [[ ! -f $agent || -z $app_jar ]]; then
  [[ -z ${IFPIN_BENCH_NO_BUILD:-} ]] || { say "the agent or the bench's connect-app jar is missing: build them"\
" first (mvn package -pl bench -am -DskipTests)"; exit 1; }
  say "building (mvn package -pl bench -am -DskipTests)"
  (cd "$root" && mvn -B -q package -pl bench -am -DskipTests)
  app_jar=$(ls "$here"/target/ifpin-bench-*-connect-app.jar | head -1)
fi

lab="$root/scripts/netns-lab.sh"
id="dnsb$$"
client_ns="ifpin-$id-c"
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  "$lab" down "$id"
  rm -rf "/etc/netns/$client_ns" "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$lab" up "$id"
mkdir -p "/etc/netns/$client_ns"
printf 'nameserver 203.0.113.10\noptions attempts:1 timeout:2\n' > "/etc/netns/$client_ns/resolv.conf"
"$lab" exec-server "$id" "$java" -XX:-UsePerfData -cp "$app_jar" io.ifpin.bench.app.DnsResponderApp 203.0.113.10 \
  > "$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q "DNS READY" "$work/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q "DNS READY" "$work/server.out" || { say "DnsResponderApp did not start: $(cat "$work/server.out")"; exit 1; }

conf="$work/ifpin.conf"
cat > "$conf" <<'CONF'
ifpin.rules = [ { name = corp, hosts = ["*.corp.example"], interface = b0, dns = ["203.0.113.10"] } ]
CONF

# $1 = variant, $2 = name, $3 = "uncached" or "cached", $4 = agent (yes/no)
run() {
  local options=(-XX:-UsePerfData) sizes=("$warmup" "$count" 1)
  [[ $3 == uncached ]] && options+=(-Dsun.net.inetaddr.ttl=0)
  [[ $3 == cached ]] && sizes=("$cached_warmup" "$count" 500)
  [[ $4 == yes ]] && options+=("-javaagent:$agent=$conf")
  local line
  line=$("$lab" exec-client "$id" "$java" "${options[@]}" -cp "$app_jar" io.ifpin.bench.app.LookupApp "$2" \
    "${sizes[@]}" 2>>"$work/stderr.txt")
  printf '%-14s %-8s %s\n' "$1" "$3" "$line"
}

echo "# $("$java" -version 2>&1 | head -1); $(nproc) cores; $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ); $count lookups"
run system www.bench.example uncached no
run system+ifpin www.bench.example uncached yes
run ifpin-dns www.corp.example uncached yes
run system www.bench.example cached no
run system+ifpin www.bench.example cached yes
run ifpin-dns www.corp.example cached yes
if grep -v '^\[ifpin\] INFO' "$work/stderr.txt" | grep -q .; then
  say "stderr of the runs:"; grep -v '^\[ifpin\] INFO' "$work/stderr.txt" >&2
fi
