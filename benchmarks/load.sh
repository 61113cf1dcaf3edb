#!/usr/bin/env bash
# Requests per second on the leader dashboard under gunicorn, against the benchmark's S database.
#
#   bash benchmarks/load.sh                 # 2 workers, 30 s, 8 connections
#   WORKERS=4 DURATION=30s CONNECTIONS=16 SIZE=S bash benchmarks/load.sh
#
# Needs Debian's wrk (apt-get install -y wrk) and the size's database (bench.py loads it).
# Binds 127.0.0.1 only; gunicorn is stopped when wrk is done.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-S}
WORKERS=${WORKERS:-2}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-8}
PORT=${PORT:-8099}
BENCH_PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
export DATABASE_URL="$BENCH_PG/zhengfa_bench_${SIZE,,}"
export DJANGO_SETTINGS_MODULE=zhengfa.settings DEBUG=false
export SECRET_KEY=${SECRET_KEY:-benchmark-only-not-secret}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ -x .venv/bin/gunicorn ] || .venv/bin/pip install -q -r requirements.txt

# A signed-in leader: a session made directly, sent as a cookie.
read -r SESSION PERIOD < <(.venv/bin/python - <<'EOF'
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from metrics.aggregation import latest_month
from metrics.periods import default_period
from reports.models import User

user = User.objects.get(username="bench_leader")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key, default_period(latest_month(), timezone.localdate()).code)
EOF
)
URL="http://127.0.0.1:$PORT/dashboard/?period=$PERIOD"

.venv/bin/gunicorn zhengfa.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --access-logfile /dev/null --error-logfile - --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS -o /dev/null -H "Cookie: sessionid=$SESSION" "$URL" 2>/dev/null && break
  sleep 0.2
done
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: sessionid=$SESSION" "$URL")
[ "$status" = 200 ] || { echo "dashboard answered $status, not 200" >&2; exit 1; }

echo "== $SIZE: $WORKERS gunicorn workers, $CONNECTIONS connections, $DURATION, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
wrk --latency -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s -H "Cookie: sessionid=$SESSION" "$URL"
