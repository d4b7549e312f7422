#!/usr/bin/env bash
# A local BFT network: N validators as N processes on loopback, from generated genesis and keys.
#
#   ./testnet/run.sh                      # 4 validators, state in ./.testnet (kept across runs)
#   ./testnet/run.sh --validators 7       # any size
#   ./testnet/run.sh --reset              # start fresh
#   ./testnet/run.sh --home DIR --base-port 36656 --timeout-commit 1s
#   ./testnet/run.sh --validators 7 --demo
#                                         # once all are up, runs testnet/demo.sh (subnets,
#                                         # nodes, score round), testnet/compute-demo.sh
#                                         # (pools, executors, jobs, a cheater slashed),
#                                         # testnet/data-demo.sh (the buyer's own matrices) and
#                                         # testnet/inference-demo.sh (verified inference) against
#                                         # node0 (its funded 'validator' key), then stops them all
#                                         # and exits with the demo's status; a fresh testnet
#                                         # for the demo gets epochs of 20 blocks
#   ./testnet/run.sh --epoch-length 30    # blocks per epoch of a fresh testnet
#
# Prints each node's RPC address; Ctrl-C stops them all cleanly. Logs: <home>/nodeI/node.log.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peerz="$root/peerz"
home="$root/.testnet"
validators=4
base_port=26656
timeout_commit=1s
reset=0
demo=0
epoch_length=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --validators) validators="$2"; shift 2 ;;
    --home) home="$2"; shift 2 ;;
    --base-port) base_port="$2"; shift 2 ;;
    --timeout-commit) timeout_commit="$2"; shift 2 ;;
    --reset) reset=1; shift ;;
    --demo) demo=1; shift ;;
    --epoch-length) epoch_length="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ $reset == 1 ]]; then
  rm -rf "$home"
fi
if [[ ! -f "$home/node0/config/genesis.json" ]]; then
  # The demo's score round must fit in one epoch, with a CLI process per step.
  [[ $demo == 1 && -z "$epoch_length" ]] && epoch_length=20
  "$peerz" testnet init --validators "$validators" --output "$home" \
    --base-port "$base_port" --timeout-commit "$timeout_commit" \
    ${epoch_length:+--epoch-length "$epoch_length"}
  if [[ $demo == 1 ]]; then
    # The data demo fetches, verifies and disputes with a CLI process per step: a 30-block
    # dispute window leaves it room on a loaded machine (the default is 10).
    for g in "$home"/node*/config/genesis.json; do
      python3 - "$g" <<'PY'
import json, sys
p = sys.argv[1]
g = json.load(open(p))
g["app_state"].setdefault("params", {}).update(
    {"dispute_window_blocks": "30", "output_retention_blocks": "60"})
json.dump(g, open(p, "w"), indent=2)
PY
    done
  fi
else
  validators=$(ls -d "$home"/node* | wc -l)
  echo "restarting the $validators-validator testnet in $home (--reset starts fresh)"
fi

pids=()
stop() {
  echo "stopping ${#pids[@]} nodes..."
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "stopped; state kept in $home"
}
trap stop EXIT
trap 'exit 130' INT TERM

for ((i = 0; i < validators; i++)); do
  "$peerz" start --home "$home/node$i" >>"$home/node$i/node.log" 2>&1 &
  pids+=($!)
done

rpc0=""
for ((i = 0; i < validators; i++)); do
  rpc=$(grep -A2 '^\[rpc\]' "$home/node$i/config/config.toml" | sed -n 's/^laddr = "tcp:\/\/\(.*\)"/http:\/\/\1/p')
  deadline=$((SECONDS + 90))
  until curl -sf "$rpc/status" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "node$i did not answer on $rpc; see $home/node$i/node.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "node$i rpc=$rpc log=$home/node$i/node.log"
  [[ -n "$rpc0" ]] || rpc0="$rpc"
done
if [[ $demo == 1 ]]; then
  echo "all $validators validators up; running testnet/demo.sh against node0 ($rpc0)"
  status=0
  "$root/testnet/demo.sh" --node "$rpc0" --home "$home/node0" || status=$?
  if [[ $status == 0 ]]; then
    echo "running testnet/compute-demo.sh against node0 ($rpc0)"
    "$root/testnet/compute-demo.sh" --node "$rpc0" --home "$home/node0" || status=$?
  fi
  if [[ $status == 0 ]]; then
    echo "running testnet/data-demo.sh against node0 ($rpc0)"
    "$root/testnet/data-demo.sh" --node "$rpc0" --home "$home/node0" || status=$?
  fi
  if [[ $status == 0 ]]; then
    echo "running testnet/inference-demo.sh against node0 ($rpc0)"
    "$root/testnet/inference-demo.sh" --node "$rpc0" --home "$home/node0" || status=$?
  fi
  if [[ $status == 0 ]]; then
    echo "demo passed on the $validators-validator testnet"
  else
    echo "demo failed (exit $status); node logs: $home/node*/node.log" >&2
  fi
  exit "$status"
fi
echo "all $validators validators up; tail -f $home/node*/node.log to watch; Ctrl-C stops them"
wait
