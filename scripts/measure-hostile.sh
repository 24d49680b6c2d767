#!/usr/bin/env bash
# Sends each hostile file of `kofubench hostile DIR` to a running kofu serve
# and prints, per request: the HTTP status, the time to answer, the peak
# RSS of the server process during the request, and the files left in its
# temporary folder. A large ledger answers 202 with a background job: the
# time to the 202 is printed, then the job is polled to its end, and the
# time, status and peak RSS are those of the whole job. A request is given up after LIMIT_S seconds, and the
# server is killed if its RSS passes LIMIT_MB (to spare a shared machine).
#
#   scripts/measure-hostile.sh URL TOKEN PID TMPDIR DIR
set -uo pipefail
url=$1 token=$2 pid=$3 tmp=$4 dir=$5
LIMIT_S=${LIMIT_S:-120} LIMIT_MB=${LIMIT_MB:-6000}
DRY=${DRY:-true} # DRY=false imports the ledgers for real

rss_mb() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null || echo 0; }

measure() { # name curl-args...
  local name=$1; shift
  local out; out=$(mktemp)
  local start; start=$(date +%s.%N)
  curl -s -o "$out" -w '%{http_code}' -m "$LIMIT_S" -H "Expect:" -H "Authorization: Bearer $token" "$@" > "$out.code" &
  local cpid=$! peak=0 killed=""
  while kill -0 "$cpid" 2>/dev/null; do
    local r; r=$(rss_mb); r=${r:-0}; [ "$r" -gt "$peak" ] && peak=$r
    if [ "$r" -gt "$LIMIT_MB" ]; then kill -9 "$pid"; killed=" (server killed at ${r} MB)"; break; fi
    sleep 0.2
  done
  wait "$cpid" 2>/dev/null
  local end; end=$(date +%s.%N)
  if [ "$(cat "$out.code")" = 202 ]; then # a background job: poll it to its end
    local job; job=$(grep -o '"url":"[^"]*"' "$out" | cut -d'"' -f4)
    printf '%-22s 202 after %6.1f s, job %s\n' "$name" "$(echo "$end - $start" | bc)" "$job"
    while kill -0 "$pid" 2>/dev/null; do
      curl -s -o "$out" -m 10 -H "Authorization: Bearer $token" "$url$job"
      local r; r=$(rss_mb); r=${r:-0}; [ "$r" -gt "$peak" ] && peak=$r
      if [ "$r" -gt "$LIMIT_MB" ]; then kill -9 "$pid"; killed=" (server killed at ${r} MB)"; break; fi
      grep -q '"status":"running"' "$out" || break
      sleep 1
    done
    end=$(date +%s.%N)
    echo "$(grep -o '"status":"[a-z]*"' "$out" | head -1)" > "$out.code"
  fi
  local left; left=$(find "$tmp" -mindepth 1 2>/dev/null | wc -l)
  local size; size=$(du -sh "$tmp" 2>/dev/null | cut -f1)
  printf '%-22s status %s  %6.1f s  peak RSS %5s MB  temp: %s entries (%s)  answer %s bytes%s\n' \
    "$name" "$(cat "$out.code")" "$(echo "$end - $start" | bc)" "$peak" "$left" "$size" "$(stat -c %s "$out")" "$killed"
  head -c 300 "$out"; echo
  rm -f "$out" "$out.code"
}

echo "idle RSS $(rss_mb) MB"
for f in ${FILES:-ledger wide-100 wide-300 wide-5000 bomb-1g}; do
  kill -0 "$pid" 2>/dev/null || { echo "server is gone"; exit 1; }
  measure "$f.xlsx dry=$DRY" -F "file=@$dir/$f.xlsx" "$url/api/v1/imports/ledger?dry_run=$DRY"
done
[ -n "${ONLY_XLSX:-}" ] && exit 0
kill -0 "$pid" 2>/dev/null && measure "reject-890k.csv dry" -F "file=@$dir/reject-890k.csv" "$url/api/v1/imports/jlis?dry_run=true"
kill -0 "$pid" 2>/dev/null && measure "fields-1.6m" -H "Content-Type: multipart/form-data; boundary=kofu-hostile-field-flood" \
  --data-binary "@$dir/fields-1.6m.body" "$url/api/v1/imports/ledger?dry_run=true"
