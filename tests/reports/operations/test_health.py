"""/healthz and 后台任务状态 without a worker: each check's failure, the beat's lateness, no detail."""

import datetime
import json
import socket

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from reports.operations import health
from reports.operations.models import TaskRun
from reports.operations.schedule import scheduled_tasks
from reports.operations.tasks import HEARTBEAT

pytestmark = pytest.mark.django_db


def closed_port():
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_health(client):
    response = client.get("/healthz", HTTP_HOST="127.0.0.1")
    return response.status_code, json.loads(response.content)


def test_without_a_broker_every_check_is_ok_or_off_and_needs_no_login(client):
    status, body = get_health(client)
    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "broker": "off", "worker": "off", "beat": "off"},
    }


def close_the_broker(settings, monkeypatch):
    """Point the settings and the environment (which Celery prefers) at a closed port."""
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/6"
    monkeypatch.setenv("CELERY_BROKER_URL", settings.CELERY_BROKER_URL)


def test_a_closed_broker_port_fails_the_broker_and_leaves_the_worker_unknown(client, settings, monkeypatch):
    close_the_broker(settings, monkeypatch)
    status, body = get_health(client)
    assert status == 503
    assert body["status"] == "fail"
    assert body["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "broker": "fail",
        "worker": "unknown",
        "beat": "unknown",
    }
    # Nothing an attacker could use: no address, port, version or error text.
    assert set(json.dumps(body)) <= set('{}": ,abcdefghijklmnopqrstuvwxyz')


def test_an_unreachable_database_fails_the_database(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    states, _runs = health.report()
    assert states["database"] == "fail" and states["migrations"] == "unknown"
    assert not health.healthy(states)


def test_a_migration_not_applied_fails_the_migrations(client):
    latest = MigrationRecorder.Migration.objects.filter(app="reports").order_by("-id").first()
    latest.delete()  # as after an upgrade whose migrate has not run yet (rolled back with the test)
    status, body = get_health(client)
    assert status == 503 and body["checks"]["migrations"] == "fail" and body["checks"]["database"] == "ok"


def test_beat_is_late_once_its_heartbeat_is_a_schedule_and_the_grace_overdue(settings):
    settings.HEALTH_BEAT_GRACE = 60
    interval = scheduled_tasks(settings.CELERY_BEAT_SCHEDULE)[HEARTBEAT].run_every.total_seconds()
    assert health.check_beat({}) == "fail"  # never ran
    run = TaskRun.objects.create(task=HEARTBEAT, finished_at=timezone.now() - datetime.timedelta(seconds=interval))
    assert health.check_beat({HEARTBEAT: run}) == "ok"
    run.finished_at = timezone.now() - datetime.timedelta(seconds=interval + 61)
    assert health.check_beat({HEARTBEAT: run}) == "fail"


def test_the_reviewers_page_says_what_stopped_in_chinese(client, login_as, settings, monkeypatch):
    close_the_broker(settings, monkeypatch)
    login_as("reviewer")
    page = client.get("/operations/tasks/", HTTP_HOST="127.0.0.1").content.decode()
    assert "后台任务状态" in page and "有部分异常" in page
    assert "无法连接消息队列" in page and "无法判断" in page
    assert "redis://" not in page


def test_the_reviewers_page_lists_each_scheduled_task_and_its_last_run(client, login_as, settings, monkeypatch):
    monkeypatch.setattr(health, "check_broker_and_worker", lambda: ("ok", "ok"))
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/6"  # configured; the checks above say it answers
    TaskRun.objects.create(task=HEARTBEAT, finished_at=timezone.now())
    TaskRun.objects.create(
        task="reports.notifications.tasks.send_deadline_reminders",
        finished_at=timezone.now() - datetime.timedelta(days=3),
    )
    login_as("reviewer")
    page = client.get("/operations/tasks/", HTTP_HOST="127.0.0.1").content.decode()
    assert "全部正常" in page
    assert "截止前提醒未报单位" in page and "已逾期未运行" in page  # daily at 08:00, last run 3 days ago
    assert "重发失败的通知邮件" in page and "尚未运行" in page


def test_a_clerk_may_not_see_the_page_and_nobody_may_post(client, login_as):
    login_as("clerk_police")
    assert client.get("/operations/tasks/", HTTP_HOST="127.0.0.1").status_code == 403
    assert client.post("/healthz", HTTP_HOST="127.0.0.1").status_code == 405


def test_a_burst_of_healthz_requests_costs_one_round_of_checks(client, monkeypatch, settings):
    """/healthz needs no login: many calls a second must not each open a broker connection and wait on a ping."""
    rounds = []

    def counted():
        rounds.append(1)
        return {"database": "ok", "migrations": "ok", "broker": "off", "worker": "off", "beat": "off"}, {}

    monkeypatch.setattr(health, "report", counted)
    settings.HEALTH_CACHE_SECONDS = 60
    assert all(client.get("/healthz", HTTP_HOST="127.0.0.1").status_code == 200 for _ in range(5))
    assert len(rounds) == 1
    settings.HEALTH_CACHE_SECONDS = 0
    client.get("/healthz", HTTP_HOST="127.0.0.1")
    assert len(rounds) == 2
