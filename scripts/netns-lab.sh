#!/usr/bin/env bash
# netns-lab.sh — the ONE definition of the ifpin test topology.
#
# Two network namespaces joined by two veth links, so that "which interface did
# this socket leave by" is visible to a server as the peer address it sees:
#
#   ifpin-<id>-c (client)                         ifpin-<id>-s (server)
#   a0 192.0.2.2/24    2001:db8:a::2/64  <----->  sa0 192.0.2.1/24    2001:db8:a::1/64
#   b0 198.51.100.2/24 2001:db8:b::2/64  <----->  sb0 198.51.100.1/24 2001:db8:b::1/64
#   default via a0 (metric 100), via b0 (metric 200)      lo: 203.0.113.10/32 203.0.113.20/32
#                                                             2001:db8:f::10/128 2001:db8:f::20/128
#
# An unpinned socket to a service address leaves by a0 (server sees 192.0.2.2 /
# 2001:db8:a::2); a socket pinned to b0 leaves by b0 (server sees 198.51.100.2 /
# 2001:db8:b::2). Only documentation addresses are used, and nothing is routed
# outside the two namespaces.
#
# Usage:
#   netns-lab.sh up <id>                  create (re-create if it exists)
#   netns-lab.sh down <id>                delete; idempotent, never fails
#   netns-lab.sh exec-client <id> cmd...  run cmd in the client namespace
#   netns-lab.sh exec-server <id> cmd...  run cmd in the server namespace
#
# exec-* replace this shell with `ip netns exec`, which itself execs cmd, so the
# PID a caller gets for this script is the PID of cmd: callers can stop exactly
# the process they started.
set -euo pipefail

usage() {
  echo "usage: $0 up|down <id> | exec-client|exec-server <id> cmd..." >&2
  exit 64
}

die() {
  echo "netns-lab: $*" >&2
  exit 1
}

[[ $# -ge 2 ]] || usage
action=$1
id=$2
shift 2

# The id becomes part of namespace names and (hashed) of interface names; keep
# it to characters that are safe in both and in file names.
[[ $id =~ ^[A-Za-z0-9_]{1,32}$ ]] || die "id must be 1-32 characters of [A-Za-z0-9_], got '$id'"

CLIENT_NS="ifpin-${id}-c"
SERVER_NS="ifpin-${id}-s"

# Temporary root-namespace names for the veth ends: interface names are limited
# to 15 characters, so derive a short, stable suffix from the id. They only
# exist in the root namespace for the moment between creation and the move.
suffix=$(printf '%s' "$id" | cksum | awk '{ printf "%08x", $1 }')
TMP_CA="ifca${suffix}" # -> client a0
TMP_SA="ifsa${suffix}" # -> server sa0
TMP_CB="ifcb${suffix}" # -> client b0
TMP_SB="ifsb${suffix}" # -> server sb0

require_tools() {
  command -v ip >/dev/null 2>&1 ||
    die "the 'ip' command is missing: install iproute2 (apt-get install -y iproute2)"
  [[ $(id -u) -eq 0 ]] ||
    die "must run as root (network namespaces and veth links need CAP_NET_ADMIN/CAP_SYS_ADMIN)"
}

in_client() { ip netns exec "$CLIENT_NS" "$@"; }
in_server() { ip netns exec "$SERVER_NS" "$@"; }

lab_down() {
  # Deleting a namespace destroys the veth ends inside it (and with them their
  # peers). The temporary names are removed too in case `up` died between
  # creating a pair and moving it. Every step tolerates "not there".
  ip netns del "$CLIENT_NS" 2>/dev/null || true
  ip netns del "$SERVER_NS" 2>/dev/null || true
  local tmp
  for tmp in "$TMP_CA" "$TMP_SA" "$TMP_CB" "$TMP_SB"; do
    ip link del "$tmp" 2>/dev/null || true
  done
}

# Moves a root-namespace veth end into a namespace and renames it there. The
# link is still down after the move, which is what a rename requires.
move_and_rename() {
  local tmp=$1 ns=$2 final=$3
  ip link set "$tmp" netns "$ns"
  ip -n "$ns" link set "$tmp" name "$final"
}

# True when a TCP connect to addr:port is answered at all. Nothing listens on
# the probe port, so a reachable host answers with RST ("Connection refused");
# an unreachable one, or a source address that is still tentative, fails in
# another way or times out.
tcp_answers() {
  local ns=$1 addr=$2 port=$3 out
  out=$(timeout 2 ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/${addr}/${port}" 2>&1) && return 0
  [[ $out == *refused* ]]
}

wait_ready() {
  local tries
  # IPv6 addresses stay "tentative" (unusable as a source) while duplicate
  # address detection runs; nodad should skip it, but do not trust that.
  for tries in $(seq 1 50); do
    if [[ -z $(ip -n "$CLIENT_NS" -6 addr show tentative) && -z $(ip -n "$SERVER_NS" -6 addr show tentative) ]]; then
      break
    fi
    sleep 0.1
  done
  # End-to-end: both families, both links, to the service addresses.
  local target
  for target in 203.0.113.10 2001:db8:f::10; do
    for tries in $(seq 1 50); do
      tcp_answers "$CLIENT_NS" "$target" 9 && continue 2
      sleep 0.1
    done
    die "lab $id is up but $target is not reachable from $CLIENT_NS"
  done
}

lab_up() {
  require_tools
  lab_down # up on an existing lab re-creates it from scratch

  # If anything below fails (or we are interrupted), leave nothing behind.
  UP_DONE=0
  trap '[[ $UP_DONE == 1 ]] || lab_down' EXIT
  trap 'exit 130' INT TERM

  ip netns add "$CLIENT_NS"
  ip netns add "$SERVER_NS"

  ip link add "$TMP_CA" type veth peer name "$TMP_SA"
  ip link add "$TMP_CB" type veth peer name "$TMP_SB"
  move_and_rename "$TMP_CA" "$CLIENT_NS" a0
  move_and_rename "$TMP_CB" "$CLIENT_NS" b0
  move_and_rename "$TMP_SA" "$SERVER_NS" sa0
  move_and_rename "$TMP_SB" "$SERVER_NS" sb0

  # Reverse-path filtering would drop replies that arrive on b0 while the
  # best route back to the service address is via a0 (precisely the pinned
  # case), so turn it off explicitly instead of relying on namespace defaults.
  in_client sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  in_server sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  # No router advertisements / autoconf noise: routes are exactly the ones below.
  in_client sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
  in_server sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0

  # --- client ---
  ip -n "$CLIENT_NS" link set lo up
  ip -n "$CLIENT_NS" addr add 192.0.2.2/24 dev a0
  ip -n "$CLIENT_NS" addr add 2001:db8:a::2/64 dev a0 nodad
  ip -n "$CLIENT_NS" addr add 198.51.100.2/24 dev b0
  ip -n "$CLIENT_NS" addr add 2001:db8:b::2/64 dev b0 nodad
  ip -n "$CLIENT_NS" link set a0 up
  ip -n "$CLIENT_NS" link set b0 up
  in_client sysctl -qw net.ipv4.conf.a0.rp_filter=0 net.ipv4.conf.b0.rp_filter=0

  # --- server ---
  ip -n "$SERVER_NS" link set lo up
  ip -n "$SERVER_NS" addr add 203.0.113.10/32 dev lo
  ip -n "$SERVER_NS" addr add 203.0.113.20/32 dev lo
  ip -n "$SERVER_NS" addr add 2001:db8:f::10/128 dev lo nodad
  ip -n "$SERVER_NS" addr add 2001:db8:f::20/128 dev lo nodad
  ip -n "$SERVER_NS" addr add 192.0.2.1/24 dev sa0
  ip -n "$SERVER_NS" addr add 2001:db8:a::1/64 dev sa0 nodad
  ip -n "$SERVER_NS" addr add 198.51.100.1/24 dev sb0
  ip -n "$SERVER_NS" addr add 2001:db8:b::1/64 dev sb0 nodad
  ip -n "$SERVER_NS" link set sa0 up
  ip -n "$SERVER_NS" link set sb0 up
  in_server sysctl -qw net.ipv4.conf.sa0.rp_filter=0 net.ipv4.conf.sb0.rp_filter=0

  # Default routes are added once the links are up (the kernel refuses a
  # gateway on a link that is down). a0 wins by metric; b0 is the backup that a
  # socket bound to b0 with SO_BINDTODEVICE will use.
  ip -n "$CLIENT_NS" route add default via 192.0.2.1 dev a0 metric 100
  ip -n "$CLIENT_NS" route add default via 198.51.100.1 dev b0 metric 200
  ip -n "$CLIENT_NS" -6 route add default via 2001:db8:a::1 dev a0 metric 100
  ip -n "$CLIENT_NS" -6 route add default via 2001:db8:b::1 dev b0 metric 200

  wait_ready
  UP_DONE=1
  echo "netns-lab: lab $id is up (client $CLIENT_NS: a0 b0; server $SERVER_NS: sa0 sb0)" >&2
}

case $action in
  up) lab_up ;;
  down)
    # down never fails: it is what cleanup paths call, possibly twice.
    set +e
    lab_down
    exit 0
    ;;
  exec-client)
    [[ $# -ge 1 ]] || usage
    require_tools
    exec ip netns exec "$CLIENT_NS" "$@"
    ;;
  exec-server)
    [[ $# -ge 1 ]] || usage
    require_tools
    exec ip netns exec "$SERVER_NS" "$@"
    ;;
  *) usage ;;
esac
