#!/usr/bin/env bash
# Evidence that no body costs much more work per byte than a plain JSON parse (issue 33,
# finding 5): for each hostile shape of `benches/common/mod.rs::hostile` (the costliest found per
# provider), count the instructions (valgrind's callgrind: counts, not seconds) of one parse of
# a 1 MiB body with the crate and into `serde_json::Value`, and the ratio. A shape the crate
# refuses counts the work done until it is refused. Exits 1 when a ratio passes MAX_RATIO.
#
# Usage: bash benches/work/run.sh [shape...]   (needs valgrind; prints a table)
# HOSTILE_BYTES sets the body size (1 MiB by default, as docs/security.md's table); CI passes
# 256 KiB, where every shape reads alike per byte and a quadratic one still stands out by far.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)"; exit 2; }
# The crate's work per byte may be at most this many times serde_json's (`Value`) on the same bytes.
MAX_RATIO=3
cargo build --release -q --bench instructions
bench=$(ls -t target/release/deps/instructions-* | grep -v '\.d$' | head -n 1)

total() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" "hostile/$1" "$2" "$3" 2>&1 >/dev/null \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

shapes=("$@")
if [ ${#shapes[@]} -eq 0 ]; then
  shapes=(peddler_empty_langs peddler_null_langs peddler_half_langs isendu_empty_orders
    isendu_empty_trackings isendu_empty_steps isendu_empty_items isendu_order_extras
    isendu_order_nested_extras skladon_empty_files skladon_empty_lines skladon_order_extras
    skladon_tracking_numbers wakilni_unknown_object wakilni_known_extra xoxoday_extra_object)
fi
status=0
size=${HOSTILE_BYTES:-1048576}
export HOSTILE_BYTES=$size
printf '| shape (%s bytes) | crate, instructions per byte | Value, instructions per byte | ratio |\n|---|---|---|---|\n' "$size"
for shape in "${shapes[@]}"; do
  # Building the body is counted in all three runs; one parse is the difference.
  base=$(total "$shape" crate 0)
  crate=$(( $(total "$shape" crate 1) - base ))
  value=$(( $(total "$shape" value 1) - base ))
  ratio=$(awk "BEGIN { printf \"%.2f\", $crate / $value }")
  printf '| %s | %d | %d | %s |\n' "$shape" $((crate / size)) $((value / size)) "$ratio"
  awk "BEGIN { exit !($crate > $MAX_RATIO * $value) }" && status=1
done
exit "$status"
