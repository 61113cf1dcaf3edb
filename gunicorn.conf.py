"""gunicorn settings for zhengfa (read from the working directory: `gunicorn zhengfa.wsgi:application`).

Measured on 2 cores with PostgreSQL, Redis and the load generator on the same machine (README,
"Load"): the cached pages are CPU-bound Python, so one process per core serves them best and
threads add nothing but switching; 2 sync workers is the default. Raise GUNICORN_WORKERS with the
cores (2 × cores + 1 is gunicorn's rule for pages that wait on the database or the network; ours
mostly do not once cached). GUNICORN_THREADS > 1 switches to gthread workers, which keep
connections alive behind a proxy that does not buffer.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Exports of the half-year summary run in Celery; a page taking longer than this is a bug.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Workers are recycled now and then, so that a slow leak cannot grow for ever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
