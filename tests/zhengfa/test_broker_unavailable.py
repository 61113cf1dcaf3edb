"""A broker that accepts connections but never answers, and a broker whose port is closed: every
place that queues a task gives up within seconds and says so; nothing hangs, nothing is a 500.

Real sockets, no worker: these run in the normal test stages, not only in .ci/worker.
"""

import signal
import socket
import threading
import time
from contextlib import contextmanager

import pytest
from django.urls import reverse

from reports.models import User
from reports.notifications.models import Notification
from reports.reporting.models import ReportAction, ReportEvent
from reports.reporting.workflow import transitioned
from reports.summary.demo import DEMO_PERIOD
from reports.summary.models import ExportState, SummaryExport
from zhengfa.celery import app

pytestmark = pytest.mark.django_db

# What "within seconds" means here: two attempts of BROKER_TIMEOUT_SECONDS (3 s) and a pause.
PROMPT = 10


class Hung(BaseException):
    """Raised by the alarm: not an Exception, so that no retry loop in kombu swallows it."""


@contextmanager
def at_most(seconds):
    """Fail (instead of hanging the test run) when the block takes longer than `seconds`."""

    def _ring(signum, frame):
        raise Hung(f"still waiting for the broker after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def silent_listener():
    """A TCP port that accepts connections and never sends a byte back."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


@pytest.fixture
def closed_port():
    """A port nothing listens on (bound, then released)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture(params=["silent_listener", "closed_port"])
def broken_broker(request):
    """The Celery app pointed at a broker that cannot take a task (each kind in turn); restored afterwards.

    The app keeps its connection and producer pools: the test gets new ones for its URL, which are
    closed afterwards, and the app's own come back untouched.
    """
    url = request.getfixturevalue(request.param)
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    pools = app._pool, app.amqp._producer_pool
    app._pool, app.amqp._producer_pool = None, None
    app.conf.update(broker_url=url, task_always_eager=False)
    yield url
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool, app.amqp._producer_pool = pools
    app.conf.update(saved)


@pytest.fixture
def reviewer(demo, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = User.objects.get(username="reviewer")
    client.force_login(user)
    return user


def _post(client, url, data=None):
    started = time.monotonic()
    with at_most(3 * PROMPT):
        response = client.post(url, data or {}, follow=True)
    assert time.monotonic() - started < PROMPT, "publishing did not give up within seconds"
    assert response.status_code == 200
    return response.content.decode()


# Transactional: the export is queued by on_commit, which runs when the view's transaction commits,
# before the view tells the user what happened.
@pytest.mark.django_db(transaction=True)
def test_an_export_fails_within_seconds_with_a_reason_and_a_retry_button(broken_broker, reviewer, client):
    page = _post(client, reverse("summary_export", args=[DEMO_PERIOD]), {"format": "docx"})
    export = SummaryExport.objects.get()
    assert export.state == ExportState.FAILED and export.finished_at is not None
    assert "导出服务暂时不可用" in export.error
    assert "导出失败：导出服务暂时不可用" in page  # the message at the top
    assert "失败</span>" in page and reverse("summary_retry", args=[export.pk]) in page  # the row, 重试 at once
    assert "排队中" not in page

    # 重试 while the broker is still down: the same, at once, and the first export stays failed.
    page = _post(client, reverse("summary_retry", args=[export.pk]))
    again = SummaryExport.objects.get(retry_of=export)
    assert again.state == ExportState.FAILED and "导出服务暂时不可用" in again.error
    assert "导出失败：导出服务暂时不可用" in page
    assert reverse("summary_retry", args=[again.pk]) in page


def test_the_notices_of_a_transition_are_made_in_process_when_the_broker_is_down(broken_broker, demo):
    event = ReportEvent.objects.filter(action=ReportAction.SUBMIT).order_by("-pk").first()
    Notification.objects.filter(event=event).delete()
    started = time.monotonic()
    with at_most(3 * PROMPT):
        answers = transitioned.send_robust(sender=ReportEvent, event_id=event.pk)
    assert time.monotonic() - started < PROMPT
    assert [error for _receiver, error in answers if isinstance(error, BaseException)] == []
    assert Notification.objects.filter(event=event).exists(), "the notices were lost with the task"


def test_after_a_failure_the_broker_is_not_tried_again_for_a_while(settings):
    """Bulk approval or a month's 催报 queues once per report: a dead broker costs one wait, not one each."""
    from kombu.exceptions import OperationalError

    from zhengfa import queueing

    class Unreachable:
        name = "reports.test_task"
        attempts = 0

        def apply_async(self, args):
            self.attempts += 1
            raise OperationalError("connection refused")

    task = Unreachable()
    assert queueing.publish(task, 1) is False and task.attempts == 1
    assert [queueing.publish(task, n) for n in range(2, 12)] == [False] * 10
    assert task.attempts == 1, "every publish waited on the broker again"
    settings.BROKER_RETRY_AFTER_SECONDS = 0
    queueing.forget_broker_failure()
    assert queueing.publish(task, 12) is False and task.attempts == 2
    assert queueing.publish(task, 13) is False and task.attempts == 3
