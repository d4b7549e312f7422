#!/usr/bin/env bash
# Verified inference, on a running node: the queen opens two mlp-int8 pools serving the shipped
# digits model (models/digits-mlp-int8.safetensors); alice runs it on the 200 test images, fetches
# every layer, checks it (Freivalds per layer, every requantization), prints the accuracy and
# checks the predictions against the NumPy reference (models/reference.py); an executor that
# changes one activation of the hidden layer is caught by fetch --verify and slashed through a
# one-activation dispute. Bad models and batches are refused before anything is sent.
#
#   ./testnet/inference-demo.sh --node http://127.0.0.1:26657 --home DIR [--from validator]
#
# DIR's test keyring must hold a funded key (--from). Files go under DIR/inference-demo. The
# reference's NumPy comes from models/python-env.sh (pinned, pip, once).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peerz="$root/peerz"
node=""
home=""
funder=validator
while [[ $# -gt 0 ]]; do
  case "$1" in
    --node) node="$2"; shift 2 ;;
    --home) home="$2"; shift 2 ;;
    --from) funder="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "$node" || -z "$home" ]]; then
  echo "usage: $0 --node URL --home DIR (see --help)" >&2
  exit 2
fi
export PYTHONPATH="$("$root/models/python-env.sh")"
export PEERZ_HOME="$home"
tag="$(date +%s)-$RANDOM"
work="$home/inference-demo/$tag"
mkdir -p "$work"
cd "$work"
model="$root/models/digits-mlp-int8.safetensors"
images="$root/models/digits-test-images.npy"
labels="$root/models/digits-test-labels.npy"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ peerz %s\n' "$*"; "$peerz" "$@" --node "$node"; }
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); v=eval("d"+sys.argv[1]); print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1"; }
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
tx() { "$peerz" tx "$@" --node "$node" --keyring-backend test --output json; }
aq() {
  curl -sf "$node/abci_query?path=%22$1%22" |
    python3 -c 'import json,sys,base64; r=json.load(sys.stdin)["result"]["response"]; print(base64.b64decode(r["value"]).decode() if r.get("code",0)==0 else "")'
}
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then echo "timed out waiting for: $*" >&2; return 1; fi
    sleep 0.5
  done
}
job_id() { sed -n 's/^job \([0-9]*\) submitted.*/\1/p' | head -1; }
status_of() { aq "/job/$1" | json '["status"]'; }

curl -sf "$node/status" >/dev/null || { echo "no node answers at $node" >&2; exit 1; }

say "keys: queen (pools, subnet), alice (the buyer), providers p1..p3 (a subnet needs 3 nodes); executors: e1 honest, e2 changes one hidden activation, e3 never runs"
declare -A addr_of
for key in queen alice p1 p2 p3; do
  "$peerz" keys add "id-$tag-$key" --keyring-backend test --output json >/dev/null
  addr_of[$key]="$("$peerz" keys show "id-$tag-$key" -a --keyring-backend test)"
done
for i in 1 2 3; do
  addr_of[e$i]="$("$peerz" keys add-executor "$work/executor-$i.json" --output json | json '["address"]')"
done
for key in queen alice p1 p2 p3 e1 e2 e3; do
  amount=20000
  [[ $key == e* ]] && amount=2000
  tx bank send "$funder" "${addr_of[$key]}" "$amount" | json '["code"]' >/dev/null
done

result="$(tx register-subnet --name "infer-$tag" --repo "github.com/demo/infer-$tag" \
  --description "inference demo" --churn-limit 64 --min-stake 100 --max-stake 10000 \
  --delegate-stake-percentage 0.1 --node-queue-epochs 0 --idle-classification-epochs 1 \
  --included-classification-epochs 1 --max-node-penalties 10 \
  --initial-coldkeys "id-$tag-p1,id-$tag-p2,id-$tag-p3" --max-registered-nodes 10 \
  --key-types ed25519 --max-cost 1000000 --from "id-$tag-queen")"
subnet="$(echo "$result" | event_attr subnet_registered subnet_id)"
for i in 1 2 3; do
  p="id-$tag-p$i"
  "$peerz" keys add "$p-hot" --keyring-backend test --output json >/dev/null
  "$peerz" keys add "$p-client" --keyring-backend test --output json >/dev/null
  tx register-node --subnet-id "$subnet" --hotkey "$p-hot" \
    --peer-id "$("$peerz" keys show "$p-hot" --peer-id --keyring-backend test)" \
    --bootnode-peer-id "$("$peerz" keys show "$p" --peer-id --keyring-backend test)" \
    --client-peer-id "$("$peerz" keys show "$p-client" --peer-id --keyring-backend test)" \
    --stake-to-be-added 1000 --max-burn-amount 100 --from "$p" | json '["code"]' >/dev/null
  tx activate-node --subnet-id "$subnet" --from "$p" | json '["code"]' >/dev/null
done
tx activate-subnet --subnet-id "$subnet" --from "id-$tag-queen" | json '["code"]' >/dev/null
echo "subnet $subnet active, 3 nodes with stake 1000"

say "the queen serves models/ with peerz data serve, where executors fetch the model once"
"$peerz" data serve "$root/models" --laddr 127.0.0.1:0 >"$work/model-server.log" 2>&1 &
pids=($!)
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop_all EXIT
wait_for 30 grep -q "/$(basename "$model") " "$work/model-server.log"
model_url="$(grep -o "http://[^ ]*/$(basename "$model")" "$work/model-server.log" | head -1)"
curl -sf -o /dev/null "$model_url"
echo "model at $model_url"

say "start executors 1 (honest) and 2 (--faulty corrupt-entry: one hidden activation off by one)"
faults=("" "corrupt-entry")
for i in 1 2; do
  extra=()
  [[ -n "${faults[$((i - 1))]}" ]] && extra=(--faulty "${faults[$((i - 1))]}")
  "$peerz" server --home "$work/server-$i" --executor-key "$work/executor-$i.json" \
    --node "$node" --poll 300ms "${extra[@]}" >"$work/server-$i.log" 2>&1 &
  pids+=($!)
  echo "executor $i ${faults[$((i - 1))]:-(honest)}: log $work/server-$i.log"
done
for i in 1 2; do
  tx register-executor --subnet-id "$subnet" --executor-key "$work/executor-$i.json" \
    --hardware-class cpu --from "id-$tag-p$i" | json '["code"]' >/dev/null
done
ready() {
  for i in 1 2; do
    e="$(aq "/executor/${addr_of[e$i]}")"
    [[ "$(echo "$e" | json '["benchmarked"]')" == True && -n "$(echo "$e" | json '["data_url"]')" ]] || return 1
  done
}
wait_for 240 ready
echo "executors benchmarked, data endpoints announced"

say "bad models and batches are refused before anything is sent"
python3 - "$model" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", data[:8])
open("lying-header.safetensors", "wb").write(struct.pack("<Q", n + 100000) + data[8:])
PY
status=0
tx create-pool --template gpu --workload mlp-int8 --model lying-header.safetensors \
  --model-url "$model_url" --hardware-class cpu --price 5 --deposit 1000 --limit 8 \
  --from "id-$tag-queen" 2>&1 | tail -1 || status=$?
[[ $status != 0 ]] || { echo "a lying header was accepted" >&2; exit 1; }

say "the queen creates two mlp-int8 pools serving the digits model; executor i joins pool i"
declare -a pool
for i in 1 2; do
  printf '$ peerz tx create-pool --template gpu --workload mlp-int8 --model %s --model-url %s ...\n' \
    "models/$(basename "$model")" "$model_url"
  r="$(tx create-pool --template gpu --workload mlp-int8 --model "$model" --model-url "$model_url" \
    --hardware-class cpu --price 5 --deposit 1000 --limit 8 --from "id-$tag-queen")"
  pool[$i]="$(echo "$r" | event_attr pool_created pool_id)"
  tx join-pool "${pool[$i]}" --slots 1 --executor "$work/executor-$i.json" --from "id-$tag-p$i" |
    json '["code"]' >/dev/null
done
echo "pools: ${pool[*]}; model root $(aq "/pool/${pool[1]}" | json '["model_commitment"]["root"]')"

python3 - <<'PY'
import numpy as np
np.save("wide.npy", np.zeros((3, 65), dtype=np.int8))
PY
status=0
run job submit --pool "${pool[1]}" --input wide.npy --max-budget 40 --from "id-$tag-alice" \
  --keyring-backend test 2>&1 | tail -1 || status=$?
[[ $status != 0 ]] || { echo "a batch of 65 features was accepted" >&2; exit 1; }

say "1. alice runs the model on the 200 test images in pool ${pool[1]} (honest executor 1)"
out="$(run job submit --pool "${pool[1]}" --input "$images" --max-budget 40 --from "id-$tag-alice" --keyring-backend test)"
echo "$out"
j1="$(echo "$out" | job_id)"
run job fetch "$j1" --out logits.npy --verify
python3 - "$root/models" "$model" "$images" "$labels" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import reference
logits = np.load("logits.npy")
layers = reference.load_model(open(sys.argv[2], "rb").read())
want = reference.forward(layers, np.load(sys.argv[3]))[-1][1]
labels = np.load(sys.argv[4])
assert logits.dtype == np.int8 and logits.shape == want.shape, (logits.dtype, logits.shape)
assert np.array_equal(logits, want), "the logits differ from the NumPy reference's"
pred = logits.argmax(axis=1)
assert np.array_equal(pred, want.argmax(axis=1))
print("predictions equal the NumPy reference's (models/reference.py) for all %d images" % len(pred))
print("accuracy: %d/%d = %.2f%%" % ((pred == labels).sum(), len(labels), 100.0 * (pred == labels).mean()))
PY

say "2. the same batch in pool ${pool[2]}: executor 2 changes one activation of the hidden layer"
out="$(run job submit --pool "${pool[2]}" --input "$images" --max-budget 40 --from "id-$tag-alice" --keyring-backend test)"
echo "$out"
j2="$(echo "$out" | job_id)"
status=0
run job fetch "$j2" --out logits-cheat.npy --verify || status=$?
if [[ $status != 2 ]]; then echo "fetch --verify did not catch the wrong activation (exit $status)" >&2; exit 1; fi
run job dispute "$j2" --keyring-backend test
run job status "$j2"
[[ "$(status_of "$j2")" == disputed ]] || { echo "job $j2 is not disputed" >&2; exit 1; }
aq "/job/$j2" | python3 -c 'import json,sys; a=json.load(sys.stdin)["attempts"][-1]; print("executor 2: %s, slashed %s: %s" % (a["outcome"], a["slashed"], a["detail"]))'

say "inference demo passed"
