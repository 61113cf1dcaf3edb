"""Benchmark: a synthetic city or province in PostgreSQL, and how fast the pages read it.

    .venv/bin/python benchmarks/bench.py                 # S, M and L (L's first load takes minutes)
    .venv/bin/python benchmarks/bench.py --sizes S --runs 9
    .venv/bin/python benchmarks/bench.py --sizes L --regenerate
    .venv/bin/python benchmarks/bench.py --sizes S --load      # and requests per second (benchmarks/load.sh)

Each size lives in its own database (zhengfa_bench_s, _m, _l on $BENCH_PG, by
default postgres://postgres@127.0.0.1:5432), created, migrated and loaded on
first use (values by COPY with the indexes built afterwards, the rollup rebuilt
once) and reused afterwards. Each size is measured in its own process (Django is
set up once per database), `--runs` times after one warm-up, and the medians
are printed: the server time of the dashboard, the summary table, the JSON API
and a department breakdown (Django's test Client, a signed-in leader), saving
one month's report of 150 values through reports.reporting.workflow, and the raw SQL
that computes the same figures straight from the values table.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

# name: (top-level units, children per unit, months); 150 entered indicators each.
# Bump LAYOUT when the generated data change, so that existing databases are loaded again.
LAYOUT = 2
SIZES = {
    "S": (8, 4, 24),  # 40 departments × 150 × 24 ≈ 144k values
    "M": (50, 9, 36),  # 500 units × 150 × 36 = 2.7M
    "L": (50, 9, 120),  # 500 units × 150 × 120 = 9M
    "XL": (150, 19, 60),  # a province: 3,000 departments in 150 units × 150 × 60 = 27M
}
LAST_MONTH = datetime.date(2025, 12, 1)
FLOWS, STOCKS, RATES, RATIOS = 100, 30, 20, 10
AREAS = 15
CORE_AREAS = 5
# The last month is under way: this share of departments has it approved, this share submitted, the rest nothing.
LAST_APPROVED, LAST_SUBMITTED = 0.8, 0.1
MARKER = "bench_meta"
# Pages whose figures are cached per data version: timed warm (as a second reader) and cold.
COLD = ("dashboard", "summary", "api")


def database_url(size):
    return f"{PG}/zhengfa_bench_{size.lower()}"


# --- parent: one process per size -------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated: S, M, L, XL")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement (after one warm-up)")
    parser.add_argument("--regenerate", action="store_true", help="drop and reload the databases")
    parser.add_argument(
        "--load", action="store_true", help="also requests per second under gunicorn (benchmarks/load.sh, wrk)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.runs)

    import psycopg2

    results = {}
    for size in [s.strip().upper() for s in args.sizes.split(",") if s.strip()]:
        if size not in SIZES:
            parser.error(f"unknown size {size}")
        admin = psycopg2.connect(f"{PG}/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            name = f"zhengfa_bench_{size.lower()}"
            if args.regenerate:
                cursor.execute(f"DROP DATABASE IF EXISTS {name}")
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() and not loaded(size):
                cursor.execute(f"DROP DATABASE {name}")  # a load that did not finish: start again
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not cursor.fetchone():
                cursor.execute(f"CREATE DATABASE {name}")
        admin.close()
        env = {**os.environ, "DATABASE_URL": database_url(size), "DJANGO_SETTINGS_MODULE": "zhengfa.settings"}
        env.setdefault("SECRET_KEY", "benchmark-only-not-secret")
        out = subprocess.run(
            [sys.executable, __file__, "--child", size, "--runs", str(args.runs)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        ).stdout
        results[size] = json.loads(out.strip().splitlines()[-1])
        if args.load:
            results[size]["load"] = throughput(size)
    print_table(results, args.runs)


def loaded(size):
    """Whether the size's database holds a finished load of the current shape."""
    import psycopg2

    connection = psycopg2.connect(database_url(size))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [MARKER])
            if cursor.fetchone()[0] is None:
                return False
            cursor.execute(f"SELECT shape FROM {MARKER} WHERE size = %s", [size])
            row = cursor.fetchone()
            return row is not None and row[0] == repr((SIZES[size], LAYOUT))
    finally:
        connection.close()


def throughput(size):
    """benchmarks/load.sh's lines for the size: {page: (req/s, p99, errors)} and the approval check."""
    env = {**os.environ, "SIZE": size}
    out = subprocess.run(
        ["bash", str(ROOT / "benchmarks" / "load.sh")], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    ).stdout
    log(out)
    pages, approval = {}, None
    for line in out.splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[2] == "req/s":
            pages[fields[0]] = (fields[1], fields[fields.index("p99") + 1], fields[-1])
        elif line.startswith("approval under load"):
            approval = line.split(": ", 1)[1]
    return {"pages": pages, "approval": approval, "setting": out.splitlines()[0] if out else ""}


def print_table(results, runs):
    rows = [
        ("dashboard", "dashboard", "raw_dashboard"),
        ("dashboard, cache cold", "dashboard_cold", "raw_dashboard"),
        ("summary table", "summary", "raw_summary"),
        ("summary table, cache cold", "summary_cold", "raw_summary"),
        ("API /api/v1/summary", "api", "raw_summary"),
        ("API, cache cold", "api_cold", "raw_summary"),
        ("department breakdown", "breakdown", "raw_breakdown"),
        ("completeness grid, one month (department × form)", "completeness", None),
        ("review queue", "review", None),
        ("save one month's report", "save", "raw_save"),
    ]
    print()
    print(f"Median server time in ms over {runs} runs (ratio = page / raw SQL for the same figures)")
    header = "| | " + " | ".join(
        f"{s} ({r['values'] / 1e6:.2f}M values, {r['departments']} depts)" for s, r in results.items()
    )
    print(header + " |")
    print("|---" * (len(results) + 1) + "|")
    for label, page, raw in rows:
        cells = []
        for r in results.values():
            t = r["timings"]
            if page not in t:
                cells.append("—")
                continue
            if raw is None:
                cells.append(f"{t[page]:.1f}")
                continue
            cells.append(f"{t[page]:.1f} (raw {t[raw]:.1f}, ×{t[page] / t[raw]:.2f})")
        print(f"| {label} | " + " | ".join(cells) + " |")
    for page, label in (("dashboard", "dashboard"), ("summary", "summary table"), ("api", "API")):
        if not any("load" in r for r in results.values()):
            break
        cells = []
        for r in results.values():
            rps, p99, errors = r.get("load", {}).get("pages", {}).get(page, ("—", "—", "—"))
            cells.append(f"{rps} (p99 {p99}, {errors} errors)")
        print(f"| {label}, requests/s under gunicorn | " + " | ".join(cells) + " |")
    if any("load" in r for r in results.values()):
        checks = [r.get("load", {}).get("approval") or "—" for r in results.values()]
        print("| approval under load | " + " | ".join(checks) + " |")
        for size, r in results.items():
            if "load" in r:
                print(f"{size} load: {r['load']['setting']}")
    for size, r in results.items():
        print(f"{size}: period {r['period']}, queries per page {r['queries']}, load {r.get('load_seconds', 'reused')}")


# --- child: one database ----------------------------------------------------------------------


def child(size, runs):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    log(f"[{size}] migrate")
    call_command("migrate", verbosity=0, interactive=False)
    load_seconds = None
    if not generated(size):
        started = time.perf_counter()
        generate(size)
        load_seconds = round(time.perf_counter() - started)
    result = measure(size, runs)
    result["load_seconds"] = load_seconds
    print(json.dumps(result, default=str))


def log(message):
    print(message, file=sys.stderr, flush=True)


def generated(size):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (size text, shape text, loaded_at timestamptz)")
        cursor.execute(f"SELECT shape FROM {MARKER} WHERE size = %s", [size])
        row = cursor.fetchone()
    return row is not None and row[0] == repr((SIZES[size], LAYOUT))


def months_of(size):
    from metrics.periods import add_months, month_list

    return month_list(add_months(LAST_MONTH, 1 - SIZES[size][2]), LAST_MONTH)


def generate(size):
    """Catalogue with the ORM (small), values by COPY without indexes, then indexes, rollup, ANALYZE."""
    from django.db import connection, transaction

    from metrics import rollup
    from metrics.models import Area, DataValue, Department, Form, FormAssignment, FormIndicator, Indicator, Kind, Target
    from reports.models import Role, User
    from reports.reporting.models import MonthlyReport, allow_state_changes

    tops, children, _n = SIZES[size]
    months = months_of(size)
    log(f"[{size}] catalogue")
    with transaction.atomic():
        areas = Area.objects.bulk_create(
            Area(code=f"area{n:02d}", name=f"领域{n:02d}", order=n, core=n <= CORE_AREAS) for n in range(1, AREAS + 1)
        )
        top_units = Department.objects.bulk_create(
            Department(code=f"unit{n:03d}", name=f"单位{n:03d}", kind="county", order=n * 100) for n in range(tops)
        )
        Department.objects.bulk_create(
            Department(
                code=f"unit{t:03d}_{c:02d}",
                name=f"单位{t:03d}-{c:02d}",
                parent=top,
                top_unit=top,
                order=t * 100 + c + 1,
            )
            for t, top in enumerate(top_units)
            for c in range(children)
        )
        departments = list(Department.objects.order_by("order"))
        responsible = top_units[0]  # its clerk saves the benchmark's report
        kinds = [Kind.FLOW] * FLOWS + [Kind.STOCK] * STOCKS + [Kind.RATE] * RATES
        rng = random.Random(9)
        rng.shuffle(kinds)
        indicators = Indicator.objects.bulk_create(
            Indicator(
                code=f"ind{n:03d}",
                area=areas[n % AREAS],
                name=f"指标{n:03d}",
                unit="%" if kind == Kind.RATE else ("万元" if n % 7 == 0 else "件"),
                kind=kind,
                decimals=2 if kind == Kind.RATE else (4 if n % 7 == 0 else 0),
                order=n,
                better=["up", "down", "none"][n % 3],
                headline=n % AREAS < CORE_AREAS and n < 45,
            )
            for n, kind in enumerate(kinds)
        )
        flows = [i for i in indicators if i.kind == Kind.FLOW]
        Indicator.objects.bulk_create(
            Indicator(
                code=f"ratio{n:02d}",
                area=areas[n % AREAS],
                name=f"比率{n:02d}",
                unit="%",
                kind=Kind.RATIO,
                decimals=2,
                numerator=flows[2 * n],
                denominator=flows[2 * n + 1],
                order=1000 + n,
                headline=n < CORE_AREAS,
            )
            for n in range(RATIOS)
        )
        # One city-wide form through the product's own model: every top-level unit by kind, and
        # everything under each of them by parent, reports every entered indicator.
        form = Form.objects.create(code="city_monthly", name="市域月报", order=1)
        FormIndicator.objects.bulk_create(
            FormIndicator(form=form, indicator=i, order=n) for n, i in enumerate(indicators, start=1)
        )
        FormAssignment.objects.bulk_create(
            [FormAssignment(form=form, kind="county")] + [FormAssignment(form=form, parent=top) for top in top_units]
        )
        Target.objects.bulk_create(
            Target(indicator=i, year=LAST_MONTH.year, value=1000 * (n + 1)) for n, i in enumerate(flows[:10])
        )
        leader = User(username="bench_leader", role=Role.LEADER)
        leader.set_password("bench-password-1")
        leader.save()
        clerk = User(username="bench_clerk", role=Role.CLERK, department=responsible)
        clerk.set_password("bench-password-1")
        clerk.save()
        # Synthetic history in bulk, as the demo loads it: states written outside the workflow on purpose.
        with allow_state_changes():
            MonthlyReport.objects.bulk_create(
                MonthlyReport(department=responsible, form=form, month=m, state="approved", version=1) for m in months
            )

    log(f"[{size}] {len(departments)} departments × {len(indicators)} indicators × {len(months)} months: COPY")
    table = DataValue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for name, _definition, _type in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        raw = cursor.connection
        with raw.cursor() as copy:
            copy.copy_expert(
                f"COPY {table} (indicator_id, department_id, month, value, note, status, updated_at) FROM STDIN",
                ValueStream(indicators, departments, months),
            )
        log(f"[{size}] indexes and constraints")
        for name, definition, _type in sorted(constraints, key=lambda c: "puf".index(c[2])):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    log(f"[{size}] rollup")
    rollup.rebuild()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        log(f"[{size}] {cursor.fetchone()[0]} values; VACUUM ANALYZE")
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")
        cursor.execute(f"DELETE FROM {MARKER} WHERE size = %s", [size])
        cursor.execute(f"INSERT INTO {MARKER} VALUES (%s, %s, now())", [size, repr((SIZES[size], LAYOUT))])


class ValueStream:
    """A file-like COPY source: one line per (department, indicator, month), made as COPY reads."""

    def __init__(self, indicators, departments, months):
        self.lines = self._lines(indicators, departments, months)
        self.buffer = ""

    def _lines(self, indicators, departments, months):
        # Month by month, as reports arrive in a real system (so a month's values sit together on disk).
        rng = random.Random(2023)
        now = datetime.datetime.now(datetime.UTC).isoformat()
        last = months[-1]
        factors, last_statuses = [], []
        for _department in departments:
            factors.append(0.5 + rng.random())
            share = rng.random()
            last_statuses.append(
                "approved" if share < LAST_APPROVED else "submitted" if share < LAST_APPROVED + LAST_SUBMITTED else None
            )
        for m_index, month in enumerate(months):
            for d_index, department in enumerate(departments):
                status = "approved"
                if month == last:
                    status = last_statuses[d_index]
                    if status is None:
                        continue
                factor = factors[d_index]
                rows = []
                for i_index, indicator in enumerate(indicators):
                    base = 5 + (i_index * 37 + d_index * 11) % 200
                    wave = 1 + ((m_index * 7 + i_index) % 13 - 6) / 30
                    if indicator.kind == "rate":
                        value = f"{min(100.0, 50 + base / 5 * factor * wave):.2f}"
                    elif indicator.decimals:
                        value = f"{base * factor * wave:.4f}"
                    else:
                        value = str(int(base * factor * wave))
                    if (d_index + i_index + m_index) % 211 == 0:
                        value = r"\N"  # a blank: missing, not zero
                    rows.append(f"{indicator.pk}\t{department.pk}\t{month}\t{value}\t\t{status}\t{now}\n")
                yield "".join(rows)

    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.lines, None)
            if chunk is None:
                break
            self.buffer += chunk
        if size < 0:
            data, self.buffer = self.buffer, ""
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    readline = read


# --- measuring --------------------------------------------------------------------------------


def timed(fn, runs):
    fn()  # warm-up: caches, connections, plans
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(size, runs):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from metrics.aggregation import latest_month
    from metrics.models import DataValue, Department, Indicator, Kind
    from metrics.periods import default_period
    from reports.models import User

    period = default_period(latest_month(), timezone.localdate())
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="bench_leader"))
    headline = Indicator.objects.filter(kind=Kind.FLOW).order_by("order").first()

    def get(url, params=None):
        def fetch():
            response = client.get(url, params or {})
            assert response.status_code == 200, (url, response.status_code)
            return response

        return fetch

    pages = {
        "dashboard": get("/dashboard/", {"period": period.code}),
        "summary": get("/tables/summary/", {"period": period.code}),
        "api": get("/api/v1/summary", {"period": period.code}),
        "breakdown": get(f"/tables/indicator/{headline.code}/departments/", {"period": period.code}),
        # A leader reads both (reviewers act on them): the month under way, every department × form.
        "completeness": get("/completeness/", {"start": f"{period.last:%Y-%m}", "end": f"{period.last:%Y-%m}"}),
        "review": get("/review/"),
    }
    timings, queries = {}, {}
    for name, fetch in pages.items():
        log(f"[{size}] {name}")
        timings[name] = timed(fetch, runs)
        with CaptureQueriesContext(connection) as captured:
            fetch()
        queries[name] = len(captured)
        if name in COLD:
            # The first reader after a change of the data: nothing cached (metrics.versions.cached).
            timings[f"{name}_cold"] = timed(lambda fetch=fetch: (cache.clear(), fetch()), runs)
            with CaptureQueriesContext(connection) as captured:
                cache.clear()
                fetch()
            queries[f"{name}_cold"] = len(captured)

    previous = period.year_ago()
    raw = RawSql(connection, period, previous)
    leads = raw.leads()
    log(f"[{size}] raw SQL")
    timings["raw_summary"] = timed(raw.summary, runs)
    timings["raw_breakdown"] = timed(lambda: raw.breakdown([headline.pk]), runs)
    timings["raw_dashboard"] = timed(lambda: (raw.summary(), raw.series(leads), raw.by_unit(leads)), runs)

    log(f"[{size}] save")
    save, raw_save, cleanup = savers(size)
    try:
        timings["save"] = timed(save, min(runs, 11))
        timings["raw_save"] = timed(raw_save, runs)
    finally:
        cleanup()
    return {
        "size": size,
        "period": period.code,
        "values": DataValue.objects.count(),
        "departments": Department.objects.count(),
        "timings": timings,
        "queries": queries,
    }


class RawSql:
    """The same figures straight from the values table, in plain SQL (the base line)."""

    def __init__(self, connection, period, previous):
        self.connection, self.period, self.previous = connection, period, previous

    def run(self, sql, params):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def leads(self):
        """The indicators the dashboard charts (core areas' headline ones), ratios by their components."""
        rows = self.run(
            "SELECT i.id, i.numerator_id, i.denominator_id FROM metrics_indicator i"
            " JOIN metrics_area a ON a.id = i.area_id WHERE a.core AND i.headline AND i.active",
            [],
        )
        return sorted({pk for row in rows for pk in (row[1:] if row[1] else row[:1])})

    def summary(self, by_department=False, indicator_ids=None, by_unit=False):
        """Flows: sums per indicator for both periods; stocks and rates: each department's last month.

        Per indicator, or per indicator and department, or per indicator and top-level unit (`by_unit`:
        the dashboard's breakdown, a department with everything under it).
        """
        p, q = self.period, self.previous
        group = "indicator_id, department_id" if by_department else "indicator_id"
        join = ""
        if by_unit:
            group = "indicator_id, COALESCE(u.top_unit_id, u.id)"
            join = "JOIN metrics_department u ON u.id = department_id"
        only = "AND indicator_id = ANY(%(ids)s)" if indicator_ids else ""
        params = {"pf": p.first, "pl": p.last, "qf": q.first, "ql": q.last, "ids": indicator_ids}
        flows = self.run(
            f"""SELECT {group},
                SUM(value) FILTER (WHERE month >= %(pf)s), COUNT(*) FILTER (WHERE month >= %(pf)s),
                SUM(value) FILTER (WHERE month <= %(ql)s), COUNT(*) FILTER (WHERE month <= %(ql)s)
            FROM metrics_datavalue v {join}
            WHERE indicator_id IN (SELECT id FROM metrics_indicator WHERE kind = 'flow') {only}
              AND status = 'approved' AND value IS NOT NULL
              AND ((month >= %(pf)s AND month <= %(pl)s) OR (month >= %(qf)s AND month <= %(ql)s))
            GROUP BY {group}""",
            params,
        )
        levels = []
        for first, last in ((p.first, p.last), (q.first, q.last)):
            levels += self.run(
                f"""SELECT {group}, SUM(value), AVG(value), COUNT(*) FROM (
                    SELECT DISTINCT ON (indicator_id, department_id) indicator_id, department_id, value
                    FROM metrics_datavalue
                    WHERE indicator_id IN (SELECT id FROM metrics_indicator WHERE kind IN ('stock', 'rate')) {only}
                      AND status = 'approved' AND value IS NOT NULL AND month >= %(f)s AND month <= %(l)s
                    ORDER BY indicator_id, department_id, month DESC) latest {join}
                GROUP BY {group}""",
                {"f": first, "l": last, "ids": indicator_ids},
            )
        return flows, levels

    def breakdown(self, indicator_ids):
        return self.summary(by_department=True, indicator_ids=indicator_ids)

    def by_unit(self, indicator_ids):
        return self.summary(by_unit=True, indicator_ids=indicator_ids)

    def series(self, indicator_ids):
        from metrics.periods import month_start

        return self.run(
            """SELECT indicator_id, month, SUM(value), AVG(value) FROM metrics_datavalue
            WHERE indicator_id = ANY(%s) AND status = 'approved' AND value IS NOT NULL
              AND month >= %s AND month <= %s GROUP BY indicator_id, month""",
            [indicator_ids, month_start(self.period.last.year - 1, 1), self.period.last],
        )


def savers(size):
    """(save through the workflow, the same rows by plain INSERT, clean-up) for one month of 150 values."""
    from decimal import Decimal

    from django.db import connection

    from metrics.assignments import forms_for, indicators_for
    from metrics.models import DataValue, Department
    from metrics.periods import Period
    from reports.models import User
    from reports.reporting import workflow
    from reports.reporting.models import MonthlyReport, ReportAction

    clerk = User.objects.get(username="bench_clerk")
    department = Department.objects.get(pk=clerk.department_id)
    form = forms_for(department)[0]
    indicators = indicators_for(department, form)
    # Months before the data begin: past (so they may be entered) and outside every figure shown.
    first = months_of(size)[0]
    save_months = Period.year(first.year - 1).months()
    months = iter(save_months)

    def values_for(month):
        return {
            i.code: Decimal(str(round(50 + (n * 7 + month.month) % 40 * (1 if i.kind == "rate" else 3), 2)))
            if i.decimals
            else Decimal((n * 7 + month.month) % 90 + 1)
            for n, i in enumerate(indicators)
        }

    def save():
        month = next(months)
        report = workflow.get_or_create_report(department=department, form=form, month=month)
        workflow.perform(ReportAction.SAVE, report=report, user=clerk, values=values_for(month))

    def raw_save():
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.executemany(
                "INSERT INTO metrics_datavalue (indicator_id, department_id, month, value, note, status, updated_at)"
                " VALUES (%s, %s, %s, %s, '', 'draft', now())",
                [(i.pk, department.pk, save_months[-1], 1) for i in indicators],
            )
            cursor.execute("ROLLBACK")

    def cleanup():
        DataValue.objects.filter(month__in=save_months).delete()
        DataValue.history.filter(month__in=save_months).delete()
        MonthlyReport.objects.filter(month__in=save_months).delete()  # and their events

    return save, raw_save, cleanup


if __name__ == "__main__":
    sys.exit(main())
