#!/usr/bin/env bash
# Runs the given fuzz targets at once, each for 610 s, logging to logs/<target>.log with wall time.
set -u
cd "$(dirname "$0")"
mkdir -p logs
for t in "$@"; do
  mkdir -p "corpus/$t"
  (
    start=$(date +%s)
    nice -n 10 cargo +nightly fuzz run "$t" -- -max_total_time=610 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 >"logs/$t.log" 2>&1
    rc=$?
    end=$(date +%s)
    echo "wall_seconds=$((end - start)) exit=$rc corpus_files=$(ls "corpus/$t" | wc -l)" >>"logs/$t.log"
  ) &
done
wait
