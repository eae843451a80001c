#!/usr/bin/env bash
# Runs every criterion benchmark, then rewrites docs/performance.md from the results. The
# sections measured by other benches (the framework adapter, the inbox), from
# "## Framework adapter" on, are kept as they are: update them by hand from their own runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench verify --bench parse --bench receive -- --warm-up-time 1 --measurement-time 3
kept=$(sed -n '/^## Framework adapter/,$p' docs/performance.md)
python3 benches/report.py > docs/performance.md.new
if [ -n "$kept" ]; then
  printf '\n%s\n' "$kept" >> docs/performance.md.new
fi
mv docs/performance.md.new docs/performance.md
echo "wrote docs/performance.md"
