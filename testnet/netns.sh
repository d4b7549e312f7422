#!/usr/bin/env bash
# Network namespaces for a local testnet, one per validator, joined by a bridge (run as root).
#
#   netns.sh up PREFIX N SUBNET      N namespaces PREFIX-n0..: node i at SUBNET.(i+1)/24 on veth
#                                    PREFIX-v<i> (host side PREFIX-h<i>) in bridge PREFIX-br, which
#                                    holds SUBNET.254 so the host reaches every node
#   netns.sh up-bare PREFIX N        N namespaces PREFIX-n0.. with no links (testnet/linkem.py
#                                    gives each a TUN device and carries their packets)
#   netns.sh netem PREFIX N ARGS...  tc netem ARGS on the namespace end of every veth (so once
#                                    each way between two namespaces), e.g.
#                                    "delay 25ms 5ms loss 0.5%"; exits 3 when the kernel has no netem
#   netns.sh cut PREFIX I            partitions node I (its host-side link down)
#   netns.sh heal PREFIX I           brings it back
#   netns.sh down PREFIX             removes the namespaces, links and bridge (safe to repeat)
#   netns.sh check                   exits 0 when namespaces and veth pairs can be made here
#
# Used by testnet/wan-bench.sh and NetnsPartitionIT. PREFIX keeps runs apart: at most 8
# characters, so that interface names stay under 16.
set -euo pipefail

die() { echo "netns.sh: $*" >&2; exit 2; }

up() {
  local p=$1 n=$2 net=$3
  ip link add "$p-br" type bridge
  ip addr add "$net.254/24" dev "$p-br"
  ip link set "$p-br" up
  for ((i = 0; i < n; i++)); do
    ip netns add "$p-n$i"
    ip link add "$p-h$i" type veth peer name "$p-v$i"
    ip link set "$p-v$i" netns "$p-n$i"
    ip link set "$p-h$i" master "$p-br"
    ip link set "$p-h$i" up
    ip netns exec "$p-n$i" ip addr add "$net.$((i + 1))/24" dev "$p-v$i"
    ip netns exec "$p-n$i" ip link set "$p-v$i" up
    ip netns exec "$p-n$i" ip link set lo up
  done
}

up_bare() {
  local p=$1 n=$2
  for ((i = 0; i < n; i++)); do
    ip netns add "$p-n$i"
    ip netns exec "$p-n$i" ip link set lo up
  done
}

netem() {
  local p=$1 n=$2
  shift 2
  # On the namespace side only: a packet between two namespaces leaves through its sender's veth
  # and so is delayed once each way (on both ends it would be delayed twice).
  for ((i = 0; i < n; i++)); do
    if ! ip netns exec "$p-n$i" tc qdisc replace dev "$p-v$i" root netem "$@" 2>/dev/null; then
      echo "netns.sh: this kernel has no netem qdisc (tc qdisc ... netem failed on $p-v$i);" \
        "load sch_netem, run on a kernel that has it, or use testnet/linkem.py" >&2
      exit 3
    fi
  done
}

down() {
  local p=$1
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$p-n" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' \
    | grep -E "^$p-(h[0-9]+|br)$" || true); do
    ip link del "$l" 2>/dev/null || true
  done
}

check() {
  check_prefix="pzc$(($$ % 100000))"
  trap 'down "$check_prefix"' EXIT
  ip netns add "$check_prefix-n0" \
    && ip link add "$check_prefix-h0" type veth peer name "$check_prefix-v0" \
    && ip link set "$check_prefix-v0" netns "$check_prefix-n0"
}

cmd=${1:-}
[[ -n $cmd ]] || die "usage: netns.sh up|up-bare|netem|cut|heal|down|check ..."
shift
case $cmd in
  up) [[ $# -eq 3 ]] || die "usage: netns.sh up PREFIX N SUBNET"; up "$@" ;;
  up-bare) [[ $# -eq 2 ]] || die "usage: netns.sh up-bare PREFIX N"; up_bare "$@" ;;
  netem) [[ $# -ge 3 ]] || die "usage: netns.sh netem PREFIX N ARGS..."; netem "$@" ;;
  cut) ip link set "$1-h$2" down ;;
  heal) ip link set "$1-h$2" up ;;
  down) [[ $# -eq 1 ]] || die "usage: netns.sh down PREFIX"; down "$1" ;;
  check) check ;;
  *) die "unknown command $cmd" ;;
esac
