#!/usr/bin/env bash
# The whole GPU check in one run (a few minutes on an H200), from the GPU run kit (see
# build-gpu-kit.sh beside this file), printing every figure for docs/BENCHMARKS.md:
#   1. nvidia-smi, and ptxas's register and spill report of the kit's PTX for this GPU (when a
#      CUDA toolkit is there: /usr/local/cuda/bin or PATH);
#   2. io.peerz.gpu.GpuBenchMain: the device and the int8 kernel it gets (the tensor-core kernel
#      from sm_80, with the reason when it falls back to dp4a), correctness at square and ragged
#      shapes against the CPU byte for byte (the device's kernel and dp4a), the seeded job's root,
#      the fp32 kernel against its tolerance, TOPS kernel-only and with transfers at n = 1024 to
#      16384 for both kernels, the seeded job from seed to root, and the CPU backend;
#   3. torch._int_mm (cuBLASLt INT8) at the same sizes, with PyTorch from PEERZ_TORCH_PYTHON
#      (default /opt/torch/.venv/bin/python3), when it is there.
# Each part runs even when an earlier one fails; the exit status is GpuBenchMain's (0 when every
# check passed; see GpuBenchMain). Arguments go to GpuBenchMain (--require-gpu, --gpu-sizes,
# --seeded-sizes, --shapes, --check, --cpu-sizes, --repeats, --backend). Needs nothing but the
# kit: no JDK, no Maven, no network.
set -uo pipefail

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
sm=""
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv || true
  sm="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')"
fi

ptxas_bin="$(command -v ptxas || true)"
[[ -z "$ptxas_bin" && -x /usr/local/cuda/bin/ptxas ]] && ptxas_bin=/usr/local/cuda/bin/ptxas
if [[ -n "$ptxas_bin" && -n "$sm" && -d "$kit/ptx" ]]; then
  echo
  echo "## ptxas -v for sm_$sm ($("$ptxas_bin" --version | tail -1))"
  echo
  for f in "$kit"/ptx/*.ptx; do
    echo "$(basename "$f"):"
    "$ptxas_bin" -v -arch="sm_$sm" -o /dev/null "$f" 2>&1 | grep -E "Compiling|registers|spill|error" | sed 's/^ptxas info *: /  /' || true
  done
else
  echo "(no ptxas or no GPU: skipping the register report)"
fi

# JCuda unpacks its JNI library into java.io.tmpdir; keep it private to this run.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
timeout "${PEERZ_BENCH_TIMEOUT:-420}" "$kit/jre/bin/java" -Djava.io.tmpdir="$tmp" -cp "$kit/lib/*" \
  io.peerz.gpu.GpuBenchMain "$@"
code=$?
[[ $code == 124 ]] && echo "GpuBenchMain ran past ${PEERZ_BENCH_TIMEOUT:-420} s and was stopped"

torch_python="${PEERZ_TORCH_PYTHON:-/opt/torch/.venv/bin/python3}"
if [[ -x "$torch_python" ]]; then
  timeout 120 "$torch_python" "$here/torch-int-mm.py" --sizes "${PEERZ_TORCH_SIZES:-1024,2048,4096,8192,16384}" ||
    echo "torch._int_mm reference failed (exit $?)"
else
  echo
  echo "(no PyTorch at $torch_python: no torch._int_mm reference)"
fi
exit "$code"
