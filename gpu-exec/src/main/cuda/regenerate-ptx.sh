#!/usr/bin/env bash
# Regenerates the committed PTX in ../resources/io/peerz/gpu/ from the CUDA sources beside this
# script, or with --check regenerates into a temporary folder and fails unless the committed files
# are exactly what the committed sources give. Either way ptxas then assembles every PTX for the
# GPUs it serves (sm_75 / sm_80 / sm_90), which catches an instruction the target or the lowered
# PTX ISA version does not have.
#
#   nvcc -ptx -arch=compute_75 -O3 int8_gemm.cu      # dp4a kernel, GPUs without int8 tensor cores
#   nvcc -ptx -arch=compute_75 -O3 fp32_gemm.cu      # the fp32-gemm kernel
#   nvcc -ptx -arch=compute_75 -O3 seeded_job.cu     # seeded inputs and the output's Merkle root
#   nvcc -ptx -arch=compute_75 -O3 requantize.cu     # an mlp-int8 layer's bias and requantization
#   nvcc -ptx -arch=compute_80 -O3 int8_gemm_mma.cu  # tensor-core int8 kernel, sm_80 and newer
#
# The compiler is nvcc on PATH, else the pinned one from PyPI (requirements-nvcc.txt), which this
# script installs into gpu-exec/target/nvcc (about 100 MB to download; no GPU, no driver). The
# PTX carries nvcc's version, so only CUDA 13.0.88 reproduces the committed files byte for byte;
# --check says so when another nvcc is found first. nvcc 13 stamps PTX ISA 9.0, which only CUDA 13
# drivers read: the kernels use nothing newer than PTX ISA 7.0 (cp.async, mma.m16n8k32 and
# ldmatrix need 7.0, sm_80 for the first two), so the stamp is lowered to 7.0, which every driver
# from CUDA 11.0 on accepts; ptxas confirms the lowered files assemble. compute_75 is the oldest
# target nvcc 13 emits; a driver JIT-compiles PTX for any newer GPU. Each PTX records the SHA-256
# of the sources it came from, which KernelPtxTest checks.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../resources/io/peerz/gpu"
root="$(cd "$here/../../../.." && pwd)"
isa=7.0
check=0
[[ "${1:-}" == "--check" ]] && check=1

if ! command -v nvcc >/dev/null 2>&1; then
  venv="$root/gpu-exec/target/nvcc"
  bin="$venv/lib/python3*/site-packages/nvidia/cu13/bin"
  # shellcheck disable=SC2086
  if ! ls $bin/nvcc >/dev/null 2>&1; then
    echo "installing the pinned nvcc into $venv (requirements-nvcc.txt)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-nvcc.txt"
  fi
  # shellcheck disable=SC2086
  PATH="$(cd $bin && pwd):$PATH"
fi
nvcc_version="$(nvcc --version | grep -o 'V[0-9.]*' | head -1)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# source arch ptxas-targets
kernels=(
  "int8_gemm.cu compute_75 sm_75,sm_80,sm_90"
  "fp32_gemm.cu compute_75 sm_75,sm_80,sm_90"
  "seeded_job.cu compute_75 sm_75,sm_80,sm_90"
  "requantize.cu compute_75 sm_75,sm_80,sm_90"
  "int8_gemm_mma.cu compute_80 sm_80,sm_90"
)
failed=0
for entry in "${kernels[@]}"; do
  read -r source arch targets <<<"$entry"
  name="${source%.cu}.ptx"
  (cd "$here" && nvcc -ptx -arch="$arch" -O3 -o "$tmp/raw-$name" "$source")
  grep -qE '^\.version [0-9]+\.[0-9]+$' "$tmp/raw-$name" || { echo "no .version line in nvcc's $name" >&2; exit 1; }
  {
    echo "// Generated from $source by gpu-exec/src/main/cuda/regenerate-ptx.sh; do not edit."
    for f in "$source" $(grep -oE '^#include "[^"]+"' "$here/$source" | cut -d'"' -f2); do
      echo "// source sha256: $f $(sha256sum "$here/$f" | cut -d' ' -f1)"
    done
    echo "// nvcc -ptx -arch=$arch -O3, then .version lowered to $isa"
    sed -E "s/^\.version [0-9]+\.[0-9]+$/.version $isa/" "$tmp/raw-$name"
  } >"$tmp/$name"
  for sm in ${targets//,/ }; do
    ptxas -arch="$sm" -o /dev/null "$tmp/$name"
  done
  if ((check)); then
    if ! cmp -s "$tmp/$name" "$out/$name"; then
      echo "$name differs from what $source gives with nvcc $nvcc_version (run regenerate-ptx.sh with nvcc V13.0.88):" >&2
      diff "$out/$name" "$tmp/$name" | head -20 >&2 || true
      failed=1
    else
      echo "$name: equals what $source gives; assembles for $targets"
    fi
  else
    cp "$tmp/$name" "$out/$name"
    echo "wrote $name (.version $isa, assembles for $targets)"
  fi
done
exit "$failed"
