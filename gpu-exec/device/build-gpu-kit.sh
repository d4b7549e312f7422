#!/usr/bin/env bash
# Builds gpu-exec/target/gpu-kit/: a jlink'd Java runtime (from the JDK 17 that runs this), the
# jars GpuBenchMain needs (gpu-exec, compute-attestation, ledger, protobuf, slf4j, JCuda and its
# linux-x86_64 natives), the PTX files, run-gpu-bench.sh and torch-int-mm.py, to carry to a GPU machine that has no JDK, no Maven
# and no network. Run from anywhere in the checkout:
#
#   gpu-exec/device/build-gpu-kit.sh
#
# then, on the GPU machine, from the checkout (or from a copy of the kit folder alone):
#
#   bash gpu-exec/device/run-gpu-bench.sh        # or: gpu-kit/run-gpu-bench.sh
#
# Maven runs offline when MAVEN_OFFLINE=1 (-o), else as configured.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
kit="$root/gpu-exec/target/gpu-kit"
offline=()
[[ "${MAVEN_OFFLINE:-}" == 1 ]] && offline=(-o)

rm -rf "$kit"
(cd "$root" && mvn -B -q ${offline[@]+"${offline[@]}"} -pl gpu-exec -am -Pgpu-kit package -DskipTests)
cp "$root"/gpu-exec/target/peerz-gpu-exec-*.jar "$kit/lib/"

# java.logging: JCuda logs through java.util.logging; jdk.unsupported: protobuf's fast paths.
jlink --add-modules java.base,java.logging,jdk.unsupported \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$kit/jre"
cp "$here/run-gpu-bench.sh" "$here/torch-int-mm.py" "$kit/"
# The PTX as a file too, for run-gpu-bench.sh's ptxas register report on the GPU machine.
mkdir -p "$kit/ptx"
cp "$root"/gpu-exec/src/main/resources/io/peerz/gpu/*.ptx "$kit/ptx/"

size_kib="$(du -sk "$kit" | cut -f1)"
echo "built $kit: $((size_kib / 1024)) MiB ($(ls "$kit/lib" | wc -l) jars, jre $(du -sh "$kit/jre" | cut -f1))"
if ((size_kib > 60 * 1024)); then
  echo "the kit is over 60 MiB: too large to carry" >&2
  exit 1
fi
