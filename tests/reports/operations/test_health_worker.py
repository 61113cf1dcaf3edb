"""/healthz against real processes: a Redis of our own, a Celery worker and beat on it, each stopped
in turn. Run by .ci/worker (the worker and beat write to the same real database as the tests)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from reports.operations.models import TaskRun
from reports.operations.tasks import HEARTBEAT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CELERY = str(Path(sys.executable).parent / "celery")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args, log, env=None):
    return subprocess.Popen(args, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def checks(client):
    response = client.get("/healthz", HTTP_HOST="127.0.0.1")
    body = json.loads(response.content)
    assert (response.status_code == 200) == (body["status"] == "ok")
    return response.status_code, body["checks"]


@pytest.fixture
def broker(worker_broker, settings, tmp_path, monkeypatch):
    """A Redis server of our own (so that no other worker answers our pings), its URL in the settings."""
    redis_server = shutil.which("redis-server")
    assert redis_server, "redis-server is needed (Debian package redis-server)"
    port = free_port()
    log = (tmp_path / "redis.log").open("w")
    server = start([redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], log)
    url = f"redis://127.0.0.1:{port}/0"
    wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 20, "redis-server")
    settings.CELERY_BROKER_URL = url
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery prefers the environment's to the settings'
    settings.HEALTH_BEAT_GRACE = 3
    settings.HEALTH_CACHE_SECONDS = 0  # each poll below checks afresh
    yield server, url
    if server.poll() is None:
        stop(server)
    log.close()


def test_health_follows_the_worker_beat_and_broker_as_each_stops(client, broker, settings, tmp_path):
    """All ok; beat stopped: beat fails; worker stopped: worker fails; Redis stopped: the broker fails."""
    server, url = broker
    # Beat queues the heartbeat every second; the test's own settings use the same schedule.
    settings.CELERY_BEAT_SCHEDULE = {**settings.CELERY_BEAT_SCHEDULE}
    settings.CELERY_BEAT_SCHEDULE["heartbeat"] = {**settings.CELERY_BEAT_SCHEDULE["heartbeat"], "schedule": 1.0}
    env = {
        **os.environ,
        "CELERY_BROKER_URL": url,
        "HEALTH_BEAT_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "zhengfa.settings",
    }
    env.pop("CELERY_RESULT_BACKEND", None)
    log = (tmp_path / "celery.log").open("w")
    worker = start(
        [CELERY, "-A", "zhengfa", "worker", "--pool=solo", "-n", f"health-{os.getpid()}@%h"]
        + ["--without-gossip", "--without-mingle", "-l", "warning"],
        log,
        env,
    )
    beat = start([CELERY, "-A", "zhengfa", "beat", "-s", str(tmp_path / "beat-schedule"), "-l", "warning"], log, env)
    try:
        TaskRun.objects.filter(task=HEARTBEAT).delete()
        wait_for(lambda: TaskRun.objects.filter(task=HEARTBEAT).exists(), 90, "the first heartbeat")
        assert checks(client) == (
            200,
            {"database": "ok", "migrations": "ok", "broker": "ok", "worker": "ok", "beat": "ok"},
        )

        stop(beat)
        wait_for(lambda: checks(client)[1]["beat"] == "fail", 30, "beat to be missed")
        status, states = checks(client)
        assert status == 503 and states["worker"] == "ok" and states["broker"] == "ok"

        stop(worker)
        status, states = checks(client)
        assert status == 503 and states["worker"] == "fail" and states["broker"] == "ok"
        assert states["beat"] == "unknown"  # the heartbeat needs a worker to show

        stop(server)
        status, states = checks(client)
        assert status == 503
        assert states == {
            "database": "ok",
            "migrations": "ok",
            "broker": "fail",
            "worker": "unknown",
            "beat": "unknown",
        }
    finally:
        for process in (beat, worker):
            if process.poll() is None:
                stop(process)
        log.close()
        print((tmp_path / "celery.log").read_text()[-3000:])
