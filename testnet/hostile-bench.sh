#!/usr/bin/env bash
# The hostile-peers benchmark (issue 15): a local testnet (4 validators by default, on free
# loopback ports), and against node0 300 hostile p2p peers and 20 hostile websocket clients
# (io.peerz.p2p.HostileLoad): peers that present the chain id and then announce 16 MiB frames,
# send random bytes on known channels, or send half of an 8 MiB block message and hold it;
# websocket clients that send one request in 64 KiB fragments without end. Each reconnects when
# dropped. node0 runs with its Java heap capped (--heap, 512m: PEERZ_JAVA_OPTS=-Xmx512m
# -XX:MaxDirectMemorySize=256m), so that what the node holds shows: without the limits it would
# run out of memory, as in issue 15; an uncapped JVM grows its heap to a quarter of the machine's
# memory whatever it holds. Samples node0's resident memory (VmRSS) and committed height every
# second and prints the largest RSS against the stated bound, and blocks committed per second
# before, during and after the attack, with the refusals node0 logged.
#
#   testnet/hostile-bench.sh [--validators 4] [--peers 300] [--websockets 20] [--before 30]
#                            [--attack 60] [--after 30] [--heap 512m] [--bound-mib 1024]
#                            [--out DIR] [--no-build]
#
# The bound (docs/limits.md): node0's RSS stays under --bound-mib MiB throughout and it logs no
# OutOfMemoryError. Exits 1 when it does not, or when the chain stops committing during the
# attack. Not a test: run it by hand,
# under `flock /tmp/peerz-bench.lock` on a shared machine, and write `uptime` beside its figures
# (docs/BENCHMARKS.md#hostile-peers-and-clients).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
validators=4
peers=300
websockets=20
before=30
attack=60
after=30
bound_mib=1024
heap=512m
out=${TMPDIR:-/tmp}/peerz-hostile-bench
build=1

while [[ $# -gt 0 ]]; do
  case $1 in
    --validators) validators=$2; shift 2 ;;
    --peers) peers=$2; shift 2 ;;
    --websockets) websockets=$2; shift 2 ;;
    --before) before=$2; shift 2 ;;
    --attack) attack=$2; shift 2 ;;
    --after) after=$2; shift 2 ;;
    --bound-mib) bound_mib=$2; shift 2 ;;
    --heap) heap=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "hostile-bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

cd "$root"
if [[ $build -eq 1 ]]; then
  echo "building (mvn -B -q -DskipTests package -pl cli -am)..." >&2
  mvn -B -q -DskipTests package -pl cli -am >&2
fi
jar="$root/cli/target/peerz-cli-0.1.0-SNAPSHOT.jar"
[[ -f "$jar" && -d "$root/consensus-app/target/test-classes/io/peerz/p2p" ]] \
  || { echo "hostile-bench.sh: no build; run without --no-build" >&2; exit 2; }
peerz="$root/peerz"

# A first port with 10 * validators free ports after it (node i: p2p base+10i, RPC base+10i+1).
base=$(python3 - "$validators" <<'EOF'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(30000, 60000 - 10 * n)
    try:
        socks = []
        for i in range(n):
            for port in (base + 10 * i, base + 10 * i + 1):
                s = socket.socket()
                s.bind(("127.0.0.1", port))
                socks.append(s)
        for s in socks:
            s.close()
        print(base)
        break
    except OSError:
        for s in socks:
            s.close()
EOF
)

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

rm -rf "$out"
mkdir -p "$out"
"$peerz" testnet init --validators "$validators" --output "$out/net" --base-port "$base" \
  --chain-id peerz-hostile >"$out/init.txt"
# The attacker's classes, copied: a build running meanwhile may rewrite target/test-classes.
mkdir -p "$out/attacker/io/peerz/p2p"
cp "$root"/consensus-app/target/test-classes/io/peerz/p2p/HostileLoad*.class "$out/attacker/io/peerz/p2p/"
for ((i = 0; i < validators; i++)); do
  opts=""
  [[ $i -eq 0 ]] && opts="-Xmx$heap -XX:MaxDirectMemorySize=256m"
  PEERZ_JAVA_OPTS="$opts" "$peerz" start --home "$out/net/node$i" >"$out/node$i.log" 2>&1 &
  pids+=($!)
done
node0_pid=${pids[0]}
rpc="127.0.0.1:$((base + 1))"

status() { curl -s --max-time 2 "http://$rpc/status" || true; }
height() {
  status | python3 -c 'import json,sys
try: print(int(json.load(sys.stdin)["result"]["sync_info"]["latest_block_height"]))
except Exception: print(0)'
}

deadline=$((SECONDS + 120))
until [[ $(height) -ge 3 ]]; do
  [[ $SECONDS -lt $deadline ]] || { echo "hostile-bench.sh: node0 did not commit block 3 in 120 s (see $out/node0.log)" >&2; exit 1; }
  kill -0 "$node0_pid" 2>/dev/null || { echo "hostile-bench.sh: node0 exited (see $out/node0.log)" >&2; exit 1; }
  sleep 1
done
node_id=$(status | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["node_info"]["id"])')
chain_id=$(status | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["node_info"]["network"])')

# Every second: seconds since start, node0's VmRSS in KiB, node0's committed height.
t0=$SECONDS
(
  while kill -0 "$node0_pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$node0_pid/status" 2>/dev/null || echo 0)
    echo "$((SECONDS - t0)) ${rss:-0} $(height)"
    sleep 1
  done
) >"$out/samples.txt" &
pids+=($!)

sleep "$before"
attack_start=$((SECONDS - t0))
echo "attack: $peers peers, $websockets websockets, $attack s against node0 (p2p 127.0.0.1:$base)" >&2
java -cp "$jar:$root/cli/target/lib/*:$out/attacker" \
  io.peerz.p2p.HostileLoad --p2p "127.0.0.1:$base" --node-id "$node_id" --chain-id "$chain_id" \
  --rpc "$rpc" --peers "$peers" --websockets "$websockets" --duration "$attack" \
  >"$out/attacker.txt" 2>"$out/attacker.err" || true
attack_end=$((SECONDS - t0))
sleep "$after"
kill -0 "$node0_pid" 2>/dev/null || { echo "hostile-bench.sh: node0 died (see $out/node0.log)" >&2; exit 1; }
sleep 1

result=0
python3 - "$out/samples.txt" "$attack_start" "$attack_end" "$bound_mib" >"$out/summary.txt" <<'EOF' || result=1
import sys
rows = [tuple(int(x) for x in l.split()) for l in open(sys.argv[1]) if len(l.split()) == 3]
a0, a1, bound = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def phase(name, lo, hi):
    r = [x for x in rows if lo <= x[0] <= hi and x[2] > 0]
    if len(r) < 2:
        print(f"{name}: too few samples"); return 0.0, 0
    rate = (r[-1][2] - r[0][2]) / max(1, r[-1][0] - r[0][0])
    rss = max(x[1] for x in r) // 1024
    print(f"{name:7s} {r[-1][0] - r[0][0]:4d} s  heights {r[0][2]}..{r[-1][2]}  "
          f"{rate:.2f} blocks/s  max RSS {rss} MiB")
    return rate, rss
_, rb = phase("before", 0, a0)
rate, rd = phase("during", a0, a1)
_, ra = phase("after", a1, 10**9)
peak = max(rb, rd, ra)
print(f"max RSS {peak} MiB, bound {bound} MiB: {'within' if peak < bound else 'OVER'}")
sys.exit(0 if peak < bound and rate > 0 else 1)
EOF
if grep -q OutOfMemoryError "$out/node0.log"; then
  echo "node0 ran out of memory (see $out/node0.log)" >>"$out/summary.txt"
  result=1
fi
cat "$out/summary.txt"
tail -1 "$out/attacker.txt" | tee -a "$out/summary.txt"
echo "node0 refusals:" | tee -a "$out/summary.txt"
grep -oE 'reason=[a-z_]+' "$out/node0.log" | sort | uniq -c | sort -rn | tee -a "$out/summary.txt" || true
echo "samples, logs and summary in $out" >&2
exit "$result"
