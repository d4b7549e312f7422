#!/usr/bin/env bash
# Regenerates ../resources/io/peerz/gpu/int8_gemm.ptx from int8_gemm.cu. Needs nvcc from CUDA 12
# or 13 (ptxas comes with it); CI has no CUDA toolkit, hence the committed PTX.
#
#   nvcc -ptx -arch=compute_75 -O3 int8_gemm.cu
#
# compute_75 (Turing) is the oldest virtual architecture nvcc 13 still emits, so the driver JITs
# the PTX for any GPU from sm_75 on, Ampere (A100, sm_80), Ada (sm_89), Hopper (H100 / H200,
# sm_90) and Blackwell included. nvcc stamps its own PTX ISA version (9.0 for CUDA 13, which a
# CUDA 12 driver refuses); the kernel uses only instructions of PTX ISA 6.3 and older (dp4a,
# prmt, ld.global.nc, ld/st.shared, bar.sync), so the stamp is lowered to 7.0, which every
# driver from CUDA 11.0 on (12.x and 13.x included) accepts. ptxas then checks that the lowered
# file still assembles for sm_75, sm_80 and sm_90.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../resources/io/peerz/gpu/int8_gemm.ptx"
isa=7.0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

nvcc -ptx -arch=compute_75 -O3 -o "$tmp/raw.ptx" "$here/int8_gemm.cu"
grep -qE '^\.version [0-9]+\.[0-9]+$' "$tmp/raw.ptx" || { echo "no .version line in nvcc's PTX" >&2; exit 1; }
{
  echo "// Generated from int8_gemm.cu by gpu-exec/src/main/cuda/regenerate-ptx.sh; do not edit."
  echo "// source sha256: $(sha256sum "$here/int8_gemm.cu" | cut -d' ' -f1)"
  echo "// nvcc -ptx -arch=compute_75 -O3, then .version lowered to $isa"
  sed -E "s/^\.version [0-9]+\.[0-9]+$/.version $isa/" "$tmp/raw.ptx"
} >"$tmp/int8_gemm.ptx"
for sm in sm_75 sm_80 sm_90; do
  ptxas -arch="$sm" -o /dev/null "$tmp/int8_gemm.ptx"
done
mv "$tmp/int8_gemm.ptx" "$out"
echo "wrote $out ($(grep -c 'dp4a.s32.s32' "$out") dp4a, .version $isa, assembles for sm_75, sm_80, sm_90)"
