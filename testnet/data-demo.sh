#!/usr/bin/env bash
# Real work in the compute market, on a running node: alice multiplies her own matrices
# (1024 x 768 by 768 x 512, int8) in a gemm-int8 pool and fetches C, equal to NumPy's product;
# a cheating executor that corrupts one entry is caught by fetch --verify and slashed through a
# dispute; an executor that stops serving outputs is slashed through an availability request; a
# job nobody can take is explained by job-fit and refunded by cancel-job.
#
#   ./testnet/data-demo.sh --node http://127.0.0.1:26657 --home DIR [--from validator]
#       [--m 1024 --k 768 --n 512]
#
# DIR's test keyring must hold a funded key (--from). Files go under DIR/data-demo. NumPy comes
# from testnet/python-env.sh (the pinned models/requirements.txt, installed once by models/python-env.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peerz="$root/peerz"
node=""
home=""
funder=validator
m=1024
k=768
n=512
while [[ $# -gt 0 ]]; do
  case "$1" in
    --node) node="$2"; shift 2 ;;
    --home) home="$2"; shift 2 ;;
    --from) funder="$2"; shift 2 ;;
    --m) m="$2"; shift 2 ;;
    --k) k="$2"; shift 2 ;;
    --n) n="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "$node" || -z "$home" ]]; then
  echo "usage: $0 --node URL --home DIR (see --help)" >&2
  exit 2
fi
py="$("$root/testnet/python-env.sh")"
export PEERZ_HOME="$home"
tag="$(date +%s)-$RANDOM"
work="$home/data-demo/$tag"
mkdir -p "$work"
cd "$work"

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

say "keys: queen (pools, subnet), alice (the buyer), providers p1..p4; executors: e1 honest, e2 corrupts one entry, e3 stops serving outputs, e4 never runs"
declare -A addr_of
for key in queen alice p1 p2 p3 p4; do
  "$peerz" keys add "dd-$tag-$key" --keyring-backend test --output json >/dev/null
  addr_of[$key]="$("$peerz" keys show "dd-$tag-$key" -a --keyring-backend test)"
done
for i in 1 2 3 4; do
  addr_of[e$i]="$("$peerz" keys add-executor "$work/executor-$i.json" --output json | json '["address"]')"
done
for key in queen alice p1 p2 p3 p4 e1 e2 e3 e4; do
  amount=20000
  [[ $key == e* ]] && amount=2000
  tx bank send "$funder" "${addr_of[$key]}" "$amount" | json '["code"]' >/dev/null
done

result="$(tx register-subnet --name "data-$tag" --repo "github.com/demo/data-$tag" \
  --description "data demo" --churn-limit 64 --min-stake 100 --max-stake 10000 \
  --delegate-stake-percentage 0.1 --node-queue-epochs 0 --idle-classification-epochs 1 \
  --included-classification-epochs 1 --max-node-penalties 10 \
  --initial-coldkeys "dd-$tag-p1,dd-$tag-p2,dd-$tag-p3,dd-$tag-p4" --max-registered-nodes 10 \
  --key-types ed25519 --max-cost 1000000 --from "dd-$tag-queen")"
subnet="$(echo "$result" | event_attr subnet_registered subnet_id)"
for i in 1 2 3 4; do
  p="dd-$tag-p$i"
  "$peerz" keys add "$p-hot" --keyring-backend test --output json >/dev/null
  "$peerz" keys add "$p-client" --keyring-backend test --output json >/dev/null
  tx register-node --subnet-id "$subnet" --hotkey "$p-hot" \
    --peer-id "$("$peerz" keys show "$p-hot" --peer-id --keyring-backend test)" \
    --bootnode-peer-id "$("$peerz" keys show "$p" --peer-id --keyring-backend test)" \
    --client-peer-id "$("$peerz" keys show "$p-client" --peer-id --keyring-backend test)" \
    --stake-to-be-added 1000 --max-burn-amount 100 --from "$p" | json '["code"]' >/dev/null
  tx activate-node --subnet-id "$subnet" --from "$p" | json '["code"]' >/dev/null
done
tx activate-subnet --subnet-id "$subnet" --from "dd-$tag-queen" | json '["code"]' >/dev/null
echo "subnet $subnet active, 4 nodes with stake 1000"

say "start executors 1-3 (peerz server, CPU, each with its data endpoint); 4 is registered but never runs"
pids=()
stop_servers() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop_servers EXIT
faults=("" "corrupt-entry" "no-serve")
for i in 1 2 3; do
  extra=()
  [[ -n "${faults[$((i - 1))]}" ]] && extra=(--faulty "${faults[$((i - 1))]}")
  "$peerz" server --home "$work/server-$i" --executor-key "$work/executor-$i.json" \
    --node "$node" --poll 300ms "${extra[@]}" >"$work/server-$i.log" 2>&1 &
  pids+=($!)
  echo "executor $i ${faults[$((i - 1))]:-(honest)}: log $work/server-$i.log"
done
for i in 1 2 3 4; do
  tx register-executor --subnet-id "$subnet" --executor-key "$work/executor-$i.json" \
    --hardware-class cpu --from "dd-$tag-p$i" | json '["code"]' >/dev/null
done
ready() {
  for i in 1 2 3; do
    e="$(aq "/executor/${addr_of[e$i]}")"
    [[ "$(echo "$e" | json '["benchmarked"]')" == True && -n "$(echo "$e" | json '["data_url"]')" ]] || return 1
  done
}
wait_for 240 ready
for i in 1 2 3; do
  echo "executor $i: benchmarked, data endpoint $(aq "/executor/${addr_of[e$i]}" | json '["data_url"]')"
done

say "queen creates four gemm-int8 pools; executor i joins pool i (4: the one that never runs)"
declare -a pool
for i in 1 2 3 4; do
  r="$(tx create-pool --template gpu --workload gemm-int8 --hardware-class cpu --price 5 \
    --deposit 1000 --limit 8 --from "dd-$tag-queen")"
  pool[$i]="$(echo "$r" | event_attr pool_created pool_id)"
  tx join-pool "${pool[$i]}" --slots 1 --executor "$work/executor-$i.json" --from "dd-$tag-p$i" |
    json '["code"]' >/dev/null
done
echo "pools: ${pool[*]}"

say "alice makes her own inputs with NumPy: a.npy ($m x $k int8), b.npy ($k x $n int8)"
"$py" - "$m" "$k" "$n" <<'PY'
import sys, numpy as np
m, k, n = map(int, sys.argv[1:])
rng = np.random.default_rng(2026)
np.save("a.npy", rng.integers(-128, 128, size=(m, k), dtype=np.int8))
np.save("b.npy", rng.integers(-128, 128, size=(k, n), dtype=np.int8))
print("a.npy", m, "x", k, "and b.npy", k, "x", n, "written")
PY

say "1. alice serves them with peerz data serve; executor 1 (pool ${pool[1]}) fetches, multiplies; she fetches C"
mkdir -p served && cp a.npy b.npy served/
"$peerz" data serve served --laddr 127.0.0.1:0 >"$work/data-serve.log" 2>&1 &
pids+=($!)
wait_for 30 grep -q '/b\.npy ' "$work/data-serve.log"
a_url="$(grep -o 'http://[^ ]*/a\.npy' "$work/data-serve.log" | head -1)"
b_url="$(grep -o 'http://[^ ]*/b\.npy' "$work/data-serve.log" | head -1)"
echo "serving $a_url and $b_url"
out="$(run job submit --pool "${pool[1]}" --a a.npy --b b.npy --a-url "$a_url" --b-url "$b_url" \
  --max-budget 40 --from "dd-$tag-alice" --keyring-backend test)"
echo "$out"
j1="$(echo "$out" | job_id)"
run job status "$j1"
run job fetch "$j1" --out c.npy --verify
"$py" - <<'PY'
import numpy as np
a, b, c = np.load("a.npy"), np.load("b.npy"), np.load("c.npy")
want = a.astype(np.int32) @ b.astype(np.int32)
assert c.dtype == np.int32 and c.shape == want.shape, (c.dtype, c.shape)
assert np.array_equal(c, want), "c.npy differs from NumPy's product"
print("c.npy (%d x %d int32) equals NumPy's a.astype(np.int32) @ b.astype(np.int32) bit for bit" % c.shape)
PY

say "2. the same job in pool ${pool[2]}: executor 2 corrupts one entry of C"
out="$(run job submit --pool "${pool[2]}" --a a.npy --b b.npy --max-budget 40 --from "dd-$tag-alice" --keyring-backend test)"
echo "$out"
j2="$(echo "$out" | job_id)"
status=0
run job fetch "$j2" --out c-cheat.npy --verify || status=$?
if [[ $status != 2 ]]; then echo "fetch --verify did not catch the wrong entry (exit $status)" >&2; exit 1; fi
run job dispute "$j2" --a a.npy --b b.npy --c c-cheat.npy --keyring-backend test
run job status "$j2"
[[ "$(status_of "$j2")" == disputed ]] || { echo "job $j2 is not disputed" >&2; exit 1; }

say "3. pool ${pool[3]}: executor 3 computes but stops serving outputs"
out="$(run job submit --pool "${pool[3]}" --a a.npy --b b.npy --max-budget 40 --from "dd-$tag-alice" --keyring-backend test)"
echo "$out"
j3="$(echo "$out" | job_id)"
status=0
run job fetch "$j3" --out c-missing.npy || status=$?
[[ $status != 0 ]] || { echo "executor 3 served its output" >&2; exit 1; }
run tx request-rows "$j3" --rows 0,1,2 --from "dd-$tag-alice" --keyring-backend test
deadline="$(aq "/job/$j3" | json '["availability"]["deadline_height"]')"
echo "executor 3 must post rows 0,1,2 with proofs by height $deadline"
refunded() { [[ "$(status_of "$j3")" == refunded ]]; }
wait_for 120 refunded
run job status "$j3"

say "4. pool ${pool[4]}: its only executor never ran its benchmark, so nobody can take the job"
out="$(run job submit --pool "${pool[4]}" --a a.npy --b b.npy --max-budget 40 --from "dd-$tag-alice" --keyring-backend test --wait-for 0s)"
echo "$out"
j4="$(echo "$out" | job_id)"
sleep 2
run query job-fit "$j4"
run tx cancel-job "$j4" --from "dd-$tag-alice" --keyring-backend test
[[ "$(status_of "$j4")" == cancelled ]] || { echo "job $j4 is not cancelled" >&2; exit 1; }

say "executors: 1 earned, 2 and 3 slashed"
for i in 1 2 3; do
  aq "/executor/${addr_of[e$i]}" | python3 -c '
import json, sys
e = json.load(sys.stdin)
print("executor %s: verified %s, failed %s, slashed %s, reputation %s ppm, node stake %s" % (
  sys.argv[1], e["jobs_verified"], e["jobs_failed"], e["slashed_total"], e["reputation_ppm"], e["node_stake"]))' "$i"
done
say "done: jobs $j1 (verified), $j2 (disputed), $j3 (refunded: unavailable), $j4 (cancelled); files in $work"
