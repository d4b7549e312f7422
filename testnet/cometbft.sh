#!/usr/bin/env bash
# A local network under the real CometBFT: N CometBFT v0.38.17 validators on loopback, each driving
# its own `peerz start --abci`, from one genesis made by `peerz testnet init`.
#
#   ./testnet/cometbft.sh                 # init once, then start 4 validators; Ctrl-C stops them
#   ./testnet/cometbft.sh init            # write the homes only (--reset rewrites them)
#   ./testnet/cometbft.sh start [--node I]...
#                                         # start the nodes of an initialized network (all, or
#                                         # those named) in the foreground; TERM/Ctrl-C stops them
#   ./testnet/cometbft.sh add-node        # write the home of a non-validator that joins by state
#                                         # sync from the validators' peerz snapshots; prints its
#                                         # index (start it with `start --node I`)
#
# Options (any command): --home DIR (default ./.testnet-cometbft), --validators N (4),
#   --base-port P (26656), --timeout-commit 1s, --snapshot-interval N (10, heights between the
#   applications' state-sync snapshots), --snapshot-keep-recent K (6: a snapshot must outlive
#   CometBFT's snapshot discovery and chunk fetching, so K x N blocks should span a minute or
#   more), --reset. init and add-node write these; start reads what they wrote.
# Node i listens on loopback only: CometBFT p2p P+10i and RPC P+10i+1, peerz ABCI P+10i+2.
# Logs: <home>/nodeI/app.log (peerz) and <home>/nodeI/cometbft.log. CometBFT's home is
# <home>/nodeI/cometbft, peerz's is <home>/nodeI (docs/cometbft.md, "A local network").
# CometBFT is built once per machine by testnet/install-cometbft.sh (needs `go`).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peerz="$root/peerz"
home="$root/.testnet-cometbft"
validators=4
base_port=26656
timeout_commit=1s
snapshot_interval=10
snapshot_keep_recent=6
reset=0
command=run
nodes=()
if [[ $# -gt 0 && $1 != -* ]]; then
  command=$1
  shift
fi
while [[ $# -gt 0 ]]; do
  case "$1" in
    --home) home="$2"; shift 2 ;;
    --validators) validators="$2"; shift 2 ;;
    --base-port) base_port="$2"; shift 2 ;;
    --timeout-commit) timeout_commit="$2"; shift 2 ;;
    --snapshot-interval) snapshot_interval="$2"; shift 2 ;;
    --snapshot-keep-recent) snapshot_keep_recent="$2"; shift 2 ;;
    --node) nodes+=("$2"); shift 2 ;;
    --reset) reset=1; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$command" in
  run | init | start | add-node) ;;
  *) echo "unknown command: $command (init, start, add-node; see --help)" >&2; exit 2 ;;
esac
home="$(mkdir -p "$home" && cd "$home" && pwd)"

die() {
  echo "cometbft.sh: $*" >&2
  exit 1
}

# set_toml FILE SECTION KEY VALUE: replaces `KEY = ...` in [SECTION] ("" for the top level);
# VALUE is written as given (quote strings). Fails when the key is not there.
set_toml() {
  local file=$1 section=$2 key=$3 value=$4
  awk -v section="$section" -v key="$key" -v value="$value" '
    /^\[[^]]*\][ \t]*$/ { current = substr($1, 2, length($1) - 2) }
    current == section && index($0, key " =") == 1 { print key " = " value; found = 1; next }
    { print }
    END { if (!found) exit 3 }
  ' "$file" >"$file.new" || die "no '$key' in [$section] of $file"
  mv "$file.new" "$file"
}

# toml_get FILE SECTION KEY: the value of KEY in [SECTION], quotes removed.
toml_get() {
  awk -v section="$2" -v key="$3" '
    /^\[[^]]*\][ \t]*$/ { current = substr($1, 2, length($1) - 2) }
    current == section && index($0, key " =") == 1 {
      v = substr($0, length(key) + 4); gsub(/"/, "", v); print v; exit
    }
  ' "$1"
}

# The address of node I's CometBFT p2p, RPC or (proxy_app) application, from its config.toml.
p2p_addr() { toml_get "$home/node$1/cometbft/config/config.toml" p2p laddr | sed 's|^tcp://||'; }
rpc_addr() { toml_get "$home/node$1/cometbft/config/config.toml" rpc laddr | sed 's|^tcp://||'; }
abci_addr() { toml_get "$home/node$1/cometbft/config/config.toml" "" proxy_app; }

port() { # port NODE OFFSET
  echo $((base_port + 10 * $1 + $2))
}

node_count() {
  local n=0
  while [[ -d "$home/node$n/cometbft" ]]; do n=$((n + 1)); done
  echo "$n"
}

# configure NODE PEERS: CometBFT's config.toml for node NODE (loopback ports, its peerz
# application as proxy_app, the others as persistent peers).
configure() {
  local i=$1 peers=$2 cfg="$home/node$1/cometbft/config/config.toml"
  set_toml "$cfg" "" proxy_app "\"tcp://127.0.0.1:$(port "$i" 2)\""
  set_toml "$cfg" "" moniker "\"node$i\""
  set_toml "$cfg" rpc laddr "\"tcp://127.0.0.1:$(port "$i" 1)\""
  set_toml "$cfg" p2p laddr "\"tcp://127.0.0.1:$(port "$i" 0)\""
  set_toml "$cfg" p2p persistent_peers "\"$peers\""
  # Every peer is 127.0.0.1: CometBFT's defaults refuse non-routable and duplicate addresses.
  set_toml "$cfg" p2p addr_book_strict false
  set_toml "$cfg" p2p allow_duplicate_ip true
  set_toml "$cfg" consensus timeout_commit "\"$timeout_commit\""
  # The application's snapshots: the validators serve state sync to new nodes.
  set_toml "$home/node$i/config/config.toml" statesync snapshot_interval "$snapshot_interval"
  set_toml "$home/node$i/config/config.toml" statesync snapshot_keep_recent "$snapshot_keep_recent"
}

init() {
  local cometbft
  cometbft="$("$root/testnet/install-cometbft.sh")"
  if [[ $reset == 1 ]]; then
    rm -rf "$home"
    mkdir -p "$home"
  fi
  [[ -e "$home/node0" ]] && die "$home already holds a network (--reset rewrites it)"
  "$peerz" testnet init --validators "$validators" --output "$home" --base-port "$base_port" \
    --timeout-commit "$timeout_commit" --chain-id peerz-cometbft >/dev/null
  local peers=() i
  for ((i = 0; i < validators; i++)); do
    local c="$home/node$i/cometbft"
    "$cometbft" init --home "$c" >/dev/null 2>&1
    # The same files in both homes (docs/cometbft.md, "The same genesis and keys").
    cp "$home/node$i/config/genesis.json" "$home/node$i/config/priv_validator_key.json" \
      "$home/node$i/config/node_key.json" "$c/config/"
    cp "$home/node$i/data/priv_validator_state.json" "$c/data/"
    peers+=("$("$cometbft" show-node-id --home "$c")@127.0.0.1:$(port "$i" 0)")
  done
  for ((i = 0; i < validators; i++)); do
    local others=() j
    for ((j = 0; j < validators; j++)); do
      [[ $j == "$i" ]] || others+=("${peers[$j]}")
    done
    configure "$i" "$(IFS=,; echo "${others[*]}")"
  done
  echo "$validators CometBFT validators written to $home (chain peerz-cometbft)"
}

# add-node: a full node that restores the application from the validators' snapshots.
add_node() {
  local cometbft n
  cometbft="$("$root/testnet/install-cometbft.sh")"
  n=$(node_count)
  ((n > 0)) || die "no network in $home: run init first"
  # The new node's ports follow the network's (node 0's p2p port is the base).
  base_port=$(p2p_addr 0 | sed 's/.*://')
  local dir="$home/node$n" c="$home/node$n/cometbft" peers=() i
  "$peerz" init --home "$dir" --chain-id peerz-cometbft --moniker "node$n" >/dev/null
  cp "$home/node0/config/genesis.json" "$dir/config/genesis.json"
  "$cometbft" init --home "$c" >/dev/null 2>&1
  cp "$home/node0/config/genesis.json" "$c/config/genesis.json"
  for ((i = 0; i < n; i++)); do
    peers+=("$("$cometbft" show-node-id --home "$home/node$i/cometbft")@$(p2p_addr "$i")")
  done
  configure "$n" "$(IFS=,; echo "${peers[*]}")"
  # CometBFT's state sync trusts block 1 of the running network (light client verification
  # from there) and fetches light blocks from two validators' RPC.
  local rpc0="http://$(rpc_addr 0)" hash
  hash=$(curl -sf "$rpc0/block?height=1" | grep -o '"hash":"[0-9A-F]*"' | head -1 | cut -d'"' -f4) ||
    die "node0's RPC ($rpc0) does not answer block 1: start the network first"
  [[ -n "$hash" ]] || die "no block 1 hash from $rpc0"
  local cfg="$c/config/config.toml"
  set_toml "$cfg" statesync enable true
  set_toml "$cfg" statesync rpc_servers "\"$(rpc_addr 0),$(rpc_addr 1)\""
  set_toml "$cfg" statesync trust_height 1
  set_toml "$cfg" statesync trust_hash "\"$hash\""
  # On loopback every peer answers at once: CometBFT's shortest discovery wait will do.
  set_toml "$cfg" statesync discovery_time '"5s"'
  echo "$n"
  echo "node$n joins by state sync (trusting block 1, $hash); start it with:" \
    "$0 start --home $home --node $n" >&2
}

start() {
  local cometbft count
  cometbft="$("$root/testnet/install-cometbft.sh")"
  count=$(node_count)
  ((count > 0)) || die "no network in $home: run '$0 init' first"
  if [[ ${#nodes[@]} == 0 ]]; then
    for ((i = 0; i < count; i++)); do nodes+=("$i"); done
  fi
  local pids=() i
  stop() {
    trap - EXIT INT TERM
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  }
  trap stop EXIT
  trap 'exit 130' INT TERM
  for i in "${nodes[@]}"; do
    local dir="$home/node$i"
    [[ -d "$dir/cometbft" ]] || die "no node$i in $home"
    local before=0
    [[ -f "$dir/app.log" ]] && before=$(wc -l <"$dir/app.log")
    "$peerz" start --home "$dir" --abci "$(abci_addr "$i")" >>"$dir/app.log" 2>&1 &
    pids+=($!)
    local deadline=$((SECONDS + 120))
    # CometBFT gives up at once when its application does not answer: wait for peerz.
    until tail -n +$((before + 1)) "$dir/app.log" 2>/dev/null | grep -q "abci server started"; do
      kill -0 "${pids[-1]}" 2>/dev/null || die "peerz of node$i exited; see $dir/app.log"
      ((SECONDS < deadline)) || die "peerz of node$i did not start in 120 s; see $dir/app.log"
      sleep 0.2
    done
    "$cometbft" node --home "$dir/cometbft" >>"$dir/cometbft.log" 2>&1 &
    pids+=($!)
    echo "node$i rpc=http://$(rpc_addr "$i") logs=$dir/{app,cometbft}.log"
  done
  echo "started ${#nodes[@]} node(s); Ctrl-C stops them"
  # Run until stopped; a process that dies is reported, the others go on.
  while ((${#pids[@]} > 0)); do
    local done_pid status=0
    wait -n -p done_pid "${pids[@]}" || status=$?
    [[ -n "${done_pid:-}" ]] || break
    echo "process $done_pid exited (status $status)" >&2
    local left=()
    for p in "${pids[@]}"; do [[ $p == "$done_pid" ]] || left+=("$p"); done
    pids=(${left[@]+"${left[@]}"})
  done
}

case "$command" in
  init) init ;;
  add-node) add_node ;;
  start) start ;;
  run)
    [[ $reset == 1 || ! -d "$home/node0/cometbft" ]] && init
    start
    ;;
esac
