#!/usr/bin/env bash
# Requests per second under gunicorn against a benchmark database: the leader dashboard, the summary
# table and the JSON API, one after the other; in the middle of the dashboard's run a reviewer approves
# a report and the very next dashboard answer must carry the new figure.
#
#   bash benchmarks/load.sh                      # S, 2 workers × 4 threads, 20 s per page, 8 connections
#   SIZE=L WORKERS=2 THREADS=4 DURATION=30s CONNECTIONS=16 bash benchmarks/load.sh
#   PAGES=dashboard bash benchmarks/load.sh      # one page only
#   APPROVE=0 bash benchmarks/load.sh            # no approval in the middle of the dashboard's run
#
# Needs Debian's wrk (apt-get install -y wrk), Redis (CACHE_URL, default redis://127.0.0.1:6379/5: the
# whole Redis database is flushed at the start) and the size's database (bench.py loads it).
# Binds 127.0.0.1 only; gunicorn is stopped and the approval undone when it is done.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-S}
export GUNICORN_WORKERS=${WORKERS:-2} GUNICORN_THREADS=${THREADS:-4}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-8}
PAGES=${PAGES:-dashboard summary api}
APPROVE=${APPROVE:-1}  # 0: no approval during the dashboard's run (its p99 without the recomputation)
PORT=${PORT:-8099}
BENCH_PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
export DATABASE_URL="$BENCH_PG/zhengfa_bench_${SIZE,,}"
export CACHE_URL=${CACHE_URL:-redis://127.0.0.1:6379/5}
export DJANGO_SETTINGS_MODULE=zhengfa.settings DEBUG=false
export SECRET_KEY=${SECRET_KEY:-benchmark-only-not-secret}
export GUNICORN_BIND="127.0.0.1:$PORT"
PY=.venv/bin/python

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ -x .venv/bin/gunicorn ] || .venv/bin/pip install -q -r requirements.txt

$PY benchmarks/loadcheck.py undo  # a run that was interrupted
$PY -c 'import django; django.setup(); from django.core.cache import cache; cache.clear()'
read -r SESSION PERIOD < <($PY benchmarks/loadcheck.py session)
COOKIE="Cookie: sessionid=$SESSION"
BASE="http://127.0.0.1:$PORT"
declare -A URLS=(
  [dashboard]="$BASE/dashboard/?period=$PERIOD"
  [summary]="$BASE/tables/summary/?period=$PERIOD"
  [api]="$BASE/api/v1/summary?period=$PERIOD"
)

.venv/bin/gunicorn zhengfa.wsgi:application &
GUNICORN=$!
OUT=$(mktemp -d)
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true; $PY benchmarks/loadcheck.py undo; rm -rf "$OUT"' EXIT
for _ in $(seq 100); do
  curl -fsS -o /dev/null -H "$COOKIE" "${URLS[dashboard]}" 2>/dev/null && break
  sleep 0.2
done
for page in $PAGES; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "$COOKIE" "${URLS[$page]}")
  [ "$status" = 200 ] || { echo "$page answered $status, not 200" >&2; exit 1; }
done

# In the middle of the dashboard's run: approve, then the very next answer must show the new figure.
approve_under_load() {
  sleep "$(( ${DURATION%s} / 2 ))"
  read -r code after before < <($PY benchmarks/loadcheck.py approve "$PERIOD" 2>/dev/null | tail -1)
  seconds=$(curl -fsS -o "$OUT/after" -w '%{time_total}' -H "$COOKIE" "${URLS[dashboard]}")
  $PY -c '
import re, sys
code, after, before, seconds, page = sys.argv[1:]
with open(page, encoding="utf-8") as answer:
    card = re.search(r"data-indicator=\"%s\">(.*?)</(?:a|div)>" % re.escape(code), answer.read(), re.S).group(1)
ok = ">%s<small>" % after in card
shows = "yes" if ok else "NO"
ms = float(seconds) * 1000
print(f"approval under load: {code} {before} -> {after}; the next dashboard answer ({ms:.0f} ms) shows {after}: {shows}")
sys.exit(0 if ok else 1)
' "$code" "$after" "$before" "$seconds" "$OUT/after" > "$OUT/approval" 2>&1 || echo "FAILED" >> "$OUT/approval"
}

echo "== $SIZE: $GUNICORN_WORKERS gunicorn workers × $GUNICORN_THREADS threads, $CONNECTIONS connections," \
  "$DURATION per page, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for page in $PAGES; do
  [ "$page" = dashboard ] && [ "$APPROVE" = 1 ] && { approve_under_load & APPROVER=$!; }
  wrk --latency -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s -H "$COOKIE" "${URLS[$page]}" > "$OUT/$page"
  [ "$page" = dashboard ] && [ "$APPROVE" = 1 ] && wait "$APPROVER"
  awk -v page="$page" '
    /Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} /requests in/ {n=$1}
    /Non-2xx/ {bad+=$NF} /Socket errors/ {gsub(",", ""); bad+=$4+$6+$8+$10}
    END {printf "%-9s %8s req/s  %6s requests  p50 %-9s p99 %-9s errors %d\n", page, rps, n, p50, p99, bad}
  ' "$OUT/$page"
done
[ -f "$OUT/approval" ] && cat "$OUT/approval"
! grep -q -e FAILED -e NO "$OUT/approval" 2>/dev/null
