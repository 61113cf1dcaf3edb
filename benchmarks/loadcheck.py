"""Helpers of benchmarks/load.sh against a benchmark database (DATABASE_URL, CACHE_URL as gunicorn's).

    python benchmarks/loadcheck.py session            # a signed-in leader's session key and the default period
    python benchmarks/loadcheck.py approve PERIOD     # approve a submitted report; print what the dashboard must show
    python benchmarks/loadcheck.py undo               # put that report back as it was

`approve` takes a department whose last month's values are submitted, not approved (the benchmark
loads 10 % of departments so), files its report as submitted (synthetic history, as the benchmark
loads it), and approves it through the workflow, as a reviewer would. It prints the code of a
charted flow indicator whose county figure the approval changed and that figure as the dashboard's
card shows it, so that load.sh can check that the very next answer carries it.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengfa.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from metrics.aggregation import latest_month, summarize  # noqa: E402
from metrics.models import DataValue, Kind, Status  # noqa: E402
from metrics.periods import default_period, parse_period  # noqa: E402
from reports.dashboard.presentation import shown  # noqa: E402
from reports.models import Role, User  # noqa: E402
from reports.reporting import workflow  # noqa: E402
from reports.reporting.models import MonthlyReport, ReportAction, allow_state_changes  # noqa: E402

REVIEWER = "bench_reviewer"


def session():
    user = User.objects.get(username="bench_leader")
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    print(store.session_key, default_period(latest_month(), timezone.localdate()).code)


def _charted_flows(period):
    summary = summarize(period)
    return {
        f.indicator.code: f
        for f in summary.figures
        if f.indicator.kind == Kind.FLOW and f.indicator.headline and f.indicator.area.core
    }


def approve(period_code):
    period = parse_period(period_code)
    month = latest_month(include_submitted=True)
    department_id = (
        DataValue.objects.filter(month=month, status=Status.SUBMITTED)
        .exclude(department__reports__month=month)
        .values_list("department_id", flat=True)
        .first()
    )
    if department_id is None:
        sys.exit("no department with submitted values and no report: run `loadcheck.py undo` or reload")
    before = _charted_flows(period)
    reviewer, _created = User.objects.get_or_create(username=REVIEWER, defaults={"role": Role.REVIEWER})
    with transaction.atomic(), allow_state_changes():
        report = MonthlyReport.objects.create(department_id=department_id, month=month, state="submitted", version=1)
    workflow.perform(ReportAction.APPROVE, report=report, user=reviewer)
    after = _charted_flows(period)
    code = next(c for c, f in after.items() if f.value != before[c].value)
    # Last line: the workflow's notices may print e-mails before it (console backend).
    print(code, shown(after[code]).value, shown(before[code]).value, flush=True)


def undo():
    """The approved report goes, its values are submitted again (the triggers keep the rollups in step)."""
    with transaction.atomic(), allow_state_changes():
        for report in MonthlyReport.objects.filter(approved_by__username=REVIEWER):
            DataValue.objects.filter(department_id=report.department_id, month=report.month).update(
                status=Status.SUBMITTED
            )
            report.events.all().delete()
            report.delete()


if __name__ == "__main__":
    command = sys.argv[1]
    {"session": session, "approve": lambda: approve(sys.argv[2]), "undo": undo}[command]()
