"""gunicorn settings for zhengfa (read from the working directory: `gunicorn zhengfa.wsgi:application`).

Measured on 2 cores with PostgreSQL, Redis and the load generator on the same machine (README,
"Load", benchmarks/load.sh): one process per core, 4 threads each. Threads (gthread workers) keep
connections alive and overlap a request's waits on PostgreSQL and Redis with another's Python:
2 workers × 4 threads served about twice the dashboards per second of 2 sync workers; 3 or 4
workers only added switching; 8 threads did no better than 4. Raise GUNICORN_WORKERS with the cores.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# Exports of the half-year summary run in Celery; a page taking longer than this is a bug.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Workers are recycled now and then, so that a slow leak cannot grow for ever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
