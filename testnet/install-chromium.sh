#!/usr/bin/env bash
# Installs Debian's chromium (the browser ExplorerIT drives through playwright-core) when
# /usr/bin/chromium is missing, and prints its path on stdout. CI runs as root on Debian: apt-get
# works as it is. Once per machine (about a minute and ~300 MB from Debian's mirror); later calls
# only check that the binary is there. Concurrent callers wait on one lock.
#
#   ./testnet/install-chromium.sh            # prints /usr/bin/chromium
set -euo pipefail

bin=/usr/bin/chromium

if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi
command -v apt-get >/dev/null || {
  echo "install-chromium: no $bin and no apt-get; install Chromium so that $bin exists" >&2
  exit 1
}
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || {
    echo "install-chromium: apt-get needs root; run as root or install sudo" >&2
    exit 1
  }
  sudo=(sudo)
fi
exec 9>/tmp/peerz-install-chromium.lock
flock 9
if [[ ! -x "$bin" ]]; then
  echo "install-chromium: installing Debian's chromium with apt-get (once per machine)..." >&2
  start=$(date +%s)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
  echo "install-chromium: installed in $(($(date +%s) - start)) s" >&2
fi
[[ -x "$bin" ]] || {
  echo "install-chromium: apt-get finished but $bin is missing" >&2
  exit 1
}
echo "$bin"
