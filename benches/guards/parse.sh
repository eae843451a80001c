#!/usr/bin/env bash
# Guards the typed parse's work (issue 36): for every entity fixture of every provider
# (fixtures/<provider>/; Skladon's webhook of an unknown type is kept raw, not parsed), the
# instructions of the crate's parse over those of `serde_json::Value` on the same bytes must be
# at most MAX_RATIO (0.6). Counted by callgrind, so the machine's load does not move them.
#
# Usage: bash benches/guards/parse.sh [provider...]   (needs valgrind; prints a table)
# N parses per fixture (default 10; the counts are exact, so a few suffice).
#
# KNOWN_MISSES (a file of `provider/fixture ceiling` lines, `#` comments) names fixtures still
# over MAX_RATIO, each held at its own ceiling instead: CI passes benches/guards/parse-misses.txt,
# so that no fixture gets worse while the misses are worked off. Without it every fixture is
# held at MAX_RATIO.
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/guards/lib.sh
MAX_RATIO=0.6
N=${N:-10}
providers=("$@")
[ ${#providers[@]} -eq 0 ] && providers=(wakilni peddler xoxoday isendu skladon)
ceiling_of() {
  local bound=$MAX_RATIO
  if [ -n "${KNOWN_MISSES:-}" ]; then
    local known
    known=$(sed 's/#.*//' "$KNOWN_MISSES" | awk -v k="$1" '$1 == k { print $2 }')
    [ -n "$known" ] && bound=$known
  fi
  echo "$bound"
}
status=0
printf '| fixture | crate, instructions | `Value`, instructions | ratio | bound | plain derive, instructions | crate / plain |\n|---|---:|---:|---:|---|---:|---:|\n'
for provider in "${providers[@]}"; do
  declare -A crate=() value=() empty=() plain=()
  names=()
  while read -r name kind count; do
    case $kind in
      empty) empty[$name]=$count; names+=("$name") ;;
      crate) crate[$name]=$count ;;
      value) value[$name]=$count ;;
      plain) plain[$name]=$count ;;
    esac
  done < <(counts parse "$provider" "$N")
  for name in "${names[@]}"; do
    c=$(( (crate[$name] - empty[$name]) / N ))
    v=$(( (value[$name] - empty[$name]) / N ))
    ratio=$(awk "BEGIN { printf \"%.3f\", $c / $v }")
    bound=$(ceiling_of "$provider/$name")
    verdict=met
    if awk "BEGIN { exit !($c > $bound * $v) }"; then verdict="**over**"; status=1; fi
    if [ "$bound" != "$MAX_RATIO" ]; then
      [ "$verdict" = met ] && verdict="missed, held at its ceiling $bound" || verdict="**over its ceiling $bound**"
    fi
    # The plain derive (benches/common/plain.rs), for reference: no bound.
    p=- vs_plain=-
    if [ -n "${plain[$name]:-}" ]; then
      p=$(( (plain[$name] - empty[$name]) / N ))
      vs_plain=$(awk "BEGIN { printf \"%.3f\", $c / $p }")
    fi
    printf '| %s/%s | %d | %d | %s | %s | %s | %s |\n' "$provider" "$name" "$c" "$v" "$ratio" "$verdict" "$p" "$vs_plain"
  done
  unset crate value empty plain
done
exit "$status"
