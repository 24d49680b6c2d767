#!/usr/bin/env bash
# Exercises the PostgreSQL high-availability recipe of docs/ha.md on
# loopback ports with pg_auto_failover: a monitor and two nodes (primary and
# synchronous secondary), then kofu connected through the monitor's
# multi-host URL (target_session_attrs=read-write) takes bookings through
# the public JSON API while the primary is killed (kill -9 of its keeper and
# of postgres). pg_auto_failover promotes the secondary on its own; kofu
# carries on without a restart, and every booking acknowledged with a 201
# must be in the database afterwards.
#
# The load and the checks are the Go test TestFailoverLosesNoAcknowledgedBooking
# (cmd/kofu/failover_test.go), which runs only when this script hands it
# the cluster (KOFU_TEST_FAILOVER_DB). It prints the figures: bookings
# acknowledged, requests failed, the error window in seconds, lost = 0.
#
# Needs root (the nodes run as the postgres user), the PostgreSQL server
# binaries and pg_autoctl (Debian: postgresql-15 postgresql-15-auto-failover).
# Everything lives in a temporary folder and is removed at the end.
# Usage: sudo scripts/pg-failover.sh   (exit status 1 when a booking is lost)
set -euo pipefail
cd "$(dirname "$0")/.."

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
MONITOR_PORT=${MONITOR_PORT:-56430}
NODE1_PORT=${NODE1_PORT:-56431}
NODE2_PORT=${NODE2_PORT:-56432}
WORK=$(mktemp -d /tmp/kofu-ha.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/pg"
chown postgres "$WORK/pg"

# as_pg runs pg_autoctl and friends as postgres, with its configuration
# and state kept in the temporary folder.
as_pg() {
  runuser -u postgres -- env PATH="$PGBIN:$PATH" \
    XDG_CONFIG_HOME="$WORK/pg/config" XDG_DATA_HOME="$WORK/pg/share" XDG_RUNTIME_DIR="$WORK/pg/run" \
    PGHOST=127.0.0.1 "$@"
}

# run_node starts `pg_autoctl run` for a data folder in its own process
# group, so that the keeper and its postgres can be killed together.
run_node() {
  as_pg setsid pg_autoctl run --pgdata "$WORK/pg/$1" >"$WORK/pg/$1.log" 2>&1 &
}

# node_pids lists the processes of a node: the keeper's process group and
# postgres with its backends.
node_pids() {
  local pg pm
  pg=$(pgrep -u postgres -f -- "^pg_autoctl run --pgdata $WORK/pg/$1\$" | head -1 || true)
  # setsid made the keeper the leader of its own group: never our group.
  [ -n "$pg" ] && [ "$(ps -o pgid= -p "$pg" | tr -d ' ')" = "$pg" ] && pgrep -g "$pg" || true
  if [ -f "$WORK/pg/$1/postmaster.pid" ]; then
    pm=$(head -1 "$WORK/pg/$1/postmaster.pid")
    echo "$pm"
    pgrep -P "$pm" || true
  fi
}

cleanup() {
  set +e
  for n in node1 node2 monitor; do
    as_pg pg_autoctl stop --immediate --pgdata "$WORK/pg/$n" >/dev/null 2>&1
  done
  sleep 2
  for n in node1 node2 monitor; do
    node_pids "$n" | xargs -r kill -9 2>/dev/null
  done
  wait 2>/dev/null
  if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

step() { printf '\n== %s (%s)\n' "$*" "$(date -u +%T)"; }

# wait_state waits until the monitor reports one primary and one secondary,
# both settled (reported state = assigned state).
wait_state() {
  for _ in $(seq 1 300); do
    if as_pg pg_autoctl show state --pgdata "$WORK/pg/monitor" --json 2>/dev/null |
      jq -e '[.[] | select(.current_group_state == .assigned_group_state) | .current_group_state] | sort == ["primary","secondary"]' >/dev/null; then
      return 0
    fi
    sleep 1
  done
  echo "the nodes did not reach primary/secondary" >&2
  as_pg pg_autoctl show state --pgdata "$WORK/pg/monitor" >&2
  return 1
}

step "monitor on 127.0.0.1:$MONITOR_PORT"
as_pg pg_autoctl create monitor --pgdata "$WORK/pg/monitor" --pgport "$MONITOR_PORT" \
  --hostname 127.0.0.1 --auth trust --no-ssl >"$WORK/pg/create-monitor.log" 2>&1
as_pg pg_autoctl config set --pgdata "$WORK/pg/monitor" postgresql.listen_addresses 127.0.0.1 >/dev/null
run_node monitor
for _ in $(seq 1 60); do
  as_pg "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$MONITOR_PORT" && break
  sleep 1
done
MONITOR_URI=$(as_pg pg_autoctl show uri --pgdata "$WORK/pg/monitor" --json | jq -r '.[] | select(.type == "monitor") | .uri')
echo "$MONITOR_URI"

for n in 1 2; do
  port_var=NODE${n}_PORT
  step "node$n on 127.0.0.1:${!port_var}"
  as_pg pg_autoctl create postgres --pgdata "$WORK/pg/node$n" --pgport "${!port_var}" \
    --hostname 127.0.0.1 --listen 127.0.0.1 --name "node$n" --dbname kofu --monitor "$MONITOR_URI" \
    --auth trust --no-ssl >"$WORK/pg/create-node$n.log" 2>&1
  run_node "node$n"
  if [ "$n" = 1 ]; then
    for _ in $(seq 1 120); do
      as_pg pg_autoctl show state --pgdata "$WORK/pg/monitor" --json 2>/dev/null |
        jq -e '.[] | select(.current_group_state == "single")' >/dev/null && break
      sleep 1
    done
  fi
done
wait_state
as_pg pg_autoctl show state --pgdata "$WORK/pg/monitor"
as_pg pg_autoctl show settings --pgdata "$WORK/pg/monitor" 2>/dev/null || true

# The URL for kofu: the monitor's multi-host URI, as the postgres user.
URI=$(as_pg pg_autoctl show uri --pgdata "$WORK/pg/monitor" --formation default |
  grep -o 'postgres://[^ ]*target_session_attrs=read-write[^ ]*')
DB=${URI/postgres:\/\//postgres:\/\/postgres@}
echo "KOFU_DB=$DB"

primary_port() {
  for p in "$NODE1_PORT" "$NODE2_PORT"; do
    if [ "$(as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$p" -d kofu -Atc 'select pg_is_in_recovery()' 2>/dev/null)" = f ]; then
      echo "$p"
      return
    fi
  done
}
PRIMARY=$(primary_port)
echo "primary: port $PRIMARY, synchronous_standby_names = $(as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PRIMARY" -d kofu -Atc 'show synchronous_standby_names')"

# The kill command the test runs in the middle of the load: kill -9 of the
# primary node's keeper and postgres, as a crashed machine would.
cat >"$WORK/kill-primary.sh" <<KILL
#!/usr/bin/env bash
set -u
$(declare -f as_pg node_pids)
WORK=$WORK PGBIN=$PGBIN
node=node1; [ "$PRIMARY" = "$NODE2_PORT" ] && node=node2
node_pids "\$node" | sort -u | xargs -r kill -9
echo "killed \$node (port $PRIMARY) at \$(date -u +%T.%N)" >&2
KILL
chmod +x "$WORK/kill-primary.sh"

step "kofu takes bookings; the primary (port $PRIMARY) is killed in the middle"
# Build the test binary first so that the compile does not count.
go test -c -o "$WORK/kofu.test" ./cmd/kofu
status=0
KOFU_TEST_FAILOVER_DB="$DB" KOFU_TEST_FAILOVER_KILL="$WORK/kill-primary.sh" \
  "$WORK/kofu.test" -test.run '^TestFailoverLosesNoAcknowledgedBooking$' -test.v -test.count=1 \
  -test.timeout 10m >"$WORK/test.log" 2>&1 || status=$?
grep -v '^=== \|^--- \|^PASS\|^FAIL\|^ok' "$WORK/test.log" | sed 's/^ *//' || true

step "after the failover"
as_pg pg_autoctl show state --pgdata "$WORK/pg/monitor"
if [ "$status" != 0 ]; then
  echo "FAILED: see the test output above" >&2
  exit 1
fi
echo "failover check passed"
