"""A database made by the previous main (one responsible department per indicator) migrates to forms.

The database is taken back to the previous main's leaf migrations, loaded through
the historical models of that time (departments, indicators with departments,
values with their history, monthly reports in every state and their events, users),
migrated forward, and compared: counts and sums must not move, and each department's
form must hold exactly the indicators it was responsible for. Then back and forward
again. Runs on SQLite and PostgreSQL; the database is left migrated (and emptied,
as every transactional test leaves it) for the tests after it.
"""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Sum
from django.utils import timezone

# The leaf migrations of main before forms (what a database in production was migrated to).
PREVIOUS_MAIN = [("metrics", "0007_department_kind_choices"), ("reports", "0006_summary_sign_off")]
STATES = ["not_started", "draft", "submitted", "returned", "approved"]


def _migrate(targets):
    """Migrate to `targets` (None: the latest) and return the apps of the state reached."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _load_old_database(apps):
    """What a county had under the previous main, written through that time's models."""
    Area = apps.get_model("metrics", "Area")
    Department = apps.get_model("metrics", "Department")
    Indicator = apps.get_model("metrics", "Indicator")
    DataValue = apps.get_model("metrics", "DataValue")
    HistoricalDataValue = apps.get_model("metrics", "HistoricalDataValue")
    User = apps.get_model("reports", "User")
    MonthlyReport = apps.get_model("reports", "MonthlyReport")
    ReportEvent = apps.get_model("reports", "ReportEvent")

    areas = [Area.objects.create(code=f"old_area{n}", name=f"旧领域{n}", order=n) for n in range(2)]
    county = Department.objects.create(code="old_county", name="旧县", kind="county", order=1)
    departments = [county] + [
        Department.objects.create(
            code=f"old_dept{n}",
            name=f"旧单位{n}",
            kind="town" if n % 2 else "bureau",
            parent=county if n % 2 else None,
            top_unit=county if n % 2 else None,
            order=n + 2,
            active=n != 3,
        )
        for n in range(4)
    ]
    indicators = []
    for n in range(12):
        indicators.append(
            Indicator.objects.create(
                code=f"old.ind{n:02d}",
                area=areas[n % 2],
                name=f"旧指标{n}",
                unit="件" if n % 3 else "万元",
                kind=["flow", "stock", "rate"][n % 3],
                decimals=0 if n % 3 else 4,
                department=departments[n % len(departments)] if n != 11 else None,  # one with nobody
                order=100 - n,  # catalogue order differs from creation order
                active=n != 7,
            )
        )
    Indicator.objects.create(
        code="old.ratio",
        area=areas[0],
        name="旧比率",
        unit="%",
        kind="ratio",
        decimals=2,
        numerator=indicators[3],
        denominator=indicators[0],
    )
    clerk = User.objects.create(username="old_clerk", role="clerk", department=departments[1])
    reviewer = User.objects.create(username="old_reviewer", role="reviewer")
    at = timezone.make_aware(datetime.datetime(2023, 3, 2, 9))
    for m in range(1, 6):
        month = datetime.date(2023, m, 1)
        for d, department in enumerate(departments):
            state = STATES[(m + d) % len(STATES)]
            report = MonthlyReport.objects.create(department=department, month=month, state=state, version=m)
            ReportEvent.objects.create(
                report=report, action="save", from_state="not_started", to_state=state, user=clerk, at=at, version=m
            )
            for indicator in indicators:
                if indicator.department_id != department.pk and (m + d) % 4:
                    continue  # mostly the responsible department; a few values from others, as imports allowed
                value = DataValue.objects.create(
                    indicator=indicator,
                    department=department,
                    month=month,
                    value=None if (m * d) % 7 == 3 else Decimal(m * 10 + d) + Decimal("0.5") * (indicator.decimals > 0),
                    status={"approved": "approved", "submitted": "submitted"}.get(state, "draft"),
                )
                HistoricalDataValue.objects.create(
                    id=value.pk,
                    indicator_id=indicator.pk,
                    department_id=department.pk,
                    month=month,
                    value=value.value,
                    status=value.status,
                    history_date=at,
                    history_type="+",
                    history_user_id=reviewer.pk,
                )


def _measure(apps):
    """Counts and sums that a migration must keep."""
    DataValue = apps.get_model("metrics", "DataValue")
    return {
        "values": DataValue.objects.count(),
        "sums": {
            code: (total, n)
            for code, total, n in DataValue.objects.order_by()
            .values_list("indicator__code")
            .annotate(Sum("value"), Count("pk"))
            .values_list("indicator__code", "value__sum", "pk__count")
        },
        "history": apps.get_model("metrics", "HistoricalDataValue").objects.count(),
        "reports": dict(
            apps.get_model("reports", "MonthlyReport").objects.order_by().values_list("state").annotate(Count("pk"))
        ),
        "events": apps.get_model("reports", "ReportEvent").objects.count(),
        "users": apps.get_model("reports", "User").objects.count(),
        "departments": apps.get_model("metrics", "Department").objects.count(),
        "indicators": apps.get_model("metrics", "Indicator").objects.count(),
    }


def _responsibilities(apps):
    """{department code: [indicator code]} under the previous main, in catalogue order."""
    Indicator = apps.get_model("metrics", "Indicator")
    result = {}
    for code, department in (
        Indicator.objects.filter(department__isnull=False)
        .order_by("area__order", "order", "code")
        .values_list("code", "department__code")
    ):
        result.setdefault(department, []).append(code)
    return result


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_main_migrates_to_one_form_per_department():
    call_command("flush", interactive=False, verbosity=0)
    try:
        old = _migrate(PREVIOUS_MAIN)
        _load_old_database(old)
        before, owned = _measure(old), _responsibilities(old)
        assert set(before["reports"]) == set(STATES) and before["history"] == before["values"] > 100
        assert len(owned) == 5

        # An upgrade not migrated yet is what /healthz reports as "migrations": "fail" (README, upgrade).
        from reports.operations.health import check_migrations

        assert check_migrations() == "fail"
        new = _migrate(None)
        assert _measure(new) == before
        assert check_migrations() == "ok"
        Form = new.get_model("metrics", "Form")
        assert Form.objects.count() == len(owned)
        for department, codes in owned.items():
            form = Form.objects.get(code=f"{department}_monthly")
            name = new.get_model("metrics", "Department").objects.get(code=department).name
            assert form.name == f"{name}月报" and form.active
            assert form.deadline_day == settings.REPORT_DEADLINE_DAY
            assert list(form.items.order_by("order").values_list("indicator__code", flat=True)) == codes
            assignments = list(form.assignments.values_list("department__code", "kind", "parent_id"))
            assert assignments == [(department, "", None)]
        # The product's own question gives the same answer as the old column did (active ones only).
        from metrics.assignments import indicators_for
        from metrics.models import Department

        for department in Department.objects.filter(code__in=owned, active=True):
            expected = [c for c in owned[department.code] if c != "old.ind07"]
            assert [i.code for i in indicators_for(department)] == expected

        back = _migrate(PREVIOUS_MAIN)
        assert _responsibilities(back) == owned
        assert _measure(back) == before
        assert _measure(_migrate(None)) == before
    finally:
        _migrate(None)
        # What `migrate` does after migrating: the rollup's triggers are (re)installed (metrics.apps).
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
