#!/usr/bin/env bash
# Exercises the PostgreSQL high-availability recipe of docs/ha.md on
# loopback ports: a primary and a streaming standby, kofu connected through
# a multi-host URL with target_session_attrs=read-write, then the primary
# stops, the standby is promoted, and kofu carries on against it.
#
# Needs the PostgreSQL server binaries (Debian: postgresql) and runs the
# clusters as the postgres user. Everything lives in a temporary folder and
# is removed at the end. Usage: scripts/pg-failover.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
PRIMARY_PORT=${PRIMARY_PORT:-55432}
STANDBY_PORT=${STANDBY_PORT:-55433}
KOFU_PORT=${KOFU_PORT:-18480}
WORK=$(mktemp -d /tmp/kofu-ha.XXXXXX)
chown postgres "$WORK"
as_pg() { runuser -u postgres -- "$@"; }

cleanup() {
  set +e
  [ -n "${KOFU_PID:-}" ] && kill "$KOFU_PID" 2>/dev/null && wait "$KOFU_PID" 2>/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -m immediate stop >/dev/null 2>&1
  as_pg "$PGBIN/pg_ctl" -D "$WORK/standby" -m immediate stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "primary on 127.0.0.1:$PRIMARY_PORT"
as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres --auth=trust >/dev/null
cat >> "$WORK/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PRIMARY_PORT
unix_socket_directories = '$WORK'
wal_level = replica
max_wal_senders = 5
hot_standby = on
CONF
echo "host replication postgres 127.0.0.1/32 trust" >> "$WORK/primary/pg_hba.conf"
as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null
as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qc "CREATE DATABASE kofu" >/dev/null

step "streaming standby on 127.0.0.1:$STANDBY_PORT"
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$WORK/standby" -R -X stream >/dev/null
sed -i "s/^port = .*/port = $STANDBY_PORT/" "$WORK/standby/postgresql.conf"
as_pg "$PGBIN/pg_ctl" -D "$WORK/standby" -l "$WORK/standby.log" -w start >/dev/null

step "kofu through the multi-host URL"
go build -o "$WORK/kofu" ./cmd/kofu
"$WORK/kofu" keys generate > "$WORK/data.key"
export KOFU_DATA_KEY_FILE="$WORK/data.key"
DB="postgres://postgres@127.0.0.1:$PRIMARY_PORT,127.0.0.1:$STANDBY_PORT/kofu?target_session_attrs=read-write&sslmode=disable"
PASSWORD="ha-check-$(date +%s)-pw"
printf '%s\n' "$PASSWORD" | "$WORK/kofu" user add --db "$DB" --username hacheck --role admin >/dev/null
"$WORK/kofu" serve --db "$DB" --addr "127.0.0.1:$KOFU_PORT" 2>"$WORK/kofu.log" &
KOFU_PID=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$KOFU_PORT/readyz" >/dev/null && break; sleep 0.2; done

login() {
  curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"hacheck\",\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$KOFU_PORT/api/v1/auth/login"
}
code=$(login)
echo "login before failover: $code"
[ "$code" = 200 ] || { echo "login failed before failover" >&2; exit 1; }

step "primary stops; standby is promoted"
as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -m fast stop >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/standby" -w promote >/dev/null

step "kofu reconnects to the new primary"
ok=""
for i in $(seq 1 30); do
  code=$(login)
  if [ "$code" = 200 ]; then ok=1; echo "login after failover: 200 (attempt $i)"; break; fi
  sleep 1
done
[ -n "$ok" ] || { echo "kofu did not recover after failover (last status $code)" >&2; tail -5 "$WORK/kofu.log" >&2; exit 1; }
"$WORK/kofu" audit verify --db "$DB"
echo "failover check passed"
