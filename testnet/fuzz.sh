#!/usr/bin/env bash
# Fuzzes peerz's Jazzer targets one at a time, for longer than CI does, and keeps what the fuzzer
# found as the committed corpus the tests replay, merged down to the inputs that reach distinct
# code (libFuzzer's -merge=1, through Jazzer's own driver).
#
#   testnet/fuzz.sh                       # every target, 5 minutes each
#   testnet/fuzz.sh --duration 30m RpcFuzzTest#anyPostBodyGetsAJsonRpcAnswer
#   testnet/fuzz.sh --merge-only          # only shrink the committed corpus
#   testnet/fuzz.sh --keep 64 ...         # commit up to 64 inputs a target (default 24)
#
# CI replays every committed input as a test case, so each target keeps at most --keep of the
# merged inputs, spread over their sizes; the whole merged corpus stays in <module>/.cifuzz-corpus
# (ignored by git) for the next long run to start from.
# A failing input is written by Jazzer into the target's inputs directory and the run fails: fix
# the bug, keep the input (it is then a regression test), commit both. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=5m
merge_only=false
keep_max=24
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --merge-only) merge_only=true; shift ;;
    --keep) keep_max="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done

# module:package:Class#method
all=(
  state-machine:io.peerz.state:TxFuzzTest#anyBytesDecodeCanonicallyOrAreRefusedWithAnAnteCode
  state-machine:io.peerz.state:TxFuzzTest#signedBodiesGetAnAnswerAndAnAcceptedOneIsCharged
  consensus-app:io.peerz.p2p:P2pFuzzTest#anyBytesFromAStrangerEndItsConnectionQuietly
  consensus-app:io.peerz.p2p:P2pFuzzTest#whateverAnAuthenticatedPeerSealsEndsInMessagesOrADrop
  consensus-app:io.peerz.p2p:P2pFuzzTest#packetsComeOutAsWholeMessagesWithinTheirCapsOrAsAViolation
  consensus-app:io.peerz.consensus:ReactorFuzzTest#aPeerMessageDecodesToAKindItsChannelCarriesOrIsReported
  consensus-app:io.peerz.abci:AbciFuzzTest#framesDoNotDependOnHowTheBytesWereSplitAndRequestsParseOrFail
  consensus-app:io.peerz.rpc:RpcFuzzTest#anyPostBodyGetsAJsonRpcAnswer
  consensus-app:io.peerz.rpc:RpcFuzzTest#anyUriArgumentsGetAJsonRpcAnswer
)
# As src/test/resources/junit-platform.properties: peerz's classes, not the generated protobuf ones.
protos="io.peerz.abci.proto.**:io.peerz.attest.proto.**:io.peerz.consensus.proto.**"
protos="$protos:io.peerz.ledger.proto.**:io.peerz.p2p.proto.**:io.peerz.state.proto.**"

# The test classpath of a module, with this checkout's classes first.
classpath() {
  local module="$1" deps
  deps="$(mktemp)"
  mvn -B -q dependency:build-classpath -pl "$module" -Dmdep.includeScope=test \
    -Dmdep.outputFile="$deps" >/dev/null
  local cp="$module/target/test-classes"
  for m in ledger compute-attestation state-machine genesis consensus-app; do
    cp="$cp:$m/target/classes"
  done
  echo "$cp:$(cat "$deps")"
  rm -f "$deps"
}

compiled=""
for entry in "${all[@]}"; do
  IFS=: read -r module package target <<<"$entry"
  if [[ ${#targets[@]} -gt 0 ]] && ! printf '%s\n' "${targets[@]}" | grep -qx "$target"; then
    continue
  fi
  class="${target%#*}"
  method="${target#*#}"
  found="$module/.cifuzz-corpus/$package.$class/$method"
  keep="$module/src/test/resources/${package//.//}/${class}Inputs/$method"
  mkdir -p "$keep" "$found"
  if [[ "$merge_only" == false ]]; then
    echo "fuzzing $target for $duration ($module)"
    JAZZER_FUZZ=1 mvn -B -q test -pl "$module" -am -Dtest="$target" \
      -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration="$duration" \
      -Dlogback.configurationFile=logback-fuzz.xml
  elif [[ "$compiled" != *" $module "* ]]; then
    mvn -B -q test-compile -pl "$module" -am
    compiled="$compiled $module "
  fi
  merged="$(mktemp -d)"
  java -cp "$(classpath "$module")" -Dlogback.configurationFile=logback-fuzz.xml \
    com.code_intelligence.jazzer.Jazzer --target_class="$package.$class" --target_method="$method" \
    --instrumentation_includes='io.peerz.**' --instrumentation_excludes="$protos" \
    -merge=1 "$merged" "$keep" "$found" >"$merged.log" 2>&1 \
    || { tail -20 "$merged.log"; exit 1; }
  rm -rf "$keep" "$found"
  mkdir -p "$keep" "$found"
  cp "$merged"/* "$found"/ 2>/dev/null || true
  # Up to keep_max of them, spread from the smallest to the largest.
  mapfile -t by_size < <(ls -Sr "$merged")
  n=${#by_size[@]}
  for ((i = 0; i < n && i < keep_max; i++)); do
    cp "$merged/${by_size[$((n <= keep_max ? i : i * n / keep_max))]}" "$keep"/
  done
  rm -rf "$merged" "$merged.log"
  echo "  corpus: $(ls "$found" | wc -l) inputs in $found, $(ls "$keep" | wc -l) committed in $keep"
done
