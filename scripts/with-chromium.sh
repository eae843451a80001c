#!/usr/bin/env bash
# Runs a command beside a throwaway chromedriver: Debian's `chromium` driven over WebDriver,
# listening on 127.0.0.1 at a free port, stopped when the command ends (whatever its outcome).
#
#   scripts/with-chromium.sh cargo test --all-features --test console_browser
#   scripts/with-postgres.sh scripts/with-chromium.sh cargo test --all-features   # CI, README
#
# The command sees:
#   DELIVERY_WEBHOOKS_TEST_WEBDRIVER_URL  http://127.0.0.1:<port>
#   DELIVERY_WEBHOOKS_TEST_CHROMIUM       /usr/bin/chromium (the browser the tests ask for)
#
# Needs Debian's `chromium` and `chromium-driver` packages: installed with apt-get when missing
# and running as root. Not root and missing: the command runs without the variables above, so
# the browser tests print a notice and pass (unless DELIVERY_WEBHOOKS_REQUIRE_BROWSER=1, as in
# CI, makes that a failure).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

chromium=/usr/bin/chromium
have_browser() { [ -x "$chromium" ] && command -v chromedriver >/dev/null 2>&1; }

if ! have_browser; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "with-chromium: installing Chromium (apt-get install chromium chromium-driver)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
    have_browser || { echo "with-chromium: chromium or chromedriver not found after install" >&2; exit 1; }
  else
    echo "with-chromium: SKIPPING the browser: Debian's chromium and chromium-driver are not installed" \
      "and this is not root (apt-get install chromium chromium-driver); running the command without it" >&2
    exec "$@"
  fi
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/delivery-webhooks-chromium.XXXXXX")"

# A free port: one nothing answers on.
port=""
for _ in $(seq 1 50); do
  candidate=$(( (RANDOM % 20000) + 30000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port="$candidate"
    break
  fi
done
[ -n "$port" ] || { echo "with-chromium: no free port found" >&2; exit 1; }

driver_pid=""
cleanup() {
  if [ -n "$driver_pid" ]; then
    # A browser a failed test left open is chromedriver's child: stopped first, by its parent id.
    pkill -TERM -P "$driver_pid" 2>/dev/null || true
    kill "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# chromedriver listens on loopback only unless told otherwise (--allowed-ips is not given).
chromedriver --port="$port" --log-path="$tmp/chromedriver.log" >/dev/null 2>&1 &
driver_pid=$!

# Ready when `/status` answers `"ready": true` (at most 30 s). chromedriver keeps the connection
# open after its answer, so the answer is read line by line, each line within a second.
driver_ready() {
  local line
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET /status HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$port" >&3
  while IFS= read -r -t 1 line <&3 || [ -n "$line" ]; do
    case "$line" in *'"ready":true'*) exec 3<&-; return 0 ;; esac
  done
  exec 3<&-
  return 1
}
ready=""
for _ in $(seq 1 300); do
  if driver_ready 2>/dev/null; then
    ready=1
    break
  fi
  kill -0 "$driver_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "with-chromium: chromedriver did not answer on 127.0.0.1:$port" >&2
  tail -n 20 "$tmp/chromedriver.log" >&2 || true
  exit 1
fi

export DELIVERY_WEBHOOKS_TEST_WEBDRIVER_URL="http://127.0.0.1:$port"
export DELIVERY_WEBHOOKS_TEST_CHROMIUM="$chromium"
echo "with-chromium: $("$chromium" --version 2>/dev/null | head -n1) through chromedriver on 127.0.0.1:$port" >&2

status=0
"$@" || status=$?
exit "$status"
