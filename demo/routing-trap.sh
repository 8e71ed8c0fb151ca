#!/usr/bin/env bash
# demo/routing-trap.sh — the routing trap, ifpin's warning about it, then the fix ifpin suggests.
#
# A socket pinned to an interface (SO_BINDTODEVICE) only uses routes through that interface. This
# demo builds the two-namespace lab (scripts/netns-lab.sh), removes b0's default routes so that b0
# has no route to the service, and runs LegacyApp (case "socket") with the agent and
# config-samples/demo.conf, which pins the service to b0:
#   before the fix: ifpin warns "no route to ... via interface 'b0'" with the fix; the app fails
#                   (IPv4: No route to host after ~3 s of ARP; IPv6: Network is unreachable at once)
#   the fix:        ip route add default via 198.51.100.1 dev b0 metric 200 (and the IPv6 one)
#   after the fix:  both families connect by b0, no warning.
#
# Usage (as root):  demo/routing-trap.sh
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 demo/routing-trap.sh   # another JDK
#
# Exit code 0 when all of that happened as described (last line: "VERDICT: PASS ..."), 1 otherwise
# ("VERDICT: FAIL ..." naming what was missing). Everything it creates (namespaces, veths, server
# process, temp files) is removed on exit, on error and on Ctrl-C.
set -euo pipefail

DEMO_NAME=demo/routing-trap.sh
LAB_ID="trap$$"
# shellcheck source=demo/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLIENT_NS="ifpin-$LAB_ID-c"
SERVER_NS="ifpin-$LAB_ID-s"
TARGETS=(203.0.113.10 2001:db8:f::10)
declare -A EXPECTED_PEER=([203.0.113.10]=198.51.100.2 [2001:db8:f::10]=2001:db8:b::2)
declare -A FAMILY=([203.0.113.10]=IPv4 [2001:db8:f::10]=IPv6)

demo_prerequisites
demo_start_lab

step() { printf '\n==== %s\n' "$*"; }
show() { # <command...>: print it as typed, then run it (its failure is part of the show)
  printf '  $ %s\n' "$*"
  "$@" 2>&1 | sed 's/^/    /' || true
}

LINGER_MS=3000

# LegacyApp --cases socket with the agent, against each target; prints the route warnings and
# the app's result. Files: $WORK/<phase>-<target>[.err]
run_phase() { # <phase>
  local phase=$1 target start elapsed
  for target in "${TARGETS[@]}"; do
    printf '\n  LegacyApp --cases socket --linger %s %s  (with -javaagent:%s=%s)\n' "$LINGER_MS" "$target" "$AGENT_JAR" "$CONFIG"
    start=$(date +%s%N)
    # --linger: the pinned connect does not wait for ifpin to finish starting, so an app that fails at once
    # (IPv6) could exit before ifpin's route check prints its warning; LegacyApp stays alive 3 s after its case
    run_app "$WORK/$phase-$target" "$target" "-javaagent:$AGENT_JAR=$CONFIG" -- --cases socket --linger "$LINGER_MS"
    elapsed=$((($(date +%s%N) - start) / 1000000))
    if grep -q '^\[ifpin\] WARN .*no route to .* via interface' "$WORK/$phase-$target.err"; then
      echo "  ifpin said:"
      grep '^\[ifpin\] WARN .*no route to .* via interface' "$WORK/$phase-$target.err" | sed 's/^/    /'
    else
      echo "  ifpin said: no route warning"
    fi
    echo "  the app printed (JVM ran ${elapsed} ms, ${LINGER_MS} ms of it lingering after the case):"
    sed 's/^/    /' "$WORK/$phase-$target"
    [[ -s $WORK/$phase-$target ]] || echo "    (nothing)"
  done
}

route_warned() { grep -q "^\[ifpin\] WARN .*no route to $2 via interface 'b0'" "$WORK/$1-$2.err"; }
app_failed() { grep -q '^socket tcp ERROR ' "$WORK/$1-$2"; }
app_via_b0() { grep -q "^socket tcp PEER ${EXPECTED_PEER[$2]} " "$WORK/$1-$2"; }
server_saw_b0() { grep -q "^SAW tcp \[\?${EXPECTED_PEER[$1]}\]\?:[0-9]* -> " "$WORK/server.out"; }

# ---- the trap --------------------------------------------------------------------------------

step "step 1: b0 has no default route"
cat <<'EOF'
  The lab gives the client two uplinks: a0 (default route, metric 100) and b0 (a second default
  route, metric 200). We delete b0's default routes, IPv4 and IPv6, as on a host where only a0
  has a gateway. Unpinned traffic does not notice: it uses a0. But a socket pinned to b0 may only
  use routes through b0, and b0 now has a route to its own subnet only.
EOF
show ip -n "$CLIENT_NS" route del default via 198.51.100.1 dev b0
show ip -n "$CLIENT_NS" -6 route del default via 2001:db8:b::1 dev b0
show ip -n "$CLIENT_NS" route show dev b0
show ip -n "$CLIENT_NS" route get 203.0.113.10 oif b0
echo "  (no 'via': the kernel treats 203.0.113.10 as if it were on b0's own link and will ARP for it)"
show ip -n "$CLIENT_NS" -6 route get 2001:db8:f::10 oif b0

step "step 2: the router on b0 answers ARP only for its own addresses"
cat <<'EOF'
  In the lab, the "router" is the server namespace, and Linux by default answers ARP for any of
  its addresses on any link, including the service address on its loopback. A real router does
  not; with arp_ignore=1 it answers only for addresses on the link the request came in on, so the
  client's ARP requests for 203.0.113.10 go unanswered, as they would in real life.
EOF
show ip netns exec "$SERVER_NS" sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.sb0.arp_ignore=1

step "step 3: the unmodified app, with ifpin pinning the service to b0"
cat <<'EOF'
  config-samples/demo.conf pins 203.0.113.10 and 2001:db8:f::10 to b0. Pinning works, so there is
  no ERROR from ifpin; instead it asks the kernel for the route via b0, finds none, and warns
  with the fix. The app fails: IPv4 after ~3 s of unanswered ARP (No route to host), IPv6 at once.
EOF
run_phase before
echo
echo "  ifpin's CLI tells the same before deploying (run where the app runs, here the client namespace):"
show ip netns exec "$CLIENT_NS" "$JAVA" -jar "$AGENT_JAR" explain "$CONFIG" 203.0.113.10 7000

# ---- the fix ---------------------------------------------------------------------------------

step "step 4: the fix ifpin suggests, with the router on b0's link as gateway"
cat <<'EOF'
  A second default route per family, via b0's router, with a higher metric than a0's (100), so
  that all other traffic keeps using a0.
EOF
show ip -n "$CLIENT_NS" route add default via 198.51.100.1 dev b0 metric 200
show ip -n "$CLIENT_NS" -6 route add default via 2001:db8:b::1 dev b0 metric 200
show ip -n "$CLIENT_NS" route get 203.0.113.10 oif b0
show ip -n "$CLIENT_NS" -6 route get 2001:db8:f::10 oif b0
echo "  (now with 'via': the gateway on b0)"
echo
echo "  the same app again:"
run_phase after
echo
echo "  the server saw (PeerServer's log, client address -> service address):"
grep '^SAW ' "$WORK/server.out" | sed 's/^/    /' || echo "    (no connection)"

# ---- the verdict -----------------------------------------------------------------------------

problems=()
for target in "${TARGETS[@]}"; do
  family=${FAMILY[$target]}
  route_warned before "$target" || problems+=("$family: no route warning before the fix")
  app_failed before "$target" || problems+=("$family: the app did not fail before the fix")
  app_via_b0 after "$target" || problems+=("$family: the app did not connect by b0 (${EXPECTED_PEER[$target]}) after the fix")
  server_saw_b0 "$target" || problems+=("$family: the server never saw ${EXPECTED_PEER[$target]}")
  ! route_warned after "$target" || problems+=("$family: route warning after the fix")
done

echo
if [[ ${#problems[@]} -eq 0 ]]; then
  echo "VERDICT: PASS — routing trap shown: ifpin warned for IPv4 and IPv6 and the app failed; after the fix both connected by b0 (198.51.100.2, 2001:db8:b::2) with no warning"
  exit 0
fi
printf -v missing '%s; ' "${problems[@]}"
echo "VERDICT: FAIL — ${missing%; }"
for phase in before after; do
  for target in "${TARGETS[@]}"; do
    echo "agent stderr ($phase, $target):"
    sed 's/^/  /' "$WORK/$phase-$target.err" | head -20
  done
done
exit 1
