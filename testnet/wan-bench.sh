#!/usr/bin/env bash
# The WAN benchmark (run as root): four validators, each in its own network namespace, every link
# between two of them delayed 25 ms +- 5 ms and losing 0.5% of its packets each way, under
# `peerz bench` against node0. Prints committed tx/s, commit latency p50/p95/p99, the block
# interval and the rounds per height, and keeps the bench's JSON and the nodes' logs in the output
# folder. Makes the namespaces and tears them down itself (also on Ctrl-C or failure).
#
#   sudo testnet/wan-bench.sh [--txs N] [--rate R] [--accounts N] [--warmup N] [--out DIR]
#                             [--link emulator|netem|none] [--delay-ms 25] [--jitter-ms 5]
#                             [--loss 0.005] [--netem "delay 25ms 5ms loss 0.5%"]
#
# --link emulator (the default) carries the packets through testnet/linkem.py, a userspace link
# emulator over TUN devices: it works on any kernel with TUN (this project's machine has no netem
# qdisc). --link netem puts the namespaces on a bridge of veth pairs shaped by the kernel's tc
# netem (--netem's arguments on the namespace side of each veth); --link none (or --no-netem)
# the same bridge without delay or loss. Target (docs/BENCHMARKS.md): 2,500 tx/s with p99 under
# 2 s. Run measurements under `flock /tmp/peerz-bench.lock` on a shared machine.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
txs=150000
rate=2500
accounts=2000
warmup=60000
out=${TMPDIR:-/tmp}/peerz-wan-bench
netem_args="delay 25ms 5ms loss 0.5%"
link=emulator
delay_ms=25
jitter_ms=5
loss=0.005
prefix=pzwan
subnet=10.214.7
base=28000

while [[ $# -gt 0 ]]; do
  case $1 in
    --txs) txs=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --accounts) accounts=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --netem) netem_args=$2; shift 2 ;;
    --no-netem) link=none; shift ;;
    --link) link=$2; shift 2 ;;
    --delay-ms) delay_ms=$2; shift 2 ;;
    --jitter-ms) jitter_ms=$2; shift 2 ;;
    --loss) loss=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "wan-bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

[[ $(id -u) -eq 0 ]] || { echo "wan-bench.sh: run as root (it makes network namespaces)" >&2; exit 2; }
bash "$here/netns.sh" check || { echo "wan-bench.sh: ip netns does not work here" >&2; exit 2; }
case $link in emulator | netem | none) ;; *) echo "wan-bench.sh: --link emulator|netem|none" >&2; exit 2 ;; esac

peerz="$root/peerz"
pids=()
linkem_pid=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -n $linkem_pid ]]; then
    kill "$linkem_pid" 2>/dev/null || true
    wait "$linkem_pid" 2>/dev/null || true
  fi
  bash "$here/netns.sh" down "$prefix"
}
trap cleanup EXIT INT TERM

rm -rf "$out"
mkdir -p "$out"
"$peerz" testnet init --validators 4 --output "$out/net" --base-port "$base" \
  --timeout-commit 300ms >"$out/init.txt"
bash "$here/netns.sh" down "$prefix"
case $link in
  emulator)
    bash "$here/netns.sh" up-bare "$prefix" 4
    rm -f "$out/linkem.ready"
    python3 "$here/linkem.py" "$prefix" 4 "$subnet" --delay-ms "$delay_ms" \
      --jitter-ms "$jitter_ms" --loss "$loss" --ready "$out/linkem.ready" 2>"$out/linkem.log" &
    linkem_pid=$!
    for _ in $(seq 1 50); do
      [[ -f "$out/linkem.ready" ]] && break
      sleep 0.2
    done
    [[ -f "$out/linkem.ready" ]] || { echo "wan-bench.sh: the link emulator did not start; see $out/linkem.log" >&2; exit 1; }
    network="userspace link emulator: ${delay_ms} ms +- ${jitter_ms} ms, loss ${loss} each way"
    ;;
  netem)
    bash "$here/netns.sh" up "$prefix" 4 "$subnet"
    # shellcheck disable=SC2086 # the netem arguments are words on purpose
    bash "$here/netns.sh" netem "$prefix" 4 $netem_args
    network="netem $netem_args"
    ;;
  none)
    bash "$here/netns.sh" up "$prefix" 4 "$subnet"
    network="namespaces, no delay or loss"
    ;;
esac

for i in 0 1 2 3; do
  toml="$out/net/node$i/config/config.toml"
  sed -i "s#laddr = \"tcp://127.0.0.1:#laddr = \"tcp://$subnet.$((i + 1)):#" "$toml"
  for j in 0 1 2 3; do
    sed -i "s#@127.0.0.1:$((base + 10 * j))#@$subnet.$((j + 1)):$((base + 10 * j))#" "$toml"
  done
done

for i in 0 1 2 3; do
  ip netns exec "$prefix-n$i" "$peerz" start --home "$out/net/node$i" >"$out/node$i.log" 2>&1 &
  pids+=($!)
done
node0="http://$subnet.1:$((base + 1))"
# node0's latest height, 0 while it does not answer yet.
height() {
  local h
  h=$(curl -s --max-time 2 "$node0/status" 2>/dev/null \
    | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p' || true)
  echo "${h:-0}"
}
for _ in $(seq 1 120); do
  [[ $(height) -ge 2 ]] && break
  sleep 1
done
[[ $(height) -ge 2 ]] || { echo "wan-bench.sh: node0 did not reach height 2; see $out/node0.log" >&2; exit 1; }

bench() {
  "$peerz" bench --node "$node0" --home "$out/net/node0" --keyring-backend test \
    --accounts "$accounts" --txs "$1" --rate "$2" --plot "$out/$3.png" --output json >"$out/$3.json"
}
start_height=$(height)
if [[ $warmup -gt 0 ]]; then
  bench "$warmup" "$rate" warmup   # at the measured rate: the JIT compiles the paths the run takes
fi
from=$(height)
bench "$txs" "$rate" bench
to=$(height)

python3 - "$out" "$node0" "$from" "$to" "$network" "$start_height" <<'EOF'
import json, sys, urllib.request
out, node, lo, hi, network, start = sys.argv[1:7]
lo, hi = int(lo) + 1, int(hi)
report = json.load(open(f"{out}/bench.json"))
times, rounds = [], []
for h in range(lo, hi + 1):
    b = json.load(urllib.request.urlopen(f"{node}/block?height={h}"))["result"]["block"]
    c = json.load(urllib.request.urlopen(f"{node}/commit?height={h}"))["result"]["signed_header"]
    times.append(b["header"]["time"])
    rounds.append(int(c["commit"]["round"]))
from datetime import datetime
def t(s):
    s = s.rstrip("Z")
    if "." in s:
        head, frac = s.split(".")
        s = head + "." + frac[:6]
    return datetime.fromisoformat(s)
ts = [t(x) for x in times]
gaps = [(b - a).total_seconds() for a, b in zip(ts, ts[1:])]
summary = {
    "network": network,
    "committed_tx_per_s": report.get("committed_tx_per_second"),
    "latency_ms": report.get("latency_ms"),
    "heights": [lo, hi],
    "block_interval_s": round(sum(gaps) / len(gaps), 3) if gaps else None,
    "rounds_per_height": round(sum(r + 1 for r in rounds) / len(rounds), 3) if rounds else None,
    "heights_past_round_0": sum(1 for r in rounds if r > 0),
}
json.dump(summary, open(f"{out}/summary.json", "w"), indent=2)
print(json.dumps(summary, indent=2))
EOF
echo "wan-bench: results in $out (summary.json, bench.json, node logs)"
