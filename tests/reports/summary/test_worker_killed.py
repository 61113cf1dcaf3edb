"""A real Celery worker process killed (SIGKILL) in the middle of an export: the task is
requeued, the redelivery takes the export over, and it ends done. Run by .ci/worker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from reports.models import User
from reports.summary import tasks
from reports.summary.demo import DEMO_PERIOD
from reports.summary.models import ExportState, SummaryExport
from zhengfa.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

QUEUE = "zhengfa-kill-test"


@pytest.fixture
def own_worker(worker_broker, demo, tmp_path):
    """A prefork worker of our own (one child) on a queue of its own, with a 2-second export lease."""
    name = f"kill-test-{os.getpid()}@%h"
    env = {**os.environ, "SUMMARY_EXPORT_LEASE_SECONDS": "2", "DJANGO_SETTINGS_MODULE": "zhengfa.settings"}
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "zhengfa", "worker", "--pool=prefork", "--concurrency=1"]
        + ["-Q", QUEUE, "-n", name, "--without-gossip", "--without-mingle", "-l", "info"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[name.replace("%h", os.uname().nodename)], timeout=1):
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "our worker did not start"
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


def _children(pid):
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


def _wait_for(export, states, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.state in states:
            return export.state
        time.sleep(0.05)
    return export.state


def test_an_export_whose_worker_process_is_killed_is_retried_to_done(own_worker):
    reviewer = User.objects.get(username="reviewer")
    for _attempt in range(3):
        # PDF: the LibreOffice conversion keeps it running long enough to kill it midway.
        export = SummaryExport.objects.create(period=DEMO_PERIOD, format="pdf", created_by=reviewer)
        tasks.run_summary_export.apply_async(args=[export.pk], queue=QUEUE)
        assert _wait_for(export, {ExportState.RUNNING, ExportState.DONE, ExportState.FAILED}, 60) != ExportState.QUEUED
        if export.state == ExportState.RUNNING:
            first_start = export.started_at
            children = _children(own_worker.pid)
            assert children, "the prefork worker has no child process"
            for child in children:
                os.kill(child, signal.SIGKILL)
            break
    else:
        pytest.fail("the export finished before it could be killed, three times")

    state = _wait_for(export, {ExportState.DONE, ExportState.FAILED}, 150)
    assert state == ExportState.DONE, f"{state}: {export.error}"
    assert export.started_at > first_start, "the export was not taken over by a redelivery"
    assert export.file.read().startswith(b"%PDF")
