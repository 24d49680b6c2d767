#!/usr/bin/env bash
# The whole test suite: go vet, then go test -race over the module twice,
# once on SQLite and once on PostgreSQL. Starts the local PostgreSQL when it
# is installed but stopped. With CI=true a missing PostgreSQL is a failure,
# never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."

export KOFU_TEST_POSTGRES="${KOFU_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"

postgres_ready() {
  command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432
}

start_postgres() {
  postgres_ready && return 0
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
      echo "PostgreSQL $version を起動します"
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 30); do postgres_ready && return 0; sleep 1; done
  fi
  return 1
}

if ! start_postgres; then
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL に接続できません ($KOFU_TEST_POSTGRES)。CI では PostgreSQL のテストを省略できません。" >&2
    exit 1
  fi
  echo "警告: PostgreSQL に接続できないため、PostgreSQL のテストは省略されます。" >&2
fi

echo "== go vet; CGO_ENABLED=0 go build =="
go vet ./...
CGO_ENABLED=0 go build -o /dev/null ./cmd/kofu

echo "== go test -race (SQLite) =="
KOFU_TEST_ENGINES=sqlite go test -race -count=1 ./...

echo "== go test -race (PostgreSQL: $KOFU_TEST_POSTGRES) =="
KOFU_TEST_ENGINES=postgres go test -race -count=1 ./...
