# Shared by the instruction-count guards (sourced, not run): builds the `guards` program
# (benches/guards/main.rs; `-p`: the library alone, so the CLI's features, `tracing` and `metrics`
# among them, are not unified into it) and counts the instructions of each of its segments.
command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)"; exit 2; }
cargo build --release -q -p delivery-webhooks --bench guards --features axum
guards=$(ls -t target/release/deps/guards-* | grep -v '\.d$' | head -n 1)

# `counts ARGS...`: runs `guards ARGS...` under callgrind, collecting only inside `segment`
# and dumping after each call; prints one line per segment: its name (the program's stdout
# line) and its instruction count.
counts() {
  local dir
  dir=$(mktemp -d)
  valgrind --tool=callgrind --collect-atstart=no --toggle-collect='guards::segment' \
    --dump-after='guards::segment' --dump-instr=no --callgrind-out-file="$dir/cg" \
    "$guards" "$@" >"$dir/names" 2>"$dir/log" || { cat "$dir/log" >&2; rm -rf "$dir"; return 1; }
  local i=0 name
  while IFS= read -r name; do
    i=$((i + 1))
    printf '%s %s\n' "$name" "$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$dir/cg.$i" | head -n 1)"
  done <"$dir/names"
  rm -rf "$dir"
}
