#!/usr/bin/env bash
# Builds CometBFT v0.38.17 (the version peerz's ABCI server and RPC match) with `go install`, once
# per machine, and prints the binary's path on stdout.
#
#   ./testnet/install-cometbft.sh            # prints e.g. /home/me/.cache/peerz/cometbft-v0.38.17/bin/cometbft
#   PEERZ_COMETBFT_CACHE=DIR ./testnet/install-cometbft.sh
#
# The binary lives in a per-machine cache directory ($PEERZ_COMETBFT_CACHE, else
# ${XDG_CACHE_HOME:-~/.cache}/peerz/cometbft-v0.38.17), so the second call (and every CI run after
# the first on a machine) only checks that it is there. Needs `go` (1.21 or newer; one older than
# CometBFT's go line fetches that toolchain from the module proxy) and the Go module proxy; the
# build takes about 80 s of CPU (two minutes on 2 cores). Concurrent callers wait on one lock.
set -euo pipefail

version=v0.38.17
cache="${PEERZ_COMETBFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/peerz/cometbft-$version}"
bin="$cache/bin/cometbft"

installed() {
  [[ -x "$bin" ]] && "$bin" version 2>/dev/null | grep -qx "${version#v}"
}

if installed; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || {
  echo "install-cometbft: 'go' is not on PATH; install Go 1.22+ (https://go.dev/dl/)" >&2
  exit 1
}
mkdir -p "$cache/bin"
exec 9>"$cache/.lock"
flock 9
if ! installed; then
  echo "install-cometbft: building cometbft $version with go install (once per machine)..." >&2
  start=$(date +%s)
  # GOFLAGS=-mod=mod: a GOFLAGS of the caller's (-mod=vendor, say) must not change this build.
  # An installed go older than the module's go line fetches that toolchain through the module
  # proxy (GOTOOLCHAIN=auto, go 1.21 and later).
  GOBIN="$cache/bin" GOFLAGS=-mod=mod \
    go install "github.com/cometbft/cometbft/cmd/cometbft@$version" >&2
  installed || { echo "install-cometbft: $bin does not report version ${version#v}" >&2; exit 1; }
  echo "install-cometbft: built in $(( $(date +%s) - start ))s: $bin" >&2
fi
echo "$bin"
