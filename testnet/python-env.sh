#!/usr/bin/env bash
# Prints a python3 that can import NumPy: the system's when it can, else a virtual environment
# under .venv-demo/ (next to this checkout) with testnet/requirements.txt installed by pip.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if python3 -c 'import numpy' >/dev/null 2>&1; then
  command -v python3
  exit 0
fi
venv="$root/.venv-demo"
if ! "$venv/bin/python" -c 'import numpy' >/dev/null 2>&1; then
  echo "NumPy is missing: installing testnet/requirements.txt into $venv" >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$root/testnet/requirements.txt" >&2
fi
echo "$venv/bin/python"
