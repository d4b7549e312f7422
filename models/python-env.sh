#!/usr/bin/env bash
# The project's one way to get its pinned Python packages (NumPy for the reference and the demos):
# installs a requirements file's packages (default: models/requirements.txt) into
# models/.python/<file name>/ and prints that folder, to be put on PYTHONPATH:
#
#   PYTHONPATH="$(models/python-env.sh)" python3 models/reference.py ...
#   py="$(models/python-env.sh --python)"; "$py" -c 'import numpy'   # a python3 that has them
#
# pip --target leaves the system's Python untouched (Debian marks it externally managed) and needs
# no venv module. It installs again only when the requirements file or the Python changes; a lock
# keeps two callers from installing into the same folder at once. Wheels only: a platform without
# a wheel fails here, clearly, instead of compiling NumPy.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python=0
if [[ "${1:-}" == "--python" ]]; then
  python=1
  shift
fi
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
if [[ ! -f "$dir/.installed" || "$(cat "$dir/.installed")" != "$want" ]]; then
  rm -rf "$dir"
  echo "python-env.sh: installing $req into $dir" >&2
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --disable-pip-version-check --no-input --quiet \
    --only-binary=:all: --target "$dir/lib" -r "$req" >&2
  mkdir -p "$dir/bin"
  cat >"$dir/bin/python3" <<WRAPPER
#!/bin/sh
PYTHONPATH="$dir/lib\${PYTHONPATH:+:\$PYTHONPATH}" exec "$(command -v python3)" "\$@"
WRAPPER
  chmod +x "$dir/bin/python3"
  echo "$want" >"$dir/.installed"
fi
if [[ $python == 1 ]]; then
  echo "$dir/bin/python3"
else
  echo "$dir/lib"
fi
