#!/usr/bin/env bash
# Bytes on disk per committed tx, with and without pruning, over a long run: one fresh
# single-validator node per mode takes the same load (peerz bench: --rounds rounds of --txs bank
# sends, the chain running on between rounds), is stopped, and its data/ directory is measured
# as the node left it ("live", RocksDB's write-ahead log included) and once the ledger has been
# reopened ("settled": the log replayed into tables).
#
#   testnet/disk-bench.sh [--txs N] [--rounds N] [--work DIR]
#
# Modes: "nothing" keeps every state version and every block (an archive); "pruned" keeps the
# last 100 state versions (pruning = "custom", pruning-keep-recent 100, pruning-interval 10) and
# the last 500 blocks (min-retain-blocks 500; the blocks of served snapshots stay too).
# Picks free ports, so no lock on the fixed ones is needed; run figures under
# `flock /tmp/peerz-bench.lock` on a shared machine and note `uptime` beside them.
# Needs: Java 17, Maven (first run builds), python3 and curl.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peerz="$root/peerz"
txs=20000
rounds=5
work=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --txs) txs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) sed -n 2,15p "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "$work" ]]; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/peerz-disk-bench.XXXXXX")"
fi
mkdir -p "$work"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

node_pid=""
stop_node() {
  if [[ -n "$node_pid" ]] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  node_pid=""
}
trap stop_node EXIT

wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then return 1; fi
    sleep 0.5
  done
}

height() {
  curl -sf "$1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["sync_info"]["latest_block_height"])'
}

# run MODE FLAGS...: prints "MODE committed_txs heights live_bytes settled_bytes"
run() {
  local mode="$1"
  shift
  local home="$work/$mode"
  rm -rf "$home"
  "$peerz" init --home "$home" --chain-id disk-bench --moniker "$mode" >/dev/null 2>&1
  local rpc p2p
  rpc="$(free_port)"
  p2p="$(free_port)"
  local node="http://127.0.0.1:$rpc"
  "$peerz" start --home "$home" --rpc.laddr "tcp://127.0.0.1:$rpc" \
    --p2p.laddr "tcp://127.0.0.1:$p2p" --consensus.timeout_commit 100ms \
    --statesync.snapshot_interval 200 "$@" >"$home/node.log" 2>&1 &
  node_pid=$!
  if ! wait_for 90 curl -sf "$node/status"; then
    tail -n 40 "$home/node.log" >&2
    exit 1
  fi
  local committed=0 r out
  for ((r = 1; r <= rounds; r++)); do
    out="$("$peerz" bench --node "$node" --home "$home" --keyring-backend test --txs "$txs" \
      --accounts 100 --rate max --plot "$home/bench-$r.png" --output json 2>/dev/null)" || true
    committed=$((committed + $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["committed"] + 100)' "$out")))
    # The chain runs on between rounds (empty blocks): heights accumulate as on a live net.
    local h0
    h0="$(height "$node")"
    wait_for 120 test "$(height "$node")" -ge $((h0 + 300)) || true
  done
  local last
  last="$(height "$node")"
  stop_node
  local live settled
  live="$(du -sb "$home/data" | cut -f1)"
  # Opening the ledger again (export reads it and writes nothing) has RocksDB replay its
  # write-ahead log into tables and delete it: what remains is the data itself, not the log a
  # live node carries until its memtables flush (bounded, whatever the chain's length).
  "$peerz" export --home "$home" >/dev/null 2>&1
  settled="$(du -sb "$home/data" | cut -f1)"
  echo "$mode $committed $last $live $settled"
}

echo "peerz disk bench: $rounds rounds of $txs txs per mode, work dir $work"
echo "load: $(uptime)"
a=($(run nothing --pruning nothing --min-retain-blocks 0))
b=($(run pruned --pruning custom --pruning-keep-recent 100 --pruning-interval 10 --min-retain-blocks 500))
printf '%-8s %13s %8s %12s %10s %13s %11s\n' mode committed_txs heights live_bytes live_B/tx \
  settled_bytes settled_B/tx
for row in "${a[*]}" "${b[*]}"; do
  set -- $row
  printf '%-8s %13d %8d %12d %10d %13d %11d\n' "$1" "$2" "$3" "$4" $(($4 / $2)) "$5" $(($5 / $2))
done
echo "load: $(uptime)"
