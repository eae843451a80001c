#!/usr/bin/env bash
# Guards the signature check's cost (issue 36): Wakilni's `Verifier::verify` (header lookup,
# base64 decode, HMAC-SHA256, constant-time compare) against HMAC-SHA256 of the same bytes with
# `hmac` and `sha2` directly, at 4 KiB, 64 KiB and 1 MiB. Its instructions may be at most
# MAX_RATIO (1.05) times the raw HMAC's at every size: the check adds a constant, never work per
# byte (a second pass over the body, a copy).
#
# Usage: bash benches/guards/verify.sh   (needs valgrind; N checks per size, default 1)
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/guards/lib.sh
MAX_RATIO=1.05
N=${N:-1}
declare -A count=()
sizes=()
while read -r size kind n; do
  count[$size/$kind]=$n
  [ "$kind" = empty ] && sizes+=("$size")
done < <(counts verify "$N")
status=0
printf '| body | raw HMAC, instructions | crate verify, instructions | ratio | bound %s |\n|---:|---:|---:|---:|---|\n' "$MAX_RATIO"
for size in "${sizes[@]}"; do
  h=$(( (count[$size/hmac] - count[$size/empty]) / N ))
  c=$(( (count[$size/crate] - count[$size/empty]) / N ))
  ratio=$(awk "BEGIN { printf \"%.4f\", $c / $h }")
  verdict=met
  if awk "BEGIN { exit !($c > $MAX_RATIO * $h) }"; then verdict="**over**"; status=1; fi
  printf '| %d B | %d | %d | %s | %s |\n' "$size" "$h" "$c" "$ratio" "$verdict"
done
exit "$status"
