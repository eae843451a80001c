#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server: a fresh cluster in a temporary directory,
# listening on 127.0.0.1 at a free port, removed when the command ends (whatever its outcome).
#
#   scripts/with-postgres.sh cargo test --all-features --test inbox
#
# The command sees:
#   DATABASE_URL, DELIVERY_WEBHOOKS_TEST_POSTGRES_URL  postgres://postgres@127.0.0.1:<port>/postgres
#   DELIVERY_WEBHOOKS_REQUIRE_POSTGRES=1               tests fail (rather than skip) without it
#
# Needs PostgreSQL's server programs (initdb, pg_ctl): taken from PATH or /usr/lib/postgresql/*/bin,
# and installed with apt-get (Debian's `postgresql` package) when missing and running as root.
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user
# (created if missing).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

if ! bindir="$(find_bindir)"; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "with-postgres: installing PostgreSQL (apt-get install postgresql)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    bindir="$(find_bindir)" || { echo "with-postgres: initdb not found after install" >&2; exit 1; }
  else
    echo "with-postgres: PostgreSQL server programs (initdb, pg_ctl) not found; install PostgreSQL" >&2
    exit 1
  fi
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/delivery-webhooks-pg.XXXXXX")"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  chown postgres "$tmp"
  chmod 755 "$tmp"
  run_as=(runuser -u postgres --)
fi

# A free port: one nothing answers on.
port=""
for _ in $(seq 1 50); do
  candidate=$(( (RANDOM % 20000) + 30000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port="$candidate"
    break
  fi
done
[ -n "$port" ] || { echo "with-postgres: no free port found" >&2; exit 1; }

cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"${run_as[@]}" "$bindir/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --no-instructions >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$tmp -c max_connections=400 -c shared_buffers=128MB" \
  start >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }

url="postgres://postgres@127.0.0.1:$port/postgres"
export DATABASE_URL="$url"
export DELIVERY_WEBHOOKS_TEST_POSTGRES_URL="$url"
export DELIVERY_WEBHOOKS_REQUIRE_POSTGRES=1
export PG_BINDIR="$bindir"
echo "with-postgres: PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $NF}') on 127.0.0.1:$port ($tmp)" >&2

status=0
"$@" || status=$?
exit "$status"
