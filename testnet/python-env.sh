#!/usr/bin/env bash
# Prints a python3 that can import NumPy (the pinned models/requirements.txt, installed once by
# models/python-env.sh, the project's one installer of Python packages).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$root/models/python-env.sh" --python
