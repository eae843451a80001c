#!/usr/bin/env bash
# The three instruction-count guards of issue 36, as CI runs them: the typed parse against
# `serde_json::Value` per fixture (known misses held at their ceilings), the axum extractor
# against a by-hand handler (held at its measured ratio), Wakilni's verify against raw
# HMAC-SHA256. Exits 1 if any fails. About 1.5 minutes on a loaded 2-core machine.
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
echo "parse (crate / Value, per fixture):"
KNOWN_MISSES=benches/guards/parse-misses.txt bash benches/guards/parse.sh || status=1
echo; echo "adapter (extractor / by hand, per request):"
# The target is 1.02; held at 1.06 (measured 1.046) while it is missed: docs/performance.md,
# "Framework adapter". Lower it as the gap closes; never raise it.
ADAPTER_MAX_RATIO=${ADAPTER_MAX_RATIO:-1.06} bash benches/guards/adapter.sh || status=1
echo; echo "verify (crate / raw HMAC):"
bash benches/guards/verify.sh || status=1
exit "$status"
