#!/usr/bin/env bash
# The prepared device check for a machine with a GPU. It lists the Vulkan
# devices and runs the Vulkan test suites when their binaries are present.
# Then it benchmarks F16, Q8_0, Q4_0 and Q4_K_M models of the 1B shape on
# the first hardware GPU. The output also goes to $OUT/gpu-check.log (or
# ./gpu-check.log), for docs/benchmarks.md.
#
# usage: scripts/gpu-check.sh BUILD_DIR
#   BUILD_DIR contains app/cli/quanta-cli and, optionally, tests/engine_test_vulkan_*.
set -uo pipefail

build="${1:?usage: scripts/gpu-check.sh BUILD_DIR}"
cli="$build/app/cli/quanta-cli"
log="${OUT:-.}/gpu-check.log"
models="${TMPDIR:-/tmp}/quanta-gpu-check"
mkdir -p "$models"

{
  echo "== $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null || true
  "$cli" devices

  for suite in "$build"/tests/engine_test_vulkan_*; do
    [ -x "$suite" ] || continue
    echo "== $(basename "$suite")"
    "$suite" -silent || echo "FAILED: $suite"
  done

  # Q4_K_M needs the quantize command: synthesize F16, then quantize.
  "$cli" synth -o "$models/synth-1b-F16.gguf" --type F16 >/dev/null
  for type in Q8_0 Q4_0; do
    "$cli" synth -o "$models/synth-1b-$type.gguf" --type "$type" >/dev/null
  done
  "$cli" quantize "$models/synth-1b-F16.gguf" "$models/synth-1b-Q4_K_M.gguf" Q4_K_M >/dev/null
  for type in F16 Q8_0 Q4_0 Q4_K_M; do
    echo "== bench $type"
    "$cli" bench -m "$models/synth-1b-$type.gguf" -r 3 --device auto
  done
} 2>&1 | tee "$log"
