#!/usr/bin/env bash
# Issue 19's target protocol in one command (docs/BENCHMARKS.md), for the figures of record on a
# quiet 2-core machine:
#
#   1. testnet: `peerz testnet init --validators 4 --timeout-commit 300ms` (the default
#      configuration: every node indexing, as testnet/run.sh writes it), a 60,000-tx warm-up at
#      the measured rate (--warmup-rate, default --rate: the JIT then compiles the paths the runs
#      take; a warm-up at `max` fills blocks to the proposal cap and left run 1 compiling), then
#      five runs of `peerz bench --accounts 2000 --txs 150000 --rate 3500` against node0
#      (target: p99 under 1 s in five of five) and one saturation run
#      (`--txs 100000 --rate max --concurrency 16`, target 6,000 tx/s or more);
#   2. single: five fresh single validators, each `peerz bench --txs 200000 --rate max`
#      (target 15,000 tx/s in five of five);
#   3. wan: testnet/wan-bench.sh (four validators in network namespaces over the link emulator,
#      25 ms +- 5 ms and 0.5% loss each way; target 2,500 tx/s with p99 under 2 s). Needs root.
#
# Every run records `uptime` before and after, and the nodes' CPU per committed tx by thread
# group (testnet/thread-cpu.py, from /proc). Prints a summary table at the end and writes it to
# OUT/summary.txt with every bench's JSON and the nodes' logs.
#
#   testnet/target-bench.sh [--out DIR] [--only testnet|single|wan] [--runs N] [--rate R]
#                           [--txs N] [--warmup N] [--warmup-rate R|max] [--single-runs N]
#                           [--base-port P]
#                           [--saturation-txs N] [--no-saturation]
#                           [--wan-link emulator|netem|none]   # wan-bench.sh's --link
#
# Run it under `flock /tmp/peerz-bench.lock` on a shared machine, and under
# `flock /tmp/peerz-fixed-ports.lock` if --base-port overlaps the default ports.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
peerz="$root/peerz"
out=${TMPDIR:-/tmp}/peerz-target-bench
only=""
runs=5
rate=3500
txs=150000
warmup=60000
warmup_rate=""
single_runs=5
base=43656
saturation=1
saturation_txs=100000
wan_link=emulator

while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --txs) txs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --warmup-rate) warmup_rate=$2; shift 2 ;;
    --single-runs) single_runs=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    --saturation-txs) saturation_txs=$2; shift 2 ;;
    --no-saturation) saturation=0; shift ;;
    --wan-link) wan_link=$2; shift 2 ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "target-bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $only in "" | testnet | single | wan) ;; *) echo "target-bench.sh: --only testnet|single|wan" >&2; exit 2 ;; esac

rm -rf "$out"
mkdir -p "$out"
rows="$out/rows.tsv"
: >"$rows"
pids=()
stop_nodes() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop_nodes EXIT
trap 'exit 130' INT TERM

load() { uptime | sed 's/.*load average: //' | cut -d, -f1; }

# The height a node's RPC reports, 0 while it does not answer.
height() {
  local h
  h=$(curl -s --max-time 2 "$1/status" 2>/dev/null \
    | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p' || true)
  echo "${h:-0}"
}
await_height() {
  for _ in $(seq 1 180); do
    [[ $(height "$1") -ge 2 ]] && return 0
    sleep 1
  done
  echo "target-bench.sh: $1 did not reach height 2" >&2
  return 1
}

# run NAME NODE HOME LABELS -- BENCH-ARGS...: one measured bench run with CPU by thread and load.
run() {
  local name=$1 node=$2 home=$3 labels=$4
  shift 5
  local l0 l1
  l0=$(load)
  # shellcheck disable=SC2086 # pids as words
  python3 "$here/thread-cpu.py" snap ${pids[*]} >"$out/$name.cpu0.json"
  "$peerz" bench --node "$node" --home "$home" --keyring-backend test --output json \
    --plot "$out/$name.png" "$@" >"$out/$name.json" 2>"$out/$name.err" || true
  # shellcheck disable=SC2086
  python3 "$here/thread-cpu.py" snap ${pids[*]} >"$out/$name.cpu1.json"
  l1=$(load)
  local committed
  committed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("committed", 0))' \
    "$out/$name.json" 2>/dev/null || echo 0)
  if [[ $committed -gt 0 ]]; then
    # shellcheck disable=SC2086 # labels as words
    python3 "$here/thread-cpu.py" diff "$out/$name.cpu0.json" "$out/$name.cpu1.json" "$committed" \
      $labels >"$out/$name.cpu.txt"
  fi
  printf '%s\t%s\t%s\t%s\n' "$name" "$out/$name.json" "$l0/$l1" "$out/$name.cpu.txt" >>"$rows"
  echo "== $name (load $l0 -> $l1)"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r.get("committed_tx_per_second"), r.get("latency_ms"))' \
    "$out/$name.json" 2>/dev/null || cat "$out/$name.err"
  [[ -f "$out/$name.cpu.txt" ]] && cat "$out/$name.cpu.txt"
  return 0
}

testnet() {
  local net="$out/net"
  "$peerz" testnet init --validators 4 --output "$net" --base-port "$base" \
    --timeout-commit 300ms >"$out/init.txt"
  local labels=""
  for i in 0 1 2 3; do
    "$peerz" start --home "$net/node$i" >"$out/node$i.log" 2>&1 &
    pids+=($!)
    labels+=" node$i=$!"
  done
  local node0="http://127.0.0.1:$((base + 1))"
  await_height "$node0"
  if [[ $warmup -gt 0 ]]; then
    "$peerz" bench --node "$node0" --home "$net/node0" --keyring-backend test --output json \
      --accounts 2000 --txs "$warmup" --rate "${warmup_rate:-$rate}" --plot "$out/warmup.png" \
      >"$out/warmup.json" \
      2>"$out/warmup.err" || true
  fi
  for r in $(seq 1 "$runs"); do
    run "testnet-$rate-$r" "$node0" "$net/node0" "$labels" -- \
      --accounts 2000 --txs "$txs" --rate "$rate"
  done
  if [[ $saturation -eq 1 ]]; then
    run "testnet-saturated" "$node0" "$net/node0" "$labels" -- \
      --accounts 2000 --txs "$saturation_txs" --rate max --concurrency 16
  fi
  stop_nodes
}

single() {
  local node="http://127.0.0.1:$((base + 101))"
  for r in $(seq 1 "$single_runs"); do
    local home="$out/single-$r"
    "$peerz" init --home "$home" --chain-id bench-1 >"$out/single-$r.init.txt" 2>&1
    "$peerz" start --home "$home" --rpc.laddr "tcp://127.0.0.1:$((base + 101))" \
      --p2p.laddr "tcp://127.0.0.1:$((base + 100))" >"$out/single-$r.log" 2>&1 &
    pids+=($!)
    await_height "$node"
    run "single-$r" "$node" "$home" "node=${pids[0]}" -- --txs 200000 --rate max
    stop_nodes
  done
}

wan() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "target-bench.sh: the WAN run needs root (network namespaces); skipped" >&2
    return 0
  fi
  local l0 l1
  l0=$(load)
  bash "$here/wan-bench.sh" --out "$out/wan" --txs "$txs" --rate 2500 --warmup "$warmup" \
    --link "$wan_link" >"$out/wan.txt" 2>&1 || true
  l1=$(load)
  cat "$out/wan.txt"
  if [[ -f "$out/wan/bench.json" ]]; then
    printf '%s\t%s\t%s\t%s\n' "wan-2500" "$out/wan/bench.json" "$l0/$l1" "$out/wan/summary.json" >>"$rows"
  fi
}

[[ -z $only || $only == testnet ]] && testnet
[[ -z $only || $only == single ]] && single
[[ -z $only || $only == wan ]] && wan

python3 - "$rows" <<'EOF' | tee "$out/summary.txt"
import json, sys
print(f"{'run':<22}{'tx/s':>8}{'p50':>8}{'p95':>8}{'p99 ms':>8}{'blocks':>8}{'CPU us/tx':>11}  load")
for line in open(sys.argv[1]):
    name, path, load, extra = line.rstrip("\n").split("\t")
    try:
        r = json.load(open(path))
    except Exception:
        print(f"{name:<22} failed (see {path.rsplit('.', 1)[0]}.err)")
        continue
    lat = r.get("latency_ms", {})
    cpu = ""
    try:
        for l in open(extra):
            if l.startswith("all"):
                cpu = l.split()[-1]
    except Exception:
        pass
    if name.startswith("wan"):
        try:
            s = json.load(open(extra))
            cpu = f"  interval {s.get('block_interval_s')} s, rounds {s.get('rounds_per_height')}"
        except Exception:
            pass
    print(f"{name:<22}{r.get('committed_tx_per_second', 0):>8}{lat.get('p50', ''):>8}{lat.get('p95', ''):>8}"
          f"{lat.get('p99', ''):>8}{len(r.get('blocks', [])):>8}{cpu:>11}  {load}")
EOF
echo "target-bench: everything in $out"
