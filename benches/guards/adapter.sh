#!/usr/bin/env bash
# Guards the axum adapter's own cost (issue 36): a signed Wakilni delivery through a route
# whose handler takes the crate's `Webhook<wakilni::Verifier>` extractor, against a by-hand
# handler taking `HeaderMap` and `Bytes` and calling the same `Verifier::receive` (verify, then
# parse), both driven in process through the axum `Router` (`oneshot`, no sockets). The
# extractor's instructions per request may be at most MAX_RATIO (1.02) times the by-hand
# handler's: what the extractor adds beyond verify and parse (the size and head checks before
# the body, the body read under its limit and deadline, the request view) must stay small.
#
# Usage: bash benches/guards/adapter.sh   (needs valgrind; N requests each, default 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/guards/lib.sh
# The target; CI may hold it at a measured ratio (ADAPTER_MAX_RATIO) while the target is missed.
MAX_RATIO=${ADAPTER_MAX_RATIO:-1.02}
N=${N:-10}
declare -A count=()
while read -r name n; do count[$name]=$n; done < <(counts adapter "$N")
extractor=$(( (count[extractor] - count[empty]) / N ))
by_hand=$(( (count[by_hand] - count[empty]) / N ))
ratio=$(awk "BEGIN { printf \"%.3f\", $extractor / $by_hand }")
printf '| path | instructions per request |\n|---|---:|\n'
printf '| `Webhook<wakilni::Verifier>` extractor | %d |\n| by hand (`HeaderMap`, `Bytes`, `receive`) | %d |\n' "$extractor" "$by_hand"
printf '| ratio | %s (bound %s) |\n' "$ratio" "$MAX_RATIO"
# For scale, no bound: the bare handler (headers and body taken, nothing checked).
bare=$(( (count[bare] - count[empty]) / N ))
printf '| bare handler, for scale | %d (extractor / bare %s) |\n' "$bare" "$(awk "BEGIN { printf \"%.3f\", $extractor / $bare }")"
awk "BEGIN { exit !($extractor > $MAX_RATIO * $by_hand) }" && exit 1
exit 0
