#!/usr/bin/env bash
# Starts a fresh single-validator peerz node and walks the subnet flow end to end:
# funding, subnet registration, node registration and activation, subnet activation,
# promotion to Validator class, a score proposal with attestations, and the rewards it pays.
#
#   ./testnet/demo.sh                 # temp home, RPC on 127.0.0.1:26657
#   ./testnet/demo.sh --home DIR      # use (and init if empty) DIR
#   ./testnet/demo.sh --rpc-port N    # another RPC port
#   ./testnet/demo.sh --node URL --home DIR
#                                     # against a node that is already running (a testnet's
#                                     # node0: ./testnet/run.sh --demo does this); DIR's test
#                                     # keyring must hold the funded 'validator' key
#
# Needs: Java 17, Maven (first run builds), python3 and curl.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peerz="$root/peerz"
home=""
rpc_port=26657
node=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --home) home="$2"; shift 2 ;;
    --rpc-port) rpc_port="$2"; shift 2 ;;
    --node) node="${2%/}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
# With --node the chain is someone else's: nothing is initialised or started here.
external=0
subnet_name=demo
if [[ -n "$node" ]]; then
  external=1
  if [[ -z "$home" || ! -f "$home/keyring-test/validator.json" ]]; then
    echo "--node needs --home DIR whose test keyring holds the funded 'validator' key" >&2
    exit 2
  fi
  # Fresh keys and a fresh subnet name on every run, so the demo runs again on the same chain;
  # only the funded key is borrowed from DIR.
  funded="$home/keyring-test/validator.json"
  home="$(mktemp -d -t peerz-demo.XXXXXX)"
  mkdir -m 700 "$home/keyring-test"
  cp -p "$funded" "$home/keyring-test/"
  subnet_name="demo-$(date +%s)"
fi
if [[ -z "$home" ]]; then
  home="$(mktemp -d -t peerz-demo.XXXXXX)"
fi
p2p_port=$((rpc_port - 1))
[[ -n "$node" ]] || node="http://127.0.0.1:$rpc_port"
export PEERZ_HOME="$home"

exec 3>&2 # the terminal's stderr, for messages from inside redirected waits
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Reads a field of the JSON on stdin: json '["nodes"][0]["class"]'
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); v=eval("d"+sys.argv[1]); print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1"; }
# The value of attribute $2 of the first event of type $1 in a tx result (JSON on stdin).
event_attr() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)
for e in d.get("events", []):
    if e.get("type") == sys.argv[1]:
        for a in e.get("attributes", []):
            if a.get("key") == sys.argv[2]:
                print(a.get("value")); sys.exit(0)
sys.exit("no " + sys.argv[1] + "." + sys.argv[2] + " in the result")' "$1" "$2"
}
q() { "$peerz" query "$@" --node "$node" --output json; }
tx() { "$peerz" tx "$@" --node "$node" --keyring-backend test --output json; }
# Waits (up to $1 seconds) until the command in the remaining arguments succeeds.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then echo "timed out waiting for: $*" >&2; return 1; fi
    sleep 0.3
  done
}
# The current epoch straight from JSON-RPC (curl answers faster than a JVM, which matters at
# epoch boundaries).
epoch() {
  curl -sf "$node/abci_query?path=%22/epoch%22" |
    python3 -c 'import json,sys,base64; r=json.load(sys.stdin)["result"]["response"]; print(json.loads(base64.b64decode(r["value"]))["epoch"])'
}
epoch_after() { (( $(epoch) > $1 )); }
balance() {
  curl -sf "$node/abci_query?path=%22/account/$1%22" |
    python3 -c 'import json,sys,base64; r=json.load(sys.stdin)["result"]["response"]; print(json.loads(base64.b64decode(r["value"]))["balance"])'
}

node_pid=""
if [[ $external == 1 ]]; then
  say "using the running node $node (funded key from $funded, demo keys in $home)"
  if ! wait_for 90 curl -sf "$node/status"; then
    echo "no node answers on $node" >&2
    exit 1
  fi
else
  if [[ ! -f "$home/config/genesis.json" ]]; then
    say "peerz init (epochs of 5 blocks) in $home"
    "$peerz" init --home "$home" --chain-id peerz-demo --moniker demo --epoch-length 5
  fi

  say "peerz start (RPC $node, log in $home/node.log)"
  # 3s blocks make a 5-block epoch long enough for a proposal and its attestations.
  "$peerz" start --home "$home" --rpc.laddr "tcp://127.0.0.1:$rpc_port" \
    --p2p.laddr "tcp://127.0.0.1:$p2p_port" --consensus.timeout_commit 3s >"$home/node.log" 2>&1 &
  node_pid=$!
  stop_node() {
    if kill -0 "$node_pid" 2>/dev/null; then
      kill -TERM "$node_pid" 2>/dev/null || true
      wait "$node_pid" 2>/dev/null || true
      echo "node stopped (home: $home)"
    fi
  }
  trap stop_node EXIT
  node_up() {
    if ! kill -0 "$node_pid" 2>/dev/null; then
      echo "the node exited; its log:" >&3
      tail -n 40 "$home/node.log" >&3
      exit 1
    fi
    curl -sf "$node/status"
  }
  if ! wait_for 90 node_up; then
    tail -n 40 "$home/node.log" >&2
    exit 1
  fi
fi
curl -s "$node/status" | json '["result"]["node_info"]'

# Waits scale with the chain's epoch (blocks of up to ~3s): a testnet's epochs are longer than the
# 5 blocks of the demo's own node.
epoch_length="$(q params | json '["epoch_length"]')"
epoch_s=$((epoch_length * 3))
echo "epochs of $epoch_length blocks"

say "keys: alice (subnet owner), bob/carol/dave (node coldkeys), their hotkeys and client keys"
declare -A addr_of
for k in alice bob carol dave bob-hot carol-hot dave-hot bob-client carol-client dave-client; do
  "$peerz" keys show "$k" --keyring-backend test >/dev/null 2>&1 ||
    "$peerz" keys add "$k" --keyring-backend test --output json >/dev/null
  addr_of[$k]="$("$peerz" keys show "$k" -a --keyring-backend test)"
  printf '%-12s %s\n' "$k" "${addr_of[$k]}"
done

say "fund them from the genesis 'validator' account"
for k in alice bob carol dave; do
  hash="$(tx bank send validator "${addr_of[$k]}" 100000 | json '["txhash"]')"
  echo "sent 100000 to $k in tx $hash"
done
q account alice

say "alice registers subnet '$subnet_name'"
result="$(tx register-subnet --name "$subnet_name" --repo github.com/demo/demo \
  --description "a demo subnet" --misc "demo" --churn-limit 64 \
  --min-stake 100 --max-stake 1000 --delegate-stake-percentage 0.1 \
  --node-queue-epochs 0 --idle-classification-epochs 1 --included-classification-epochs 1 \
  --max-node-penalties 10 --initial-coldkeys bob,carol,dave --max-registered-nodes 10 \
  --key-types ed25519 --bootnodes /ip4/127.0.0.1/tcp/31330 --max-cost 100000 --from alice)"
subnet="$(echo "$result" | event_attr subnet_registered subnet_id)"
echo "subnet id: $subnet"

say "bob, carol and dave register and activate their nodes"
declare -A node_of
for k in bob carol dave; do
  result="$(tx register-node --subnet-id "$subnet" --hotkey "$k-hot" \
    --peer-id "$("$peerz" keys show "$k-hot" --peer-id --keyring-backend test)" \
    --bootnode-peer-id "$("$peerz" keys show "$k" --peer-id --keyring-backend test)" \
    --client-peer-id "$("$peerz" keys show "$k-client" --peer-id --keyring-backend test)" \
    --bootnode /ip4/127.0.0.1/tcp/31330 --delegate-reward-rate 0.125 \
    --stake-to-be-added 100 --max-burn-amount 100 --from "$k")"
  node_of[$k]="$(echo "$result" | event_attr node_registered node_id)"
  echo "$k registered node ${node_of[$k]}"
done
for k in bob carol dave; do
  tx activate-node --subnet-id "$subnet" --from "$k" | json '["code"]' >/dev/null
  echo "$k activated node ${node_of[$k]}"
done

say "alice activates the subnet"
tx activate-subnet --subnet-id "$subnet" --from alice | json '["code"]' >/dev/null
q subnet "$subnet" | json '["status"]'

say "wait for the nodes to reach Validator class"
all_validators() {
  [[ "$(q nodes "$subnet" | python3 -c 'import json,sys; print(all(n["class"]=="validator" for n in json.load(sys.stdin)["nodes"]))')" == True ]]
}
wait_for $((6 * epoch_s + 60)) all_validators
q nodes "$subnet" | python3 -c 'import json,sys
for n in json.load(sys.stdin)["nodes"]: print("node", n["id"], n["class"], "stake", n["stake"])'

say "the epoch's chosen proposer proposes scores; the others attest"
# Act at the start of a fresh epoch, so the whole round fits in it.
wait_for $((2 * epoch_s + 30)) epoch_after "$(epoch)"
e="$(epoch)"
round="$(q scores "$subnet" "$e")"
proposer="$(echo "$round" | json '["proposer_node_id"]')"
echo "epoch $e: proposer is node $proposer, validators $(echo "$round" | json '["validators"]')"
scores="${node_of[bob]}=100,${node_of[carol]}=80,${node_of[dave]}=60"
declare -A before
for k in alice bob carol dave; do before[$k]="$(balance "${addr_of[$k]}")"; done
# The round must fit in one 5-block epoch, so the txs go out without waiting for blocks (the
# mempool keeps their order, so the attestations execute after the proposal), then we wait.
hashes=()
for k in bob carol dave; do
  if [[ "${node_of[$k]}" == "$proposer" ]]; then
    hashes+=("$(tx propose-scores --subnet-id "$subnet" --node-id "$proposer" --scores "$scores" \
      --from "$k" --no-wait | json '["txhash"]')")
    echo "$k (node $proposer) proposes $scores"
  fi
done
for k in bob carol dave; do
  if [[ "${node_of[$k]}" != "$proposer" ]]; then
    tx attest --subnet-id "$subnet" --node-id "${node_of[$k]}" --from "$k" --no-wait >"$home/attest-$k.json" &
    echo "$k (node ${node_of[$k]}) attests"
  fi
done
wait_jobs() { local pid; for pid in $(jobs -p); do [[ "$pid" == "$node_pid" ]] || wait "$pid"; done; }
wait_jobs
for k in bob carol dave; do
  [[ -f "$home/attest-$k.json" ]] && hashes+=("$(json '["txhash"]' <"$home/attest-$k.json")")
done
for h in "${hashes[@]}"; do
  wait_for 60 curl -sf "$node/tx?hash=0x$h"
  result="$(curl -s "$node/tx?hash=0x$h")"
  printf 'tx %s in block %s: code %s %s\n' "${h:0:12}" "$(echo "$result" | json '["result"]["height"]')" \
    "$(echo "$result" | json '["result"]["tx_result"]["code"]')" "$(echo "$result" | json '["result"]["tx_result"]["log"]')"
done

say "wait for the next epoch: the round settles and pays"
wait_for $((4 * epoch_s + 60)) epoch_after "$e"
"$peerz" query scores "$subnet" "$e" --node "$node"
outcome="$(q scores "$subnet" "$e" | json '["outcome"]')"
if [[ "$outcome" == no_proposal || "$outcome" == open ]]; then
  echo "the score round of epoch $e did not settle (outcome $outcome): its txs missed the" \
    "$epoch_length-block epoch; on a slow machine use longer epochs (run.sh --epoch-length)" >&2
  exit 1
fi
for k in alice bob carol dave; do
  after="$(balance "${addr_of[$k]}")"
  printf '%-6s balance %s -> %s (%+d: rewards less fees)\n' "$k" "${before[$k]}" "$after" "$((after - before[$k]))"
done

say "the same chain over curl: status, latest block, a tx"
curl -s "$node/status" | json '["result"]["sync_info"]'
curl -s "$node/block" | json '["result"]["block"]["header"]'
curl -s "$node/tx?hash=0x$hash" | json '["result"]["tx_result"]'

say "done: the flow ran on $home"
