#!/usr/bin/env bash
# The whole test suite: go vet, then go test -race over the module, each
# database test on SQLite and on PostgreSQL. Starts the local PostgreSQL when it
# is installed but stopped. With CI=true a missing PostgreSQL is a failure,
# never a silent skip. The browser tests (internal/e2e) need Chromium, a
# Japanese font and axe-core: this script installs what is missing (apt as
# root, npm ci in e2e/); with CI=true the tests fail without them.
set -euo pipefail
cd "$(dirname "$0")/.."

# No executable build output (ELF, Mach-O, PE) may be tracked: a committed
# test binary once made every clone 24 MB heavier (issue #14). Only the first
# four bytes of each tracked file are read, with bash builtins (no process per
# file). None of the magic numbers holds a NUL byte, which read would drop.
check_no_binaries() {
  git rev-parse --is-inside-work-tree >/dev/null 2>&1 || return 0
  local LC_ALL=C found=0 file magic
  while IFS= read -r -d '' file; do
    [ -f "$file" ] || continue
    magic=
    IFS= read -r -N 4 -d '' magic <"$file" || :
    case "$magic" in
      $'\x7fELF' | $'\xfe\xed\xfa\xcf' | $'\xcf\xfa\xed\xfe' | $'\xfe\xed\xfa\xce' | $'\xce\xfa\xed\xfe' | $'\xca\xfe\xba\xbe' | MZ*)
        echo "実行ファイル (ビルド成果物) がリポジトリに登録されています: $file (git rm --cached で外してください)" >&2
        found=1 ;;
    esac
  done < <(git ls-files -z)
  [ "$found" = 0 ] || exit 1
}
check_no_binaries

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

# install_browser installs Debian's Chromium and a Japanese font for the
# browser tests when they are missing and we are root.
install_browser() {
  command -v chromium >/dev/null && fc-list :lang=ja 2>/dev/null | grep -q . && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "警告: chromium または日本語フォントがありません (apt-get install chromium fonts-noto-cjk)。" >&2
    return 0
  fi
  echo "chromium と日本語フォントをインストールします"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }; then
    [ "${CI:-}" = "true" ] && { echo "chromium をインストールできません。" >&2; exit 1; }
    echo "警告: chromium をインストールできません。ブラウザのテストは省略されます。" >&2
  fi
}

# install_axe installs axe-core for the browser tests from e2e/package-lock.json.
install_axe() {
  [ -f e2e/node_modules/axe-core/axe.min.js ] && return 0
  if ! command -v npm >/dev/null; then
    echo "警告: npm がないため axe-core をインストールできません。" >&2
    return 0
  fi
  echo "axe-core をインストールします (npm ci)"
  if ! (cd e2e && npm ci --no-audit --no-fund --loglevel=error); then
    [ "${CI:-}" = "true" ] && { echo "axe-core をインストールできません。" >&2; exit 1; }
    echo "警告: axe-core をインストールできません。ブラウザのテストは省略されます。" >&2
  fi
}

install_browser
install_axe

echo "== go vet; CGO_ENABLED=0 go build =="
go vet ./...
CGO_ENABLED=0 go build -o /dev/null ./cmd/kofu

# A short fuzz run of each reader of files sent from outside (issue #14),
# seeded with the hostile files; minimising a new input is kept short. The
# run is counted in inputs, not seconds: a time limit that ends while a
# worker minimises an input fails the run with "context deadline exceeded".
echo "== go test -fuzz (20,000 inputs per reader) =="
for target in "FuzzOpen ./internal/xlsx" "FuzzRead ./internal/legacy" "FuzzReader ./internal/jlis"; do
  read -r name pkg <<<"$target"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime 20000x -fuzzminimizetime 50x "$pkg"
done

# Each database test runs as a subtest per engine (KOFU_TEST_ENGINES,
# default "sqlite,postgres"); packages that never open a database run once.
#
# The race detector costs several times the CPU, so it runs on the packages
# whose own code shares memory between goroutines (the mail worker, the call
# displays' hub, the backup scheduler, the in-memory limits and caches,
# background import jobs, the store's connection pools and statement caches)
# or whose tests send concurrent requests (server). The rest runs without
# it: pure domain code, the browser tests and cmd/kofu's tests of the
# binary and of two instances on one database (they drive the same handlers
# the server tests run under -race; under -race cmd/kofu alone took 3.5
# times the CPU). Both go test
# runs go at once: each keeps a core busy while the other waits on
# PostgreSQL or Chromium. A package added with goroutines of its own belongs
# in race_packages.
race_packages=(backup challenge clock counter document fresh intake mail reserve server sitetext store web)
race=()
for p in "${race_packages[@]}"; do race+=("./internal/$p/..."); done
mapfile -t plain < <(comm -23 <(go list ./... | sort) <(go list "${race[@]}" | sort))
engines="${KOFU_TEST_ENGINES:-sqlite,postgres}"
if ! postgres_ready && [ "${CI:-}" != "true" ]; then engines=sqlite; fi
echo "== go test: -race on ${#race[@]} patterns, the other ${#plain[@]} packages without ($engines; PostgreSQL: $KOFU_TEST_POSTGRES) =="
export KOFU_TEST_ENGINES="$engines"
race_log=$(mktemp)
trap 'rm -f "$race_log"' EXIT
go test -race -count=1 -timeout 30m "${race[@]}" >"$race_log" 2>&1 &
race_pid=$!
plain_status=0
go test -count=1 -timeout 30m "${plain[@]}" || plain_status=$?
race_status=0
wait "$race_pid" || race_status=$?
echo "== go test -race =="
cat "$race_log"
[ "$plain_status" = 0 ] && [ "$race_status" = 0 ]
