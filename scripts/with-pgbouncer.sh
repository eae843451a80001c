#!/usr/bin/env bash
# Runs a command with the test PostgreSQL server reached through PgBouncer in transaction
# mode, as an operator pooling many instances' connections would (docs/inbox.md, "Beyond one
# machine"). Run it inside scripts/with-postgres.sh:
#
#   scripts/with-postgres.sh scripts/with-pgbouncer.sh cargo test --all-features --test inbox
#
# The command sees:
#   DELIVERY_WEBHOOKS_TEST_POSTGRES_URL      postgres://postgres@127.0.0.1:<bouncer port>/postgres
#                                            (transaction pooling: every statement the inbox runs)
#   DELIVERY_WEBHOOKS_TEST_POSTGRES_LISTEN_URL  the server itself (a session: LISTEN, and the
#                                            tests that stop or kill the server's sessions)
#   DATABASE_URL                             unchanged: the server itself
#
# Needs PgBouncer: taken from PATH or /usr/sbin, installed with apt-get (Debian's `pgbouncer`)
# when missing and running as root. PgBouncer refuses to run as root: as root, it runs as the
# `postgres` system user that with-postgres.sh created. Stopped and removed when the command ends.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]  (inside scripts/with-postgres.sh)" >&2
  exit 2
fi
server="${DELIVERY_WEBHOOKS_TEST_POSTGRES_URL:?run inside scripts/with-postgres.sh}"

bouncer="$(command -v pgbouncer || true)"
[ -n "$bouncer" ] || [ ! -x /usr/sbin/pgbouncer ] || bouncer=/usr/sbin/pgbouncer
if [ -z "$bouncer" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "with-pgbouncer: installing PgBouncer (apt-get install pgbouncer)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq pgbouncer >/dev/null 2>&1 || {
      apt-get update -qq
      apt-get install -y -qq pgbouncer >/dev/null
    }
    bouncer=/usr/sbin/pgbouncer
  else
    echo "with-pgbouncer: pgbouncer not found; install PgBouncer" >&2
    exit 1
  fi
fi

# postgres://user@host:port/database, as with-postgres.sh writes it.
rest="${server#postgres://}"
user="${rest%%@*}"
rest="${rest#*@}"
hostport="${rest%%/*}"
database="${rest#*/}"
host="${hostport%%:*}"
pgport="${hostport##*:}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/delivery-webhooks-pgbouncer.XXXXXX")"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$tmp"
  run_as=(runuser -u postgres --)
fi

port=""
for _ in $(seq 1 50); do
  candidate=$(( (RANDOM % 20000) + 30000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port="$candidate"
    break
  fi
done
[ -n "$port" ] || { echo "with-pgbouncer: no free port found" >&2; exit 1; }

cat >"$tmp/pgbouncer.ini" <<EOF
[databases]
$database = host=$host port=$pgport dbname=$database user=$user

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $tmp/users.txt
pool_mode = ${PGBOUNCER_POOL_MODE:-transaction}
max_client_conn = 2000
default_pool_size = 40
; sqlx sets these at start-up; PgBouncer refuses a parameter it does not know unless ignored.
ignore_startup_parameters = extra_float_digits,options
logfile = $tmp/pgbouncer.log
pidfile = $tmp/pgbouncer.pid
EOF
printf '"%s" ""\n' "$user" >"$tmp/users.txt"
[ "$(id -u)" -ne 0 ] || chown postgres "$tmp"/*

cleanup() {
  if [ -f "$tmp/pgbouncer.pid" ]; then
    kill "$(cat "$tmp/pgbouncer.pid")" 2>/dev/null || true
    sleep 0.2
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"${run_as[@]}" "$bouncer" -d "$tmp/pgbouncer.ini" || { cat "$tmp/pgbouncer.log" >&2; exit 1; }
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

export DELIVERY_WEBHOOKS_TEST_POSTGRES_LISTEN_URL="$server"
export DELIVERY_WEBHOOKS_TEST_POSTGRES_URL="postgres://$user@127.0.0.1:$port/$database"
echo "with-pgbouncer: $($bouncer --version | head -1), ${PGBOUNCER_POOL_MODE:-transaction} mode, on 127.0.0.1:$port -> $hostport ($tmp)" >&2

status=0
"$@" || status=$?
exit "$status"
