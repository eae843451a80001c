#!/usr/bin/env bash
# Runs every benchmark, then rewrites docs/performance.md from the results.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench verify --bench parse --bench receive
python3 benches/report.py > docs/performance.md
echo "wrote docs/performance.md"
