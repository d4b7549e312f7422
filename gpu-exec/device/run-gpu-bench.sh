#!/usr/bin/env bash
# Runs io.peerz.gpu.GpuBenchMain from the GPU run kit (see build-gpu-kit.sh beside this file):
# the device (name, VRAM, compute capability, driver), the CUDA product checked against the CPU
# byte for byte at n = 256 and 1024, GPU TOPS at n = 1024, 2048, 4096 (kernel alone and with
# transfers) and the CPU backend's time on the same jobs, as Markdown tables for
# docs/BENCHMARKS.md. Without a GPU it prints "no GPU, CPU backend" and the CPU figures.
# Arguments go to GpuBenchMain (--require-gpu, --gpu-sizes, --cpu-sizes, --check, --repeats,
# --backend). Needs nothing but the kit: no JDK, no Maven, no network.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kit="${PEERZ_GPU_KIT:-}"
if [[ -z "$kit" ]]; then
  if [[ -x "$here/jre/bin/java" ]]; then
    kit="$here" # run from inside a copied kit
  else
    kit="$here/../target/gpu-kit" # run from the checkout
  fi
fi
if [[ ! -x "$kit/jre/bin/java" || ! -d "$kit/lib" ]]; then
  echo "no GPU run kit at $kit: build it with gpu-exec/device/build-gpu-kit.sh" >&2
  exit 2
fi
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
fi
# JCuda unpacks its JNI library into java.io.tmpdir; keep it private to this run.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
exec "$kit/jre/bin/java" -Djava.io.tmpdir="$tmp" -cp "$kit/lib/*" io.peerz.gpu.GpuBenchMain "$@"
