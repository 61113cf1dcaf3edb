"""Exports through a real Celery worker and Redis (run by .ci/worker; skipped elsewhere, failing under CI)."""

import io
import time

import pytest
from docx import Document
from openpyxl import load_workbook

from reports.models import User
from reports.summary import services
from reports.summary.demo import DEMO_PERIOD
from reports.summary.models import ExportState, SummaryExport
from zhengfa.celery import app

# Committed rows, so that the worker (another process) sees them; the flush afterwards cleans up.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_each_format_and_records_a_failure(worker_broker, demo):
    """One test (one flush of the shared database): Word, Excel, PDF and a failing export, all through the worker."""
    assert app.control.ping(timeout=5), f"no Celery worker answers on {worker_broker}"
    reviewer = User.objects.get(username="reviewer")
    exports = {
        fmt: services.request_export(period=DEMO_PERIOD, format=fmt, user=reviewer) for fmt in ("docx", "xlsx", "pdf")
    }
    failing = services.request_export(period="2031H2", format="docx", user=reviewer)

    deadline = time.monotonic() + 180
    while SummaryExport.objects.open().exists():
        if time.monotonic() > deadline:
            pytest.fail("exports still open after 180 s: is the worker running against this database?")
        time.sleep(0.3)

    for fmt, export in exports.items():
        export.refresh_from_db()
        assert export.state == ExportState.DONE, (fmt, export.error)
        assert export.started_at is not None and export.progress == 100
    docx = exports["docx"].file.read()
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "127件" in text and "同比下降11.81%" in text and "【缺数：重大事项请示报告备案 · 县委政法委】" in text
    sheet = load_workbook(io.BytesIO(exports["xlsx"].file.read()))["全部指标"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["发生电信网络诈骗案件"][3] == 127
    assert exports["pdf"].file.read().startswith(b"%PDF")

    failing.refresh_from_db()
    assert failing.state == ExportState.FAILED
    assert "2031年下半年还没有总结模板" in failing.error
