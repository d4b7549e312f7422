#!/usr/bin/env bash
# Installs the pinned packages of a requirements file (default: models/requirements.txt) into
# models/.python/<file name>/ and prints that folder, to be put on PYTHONPATH:
#
#   PYTHONPATH="$(models/python-env.sh)" python3 models/reference.py ...
#
# pip --target leaves the system's Python untouched (Debian marks it externally managed) and needs
# no venv module. It installs again only when the requirements file changes; a lock keeps two
# callers from installing into the same folder at once. Wheels only: a platform without a wheel
# fails here, clearly, instead of compiling NumPy.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
req="$(cd "$(dirname "${1:-$here/requirements.txt}")" && pwd)/$(basename "${1:-requirements.txt}")"
if [[ ! -f "$req" ]]; then
  echo "python-env.sh: no requirements file $req" >&2
  exit 2
fi
if ! command -v python3 >/dev/null; then
  echo "python-env.sh: python3 is not installed (the NumPy reference needs Python 3.10 or later)" >&2
  exit 2
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
  echo "python-env.sh: python3 has no pip (Debian: apt-get install python3-pip)" >&2
  exit 2
fi
name="$(basename "$req" .txt)"
dir="$here/.python/$name"
want="$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()+sys.version.encode()).hexdigest())' "$req")"
mkdir -p "$here/.python"
exec 9>"$here/.python/.lock"
flock 9
if [[ -f "$dir/.installed" && "$(cat "$dir/.installed")" == "$want" ]]; then
  echo "$dir"
  exit 0
fi
rm -rf "$dir"
PIP_ROOT_USER_ACTION=ignore python3 -m pip install --disable-pip-version-check --no-input --quiet --only-binary=:all: \
  --target "$dir" -r "$req" >&2
echo "$want" >"$dir/.installed"
echo "$dir"
