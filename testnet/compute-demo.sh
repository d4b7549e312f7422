#!/usr/bin/env bash
# The compute market on a running node: a subnet of three providers, an executor per provider
# (CPU, one of them cheating), a pool, jobs, verified work and payments, the cheater slashed, and
# the epoch's compute scores.
#
#   ./testnet/compute-demo.sh --node http://127.0.0.1:26657 --home DIR
#       [--from validator] [--model int8-gemm-256] [--jobs 6] [--skip-rows 0.5]
#
# DIR is the home of a running node (or any home) whose test keyring holds a funded key (--from,
# default 'validator', as 'peerz init' and 'peerz testnet init' create it). The demo's keys,
# executor key files and executor logs go under DIR/compute-demo. Needs python3 and curl.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peerz="$root/peerz"
node=""
home=""
funder=validator
model=int8-gemm-256
jobs=6
skip_rows=0.5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --node) node="$2"; shift 2 ;;
    --home) home="$2"; shift 2 ;;
    --from) funder="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --skip-rows) skip_rows="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "$node" || -z "$home" ]]; then
  echo "usage: $0 --node URL --home DIR (see --help)" >&2
  exit 2
fi
export PEERZ_HOME="$home"
work="$home/compute-demo"
mkdir -p "$work"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
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
q() { "$peerz" query "$@" --node "$node" --output json; }
tx() { "$peerz" tx "$@" --node "$node" --keyring-backend test --output json; }
# abci_query straight over curl (faster than a JVM, for polling).
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

curl -sf "$node/status" >/dev/null || { echo "no node answers at $node" >&2; exit 1; }
tag="$(date +%s)-$RANDOM"

say "keys: queen (pool creator, subnet owner), alice (submits jobs), providers p1..p3"
declare -A addr_of
for k in queen alice p1 p2 p3 p1-hot p2-hot p3-hot p1-client p2-client p3-client; do
  name="cd-$tag-$k"
  "$peerz" keys add "$name" --keyring-backend test --output json >/dev/null
  addr_of[$k]="$("$peerz" keys show "$name" -a --keyring-backend test)"
done
for i in 1 2 3; do
  addr_of[e$i]="$("$peerz" keys add-executor "$work/executor-$tag-$i.json" --output json | json '["address"]')"
  echo "executor $i: ${addr_of[e$i]} ($work/executor-$tag-$i.json)"
done

say "fund them from '$funder' (executors pay their own commit and reveal fees)"
for k in queen alice p1 p2 p3 e1 e2 e3; do
  amount=20000
  [[ $k == e* ]] && amount=2000
  tx bank send "$funder" "${addr_of[$k]}" "$amount" | json '["code"]' >/dev/null
done
echo "funded"

say "queen registers a subnet; p1..p3 register and activate nodes; the subnet activates"
result="$(tx register-subnet --name "compute-$tag" --repo "github.com/demo/compute-$tag" \
  --description "compute demo" --churn-limit 64 --min-stake 100 --max-stake 10000 \
  --delegate-stake-percentage 0.1 --node-queue-epochs 0 --idle-classification-epochs 1 \
  --included-classification-epochs 1 --max-node-penalties 10 \
  --initial-coldkeys "cd-$tag-p1,cd-$tag-p2,cd-$tag-p3" --max-registered-nodes 10 \
  --key-types ed25519 --max-cost 1000000 --from "cd-$tag-queen")"
subnet="$(echo "$result" | event_attr subnet_registered subnet_id)"
for i in 1 2 3; do
  k="cd-$tag-p$i"
  tx register-node --subnet-id "$subnet" --hotkey "$k-hot" \
    --peer-id "$("$peerz" keys show "$k-hot" --peer-id --keyring-backend test)" \
    --bootnode-peer-id "$("$peerz" keys show "$k" --peer-id --keyring-backend test)" \
    --client-peer-id "$("$peerz" keys show "$k-client" --peer-id --keyring-backend test)" \
    --stake-to-be-added 1000 --max-burn-amount 100 --from "$k" | json '["code"]' >/dev/null
  tx activate-node --subnet-id "$subnet" --from "$k" | json '["code"]' >/dev/null
done
tx activate-subnet --subnet-id "$subnet" --from "cd-$tag-queen" | json '["code"]' >/dev/null
echo "subnet $subnet: $(q subnet "$subnet" | json '["status"]'), 3 nodes with stake 1000"

say "start three executors (peerz server); executor 3 cheats: --faulty skip-rows=$skip_rows"
pids=()
stop_servers() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop_servers EXIT
for i in 1 2 3; do
  extra=()
  [[ $i == 3 ]] && extra=(--faulty "skip-rows=$skip_rows")
  "$peerz" server --home "$work/server-$tag-$i" --executor-key "$work/executor-$tag-$i.json" \
    --node "$node" --poll 300ms "${extra[@]}" >"$work/server-$tag-$i.log" 2>&1 &
  pids+=($!)
  echo "executor $i: pid $! log $work/server-$tag-$i.log"
done
say "each provider registers its executor (class cpu); each gets a benchmark job"
for i in 1 2 3; do
  result="$(tx register-executor --subnet-id "$subnet" --executor-key "$work/executor-$tag-$i.json" \
    --hardware-class cpu --from "cd-$tag-p$i")"
  echo "executor $i: benchmark job $(echo "$result" | event_attr executor_registered benchmark_job_id)"
done

benchmarked() {
  for i in 1 2 3; do
    [[ "$(aq "/executor/${addr_of[e$i]}" | json '["benchmarked"]')" == True ]] || return 1
  done
}
wait_for 180 benchmarked
for i in 1 2 3; do
  e="$(aq "/executor/${addr_of[e$i]}")"
  echo "executor $i benchmarked: efficiency $(echo "$e" | json '["efficiency_ppm"]') ppm, reputation $(echo "$e" | json '["reputation_ppm"]') ppm"
done

say "queen creates a pool ($model on cpu, price 5, deposit 1000)"
result="$(tx create-pool --template gpu --model "$model" --hardware-class cpu --limit 30 \
  --per-user "$jobs" --price 5 --deposit 1000 --from "cd-$tag-queen")"
pool="$(echo "$result" | event_attr pool_created pool_id)"
first_epoch="$(aq /epoch | json '["epoch"]')"
submit() {
  tx submit-job --pool "$pool" --input-seed "$1" --max-budget 40 --from "cd-$tag-alice" |
    event_attr job_submitted job_id
}

say "the cheater (executor 3) joins first with 2 slots, so alice's first 2 jobs are surely its"
tx join-pool "$pool" --slots 2 --executor "$work/executor-$tag-3.json" --from "cd-$tag-p3" |
  json '["code"]' >/dev/null
job_ids=("$(submit 1)" "$(submit 2)")
echo "jobs: ${job_ids[*]} (max budget 40 each, escrowed)"
attempted() {
  for j in "${job_ids[@]}"; do
    [[ "$(aq "/job/$j" | json '["attempts"]')" != "[]" ]] || return 1
  done
}
wait_for 120 attempted
for j in "${job_ids[@]}"; do
  echo "job $j: $(aq "/job/$j" | json '["verification"]')"
done

say "executors 1 and 2 join; alice submits $((jobs - 2)) more jobs"
for i in 1 2; do
  tx join-pool "$pool" --slots 2 --executor "$work/executor-$tag-$i.json" --from "cd-$tag-p$i" |
    json '["code"]' >/dev/null
done
for ((s = 3; s <= jobs; s++)); do
  job_ids+=("$(submit "$s")")
done
echo "jobs: ${job_ids[*]}"
all_done() {
  for j in "${job_ids[@]}"; do
    case "$(aq "/job/$j" | json '["status"]')" in verified|refunded) ;; *) return 1 ;; esac
  done
}
wait_for 300 all_done

say "verified work and payments"
for j in "${job_ids[@]}"; do
  aq "/job/$j" | python3 -c '
import json, sys
j = json.load(sys.stdin); names = {v: k for k, v in (a.split("=") for a in sys.argv[1:])}
tries = ", ".join(names.get(a["executor"], a["executor"]) + " " + a["outcome"] +
                  (" (slashed " + a["slashed"] + ")" if a["slashed"] != "0" else "") for a in j["attempts"])
print("job %s: %s by %s, paid %s, refunded %s; attempts: %s" % (j["id"], j["status"],
      names.get(j["executor"], j["executor"]), j["payment"], j["refund"], tries))' \
    "executor1=${addr_of[e1]}" "executor2=${addr_of[e2]}" "executor3=${addr_of[e3]}"
done

say "executors: the cheater (3) is caught and slashed"
for i in 1 2 3; do
  aq "/executor/${addr_of[e$i]}" | python3 -c '
import json, sys
e = json.load(sys.stdin)
print("executor %s: verified %s, failed %s, earned %s, slashed %s, reputation %s ppm, node stake %s" % (
  sys.argv[1], e["jobs_verified"], e["jobs_failed"], e["earned_total"], e["slashed_total"],
  e["reputation_ppm"], e["node_stake"]))' "$i"
done
echo "(with k = 16 sampled rows a cheater skipping a fraction f of rows escapes with (1-f)^16:"
python3 -c 'import sys; f=float(sys.argv[1]); print("  f = %g -> %.3g per job)" % (f, (1-f)**16))' "$skip_rows"

say "the epoch's compute scores (points = relative value x efficiency x verified seconds)"
last_epoch="$(aq /epoch | json '["epoch"]')"
epoch_after() { (( $(aq /epoch | json '["epoch"]') > last_epoch )); }
wait_for 300 epoch_after
for ((e = first_epoch; e <= last_epoch; e++)); do
  "$peerz" query scores --subnet-id "$subnet" --epoch "$e" --node "$node" --output json 2>/dev/null |
    python3 -c '
import json, sys
s = json.load(sys.stdin)["compute"]
if not s["nodes"]: sys.exit(0)
print("subnet %s epoch %s: total points %s, compute emission %s, paid %s" % (s["subnet_id"], s["epoch"], s["total_points"], s["emission"], s["paid"]))
for n in s["nodes"]:
    print("  node %s: %s jobs, %s ms verified, %s points, reward %s" % (n["node_id"], n["jobs"], n["verified_millis"], n["points"], n["reward"]))' || true
done

say "done: subnet $subnet, pool $pool (logs in $work)"
