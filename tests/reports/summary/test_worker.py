"""Exports through a real Celery worker and Redis (run by .ci/run's worker step; skipped elsewhere)."""

import io
import time

import pytest
from docx import Document
from openpyxl import load_workbook

from reports.models import User
from reports.summary import services
from reports.summary.demo import DEMO_PERIOD
from reports.summary_models import ExportState
from zhengfa.celery import app

# Committed rows, so that the worker (another process) sees them; the flush afterwards cleans up.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait(export, seconds=150):
    deadline = time.monotonic() + seconds
    seen = set()
    while time.monotonic() < deadline:
        export.refresh_from_db()
        seen.add(export.state)
        if export.state in (ExportState.DONE, ExportState.FAILED):
            return seen
        time.sleep(0.3)
    pytest.fail(f"export still {export.state} after {seconds}s: is the worker running against this database?")


@pytest.fixture
def reviewer(worker_broker, demo):
    replies = app.control.ping(timeout=5)
    assert replies, f"no Celery worker answers on {worker_broker}"
    return User.objects.get(username="reviewer")


@pytest.mark.parametrize("format", ["docx", "xlsx", "pdf"])
def test_a_real_worker_builds_the_export_file(reviewer, format):
    export = services.request_export(period=DEMO_PERIOD, format=format, user=reviewer)
    seen = _wait(export)
    assert export.state == ExportState.DONE, export.error
    assert ExportState.QUEUED not in seen or export.started_at is not None
    content = export.file.read()
    if format == "docx":
        text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
        assert "127件" in text and "同比下降11.81%" in text and "【缺数：" in text
    elif format == "xlsx":
        rows = {r[1]: r for r in load_workbook(io.BytesIO(content))["全部指标"].iter_rows(min_row=3, values_only=True)}
        assert rows["发生电信网络诈骗案件"][3] == 127
    else:
        assert content.startswith(b"%PDF")


def test_a_real_worker_records_a_failure_with_its_reason(reviewer):
    export = services.request_export(period="2031H2", format="docx", user=reviewer)
    _wait(export)
    assert export.state == ExportState.FAILED
    assert "2031年下半年还没有总结模板" in export.error
