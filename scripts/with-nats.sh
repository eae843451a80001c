#!/usr/bin/env bash
# Runs a command beside a throwaway NATS server with JetStream: `nats-server -js` on 127.0.0.1 at
# a free port, its store in a temporary directory, stopped and removed when the command ends
# (whatever its outcome).
#
#   scripts/with-nats.sh cargo test -p delivery-webhooks-cli --all-features --test nats
#
# The command sees:
#   DELIVERY_WEBHOOKS_TEST_NATS_URL    nats://127.0.0.1:<port>
#   DELIVERY_WEBHOOKS_REQUIRE_NATS=1   tests fail (rather than skip) without it
#
# Needs `nats-server`: taken from PATH, and installed with apt-get (Debian's `nats-server`
# package) when missing and running as root. Otherwise the command runs without a server, and
# the NATS tests say so and skip.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

if ! command -v nats-server >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "with-nats: installing nats-server (apt-get install nats-server)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nats-server >/dev/null
  fi
fi
if ! command -v nats-server >/dev/null 2>&1; then
  echo "with-nats: nats-server not found and not installable here (not root, or no apt-get);" \
    "running the command without it: the NATS tests skip" >&2
  exec "$@"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/delivery-webhooks-nats.XXXXXX")"

# A free port: one nothing answers on.
port=""
for _ in $(seq 1 50); do
  candidate=$(( (RANDOM % 20000) + 30000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port="$candidate"
    break
  fi
done
[ -n "$port" ] || { echo "with-nats: no free port found" >&2; exit 1; }

nats-server -js -a 127.0.0.1 -p "$port" -sd "$tmp/store" >"$tmp/server.log" 2>&1 &
server=$!

cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Ready when it accepts connections (at most 30 s).
for _ in $(seq 1 300); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$tmp/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }

echo "with-nats: $(nats-server --version 2>/dev/null || echo nats-server) JetStream on 127.0.0.1:$port ($tmp)" >&2
export DELIVERY_WEBHOOKS_TEST_NATS_URL="nats://127.0.0.1:$port"
export DELIVERY_WEBHOOKS_REQUIRE_NATS=1
"$@"
