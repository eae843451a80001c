#!/usr/bin/env bash
# Evidence that every credential comparison is constant time: for each check, count the
# instructions (valgrind's callgrind: counts, not seconds, so the result does not depend on the
# machine's load) that one check takes on a value wrong at its first byte and on one wrong at
# its last byte. An early-exit comparison takes more instructions the later the difference; a
# constant-time one takes the same number. One check's cost is (count at 1000 rounds - count at
# 500 rounds) / 500, which cancels start-up and set-up.
#
# Usage: bash benches/constant_time/run.sh   (needs valgrind; prints a table, exits 1 on a leak)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)"; exit 2; }
cargo build --release -q --bench constant_time_probe
probe=$(ls -t target/release/deps/constant_time_probe-* | grep -v '\.d$' | head -n 1)

total() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$probe" "$1" "$2" "$3" 2>&1 >/dev/null \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

# Instructions of one check (the four-digit round counts keep the command lines one length).
count() {
  local small large
  small=$(total "$1" "$2" 0500)
  large=$(total "$1" "$2" 1000)
  echo $(((large - small) / 500))
}

status=0
printf '| check | instructions per check, wrong first byte | wrong last byte | difference | right value |\n|---|---|---|---|---|\n'
for check in wakilni peddler xoxoday isendu-key-id isendu-url skladon; do
  first=$(count "$check" head)
  last=$(count "$check" tail)
  right=$(count "$check" good)
  diff=$((first - last))
  printf '| %s | %s | %s | %s | %s |\n' "$check" "$first" "$last" "$diff" "$right"
  [ "$diff" -eq 0 ] || status=1
done
exit "$status"
