#!/usr/bin/env bash
# Builds kernel-on-cpu.cpp (int8_gemm.cu's kernel emulated with one CPU thread per CUDA thread)
# and runs it: exit 0 when the kernel equals a plain triple loop at n = 128, 256, 384 on random
# and extreme inputs. Needs g++ 11 or newer; no GPU, no CUDA toolkit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
g++ -std=c++20 -O2 -pthread -Wall -Wno-unknown-pragmas -x c++ "$here/kernel-on-cpu.cpp" -o "$tmp/kernel-on-cpu"
"$tmp/kernel-on-cpu"
