"""The monthly rollup: counted values per indicator and month, kept in step by database triggers.

Why triggers, not a service that maintains the rollup
-----------------------------------------------------
Values are written from many places: the reports services (save, submit,
approve, return), `bulk_create` in the demo loader and the spreadsheet import,
`QuerySet.update()` for a whole report's status, the admin, data fixes in a
shell. A service would be bypassed by every one of them that forgets to call
it, and `bulk_create`/`update()` send no signals to hook. A trigger on the
values table runs inside the writing statement's transaction whatever the
writer, so the rollup can never disagree with the values: an approval is in
the next page load's figures and a rolled-back write leaves no trace.

The triggers are created by migration 0003 for both databases the suite runs
on:
- PostgreSQL: statement-level AFTER triggers with transition tables, so a
  `bulk_create` of 150 values or an `update()` of a report costs one grouped
  upsert, not 150; a transaction-scoped advisory lock per department makes
  concurrent writers of the same department take turns while the
  "continued" counts are worked out (READ COMMITTED then lets the second see
  the first's rows).
- SQLite: row-level AFTER triggers (SQLite runs them row by row, so each sees
  the table as the rows before it left it). SQLite serialises writers.
`INSERT OR REPLACE` on SQLite and `session_replication_role = replica` or
disabled triggers on PostgreSQL bypass them: run `rebuild()` afterwards (the
benchmark loader does so after its COPY).

What is kept, per indicator and month, over all departments: the sum and the
number of approved values and of submitted values (drafts and missing values
never count), and how many counted values continue, i.e. the same department
has a counted value for the same indicator the next month (`approved → approved`
and `counted → counted`, counted meaning approved or submitted).

Flows of any period are sums of the rollup. A stock or rate takes each
department's last reported month in the period. Take the last month of the
period in which any department reported: every department's last month is
that one exactly when every counted value in the earlier months continues to
the next month, which the counts tell (count = continued in each earlier
month). So a half-year under way (reported up to October) is exact from the
rollup alone, and so is any period in which all departments report every
month. When not (a department late or skipping a month), the rollup still
gives the sum and count of the departments that did report in that month,
and aggregation reads from the values table only the others' last values:
values in the months whose counts show values that do not continue, with no
later counted value in the period (metrics.totals._last_values_before).
The result is the same as reading everything from the values table; the
hypothesis property test in tests/metrics/test_aggregation.py checks it.
"""

import datetime
from decimal import Decimal

from django.db import connection, transaction

from .derived import MonthlyRollup, UnitRollup

COLUMNS = "approved_sum, approved_count, submitted_sum, submitted_count, approved_continued, counted_continued"
# LIMIT 0, not WHERE false: the latter is costed as a scan of the whole table, which at millions of
# values pushed every trigger's plan over jit_above_cost (18 ms of JIT compiling per statement).
EMPTY = "(SELECT * FROM metrics_datavalue LIMIT 0)"
# An UPDATE that changes none of the counted fields (a note, updated_at) changes nothing here.
UPDATED = (
    "(SELECT {a}.* FROM old_rows o JOIN new_rows n ON n.id = o.id"
    " WHERE (o.indicator_id, o.department_id, o.month, o.value, o.status)"
    " IS DISTINCT FROM (n.indicator_id, n.department_id, n.month, n.value, n.status))"
)
PG_SOURCES = {
    "insert": (EMPTY, "new_rows"),
    "update": (UPDATED.format(a="o"), UPDATED.format(a="n")),
    "delete": ("old_rows", EMPTY),
}

# A department's top-level unit (metrics.models.Department.top_unit; its own id when top-level).
UNIT_OF = "(SELECT COALESCE(u.top_unit_id, u.id) FROM metrics_department u WHERE u.id = {row}.department_id)"

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION metrics_rollup_{op}() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $body$
BEGIN
    -- Writers of the same department take turns, so that the later one sees the
    -- earlier one's committed rows when it works out which values continue.
    PERFORM pg_advisory_xact_lock(7209, d.department_id::int)
    FROM (SELECT DISTINCT department_id FROM (
            SELECT department_id FROM {old} o UNION ALL SELECT department_id FROM {new} n) c
          ORDER BY 1) d;

    -- Sums and counts, per unit and for the county: take the old rows out, put the new ones in.
    WITH c AS (
        SELECT x.indicator_id, COALESCE(u.top_unit_id, u.id) AS unit_id, x.month, x.value, x.status, x.sign
        FROM (SELECT indicator_id, department_id, month, value, status, 1 AS sign FROM {new} n
              UNION ALL SELECT indicator_id, department_id, month, value, status, -1 FROM {old} o) x
        JOIN metrics_department u ON u.id = x.department_id
        WHERE x.value IS NOT NULL AND x.status IN ('approved', 'submitted')
    ), per_unit AS (
        INSERT INTO metrics_unitrollup AS r (indicator_id, unit_id, month, {columns})
        SELECT indicator_id, unit_id, month, {sums}, 0, 0 FROM c GROUP BY indicator_id, unit_id, month
        ON CONFLICT (indicator_id, month, unit_id) DO UPDATE SET {add_sums}
    )
    INSERT INTO metrics_monthlyrollup AS r (indicator_id, month, {columns})
    SELECT indicator_id, month, {sums}, 0, 0 FROM c GROUP BY indicator_id, month
    ON CONFLICT (indicator_id, month) DO UPDATE SET {add_sums};

    -- Continued values: every (month, next month) pair of a department with a
    -- changed end, counted before and after the statement.
    WITH changed AS (
        SELECT indicator_id, department_id, month FROM {old} o
        UNION SELECT indicator_id, department_id, month FROM {new} n
    ), pairs AS (
        SELECT DISTINCT c.indicator_id, c.department_id, x.m AS month
        FROM changed c, LATERAL (VALUES (c.month), ((c.month - interval '1 month')::date)) AS x(m)
    ), ends AS (
        SELECT indicator_id, department_id, month FROM pairs
        UNION SELECT indicator_id, department_id, (month + interval '1 month')::date FROM pairs
    ), state AS (
        SELECT e.indicator_id, e.department_id, e.month,
            COALESCE(v.status = 'approved' AND v.value IS NOT NULL, false) AS now_a,
            COALESCE(v.status IN ('approved', 'submitted') AND v.value IS NOT NULL, false) AS now_c,
            -- before the statement: the old row there; nothing if only a new row is there; else the row as it is
            CASE WHEN o.id IS NOT NULL THEN o.status = 'approved' AND o.value IS NOT NULL
                 WHEN n.id IS NOT NULL OR v.id IS NULL THEN false
                 ELSE v.status = 'approved' AND v.value IS NOT NULL END AS was_a,
            CASE WHEN o.id IS NOT NULL THEN o.status IN ('approved', 'submitted') AND o.value IS NOT NULL
                 WHEN n.id IS NOT NULL OR v.id IS NULL THEN false
                 ELSE v.status IN ('approved', 'submitted') AND v.value IS NOT NULL END AS was_c
        FROM ends e
        LEFT JOIN metrics_datavalue v
            ON v.indicator_id = e.indicator_id AND v.department_id = e.department_id AND v.month = e.month
        LEFT JOIN {old} o
            ON o.indicator_id = e.indicator_id AND o.department_id = e.department_id AND o.month = e.month
        LEFT JOIN {new} n
            ON n.indicator_id = e.indicator_id AND n.department_id = e.department_id AND n.month = e.month
    ), delta AS (
        SELECT p.indicator_id, COALESCE(u.top_unit_id, u.id) AS unit_id, p.month,
            SUM((a.now_a AND b.now_a)::int - (a.was_a AND b.was_a)::int) AS da,
            SUM((a.now_c AND b.now_c)::int - (a.was_c AND b.was_c)::int) AS dc
        FROM pairs p
        JOIN metrics_department u ON u.id = p.department_id
        JOIN state a ON a.indicator_id = p.indicator_id AND a.department_id = p.department_id AND a.month = p.month
        JOIN state b ON b.indicator_id = p.indicator_id AND b.department_id = p.department_id
            AND b.month = (p.month + interval '1 month')::date
        GROUP BY p.indicator_id, COALESCE(u.top_unit_id, u.id), p.month
    ), per_unit AS (
        INSERT INTO metrics_unitrollup AS r (indicator_id, unit_id, month, {columns})
        SELECT indicator_id, unit_id, month, 0, 0, 0, 0, da, dc FROM delta WHERE da <> 0 OR dc <> 0
        ON CONFLICT (indicator_id, month, unit_id) DO UPDATE SET {add_continued}
    )
    INSERT INTO metrics_monthlyrollup AS r (indicator_id, month, {columns})
    SELECT indicator_id, month, 0, 0, 0, 0, SUM(da), SUM(dc) FROM delta GROUP BY indicator_id, month
    HAVING SUM(da) <> 0 OR SUM(dc) <> 0
    ON CONFLICT (indicator_id, month) DO UPDATE SET {add_continued};
    RETURN NULL;
END
$body$;
"""
SUMS = """COALESCE(SUM(sign * value) FILTER (WHERE status = 'approved'), 0),
        COALESCE(SUM(sign) FILTER (WHERE status = 'approved'), 0),
        COALESCE(SUM(sign * value) FILTER (WHERE status = 'submitted'), 0),
        COALESCE(SUM(sign) FILTER (WHERE status = 'submitted'), 0)"""
ADD_SUMS = """approved_sum = r.approved_sum + EXCLUDED.approved_sum,
        approved_count = r.approved_count + EXCLUDED.approved_count,
        submitted_sum = r.submitted_sum + EXCLUDED.submitted_sum,
        submitted_count = r.submitted_count + EXCLUDED.submitted_count"""
ADD_CONTINUED = """approved_continued = r.approved_continued + EXCLUDED.approved_continued,
        counted_continued = r.counted_continued + EXCLUDED.counted_continued"""


def _pg_function(op):
    old, new = PG_SOURCES[op]
    return PG_FUNCTION.format(
        op=op, old=old, new=new, columns=COLUMNS, sums=SUMS, add_sums=ADD_SUMS, add_continued=ADD_CONTINUED
    )


PG_TRIGGERS = """
CREATE TRIGGER metrics_rollup_insert AFTER INSERT ON metrics_datavalue
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION metrics_rollup_insert();
CREATE TRIGGER metrics_rollup_update AFTER UPDATE ON metrics_datavalue
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION metrics_rollup_update();
CREATE TRIGGER metrics_rollup_delete AFTER DELETE ON metrics_datavalue
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION metrics_rollup_delete();
CREATE OR REPLACE FUNCTION metrics_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    DELETE FROM metrics_monthlyrollup;
    DELETE FROM metrics_unitrollup;
    RETURN NULL;
END
$body$;
CREATE TRIGGER metrics_rollup_truncate AFTER TRUNCATE ON metrics_datavalue
    FOR EACH STATEMENT EXECUTE FUNCTION metrics_rollup_truncate();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS metrics_rollup_insert ON metrics_datavalue;
DROP TRIGGER IF EXISTS metrics_rollup_update ON metrics_datavalue;
DROP TRIGGER IF EXISTS metrics_rollup_delete ON metrics_datavalue;
DROP TRIGGER IF EXISTS metrics_rollup_truncate ON metrics_datavalue;
DROP FUNCTION IF EXISTS metrics_rollup_insert();
DROP FUNCTION IF EXISTS metrics_rollup_update();
DROP FUNCTION IF EXISTS metrics_rollup_delete();
DROP FUNCTION IF EXISTS metrics_rollup_truncate();
"""


def _sqlite_apply(row, sign):
    """Statements that add (sign '+') or take out (sign '-') one row's share of both rollups."""
    return _sqlite_apply_to("metrics_monthlyrollup", row, sign) + _sqlite_apply_to(
        "metrics_unitrollup", row, sign, unit=UNIT_OF.format(row=row)
    )


def _sqlite_apply_to(table, row, sign, unit=None):
    """The statements for one rollup table: the county's, or (with `unit`, the row's unit) the units'."""
    a = f"({row}.status = 'approved' AND {row}.value IS NOT NULL)"
    c = f"({row}.status IN ('approved', 'submitted') AND {row}.value IS NOT NULL)"
    unit_column, unit_value, of_unit = ("", "", "")
    if unit is not None:
        unit_column, unit_value, of_unit = "unit_id, ", f"{unit}, ", f" AND unit_id = {unit}"

    def neighbour(offset, statuses):
        return (
            f"EXISTS (SELECT 1 FROM metrics_datavalue x WHERE x.indicator_id = {row}.indicator_id"
            f" AND x.department_id = {row}.department_id AND x.month = date({row}.month, '{offset} month')"
            f" AND x.id <> {row}.id AND x.status IN ({statuses}) AND x.value IS NOT NULL)"
        )

    approved, counted = "'approved'", "'approved', 'submitted'"
    # Only an added row may need a new cell; a removed one's cell exists (or was flushed with its indicator).
    create = (
        f"INSERT OR IGNORE INTO {table} (indicator_id, {unit_column}month, {COLUMNS})"
        f" SELECT {row}.indicator_id, {unit_value}{row}.month, 0, 0, 0, 0, 0, 0 WHERE {c};"
        if sign == "+"
        else ""
    )
    return f"""
    {create}
    UPDATE {table} SET
        approved_sum = approved_sum {sign} CASE WHEN {a} THEN {row}.value ELSE 0 END,
        approved_count = approved_count {sign} {a},
        submitted_sum = submitted_sum {sign} CASE WHEN {row}.status = 'submitted' AND {row}.value IS NOT NULL
            THEN {row}.value ELSE 0 END,
        submitted_count = submitted_count {sign} ({row}.status = 'submitted' AND {row}.value IS NOT NULL),
        approved_continued = approved_continued {sign} ({a} AND {neighbour("+1", approved)}),
        counted_continued = counted_continued {sign} ({c} AND {neighbour("+1", counted)})
    WHERE {c} AND indicator_id = {row}.indicator_id AND month = {row}.month{of_unit};
    UPDATE {table} SET
        approved_continued = approved_continued {sign} ({a} AND {neighbour("-1", approved)}),
        counted_continued = counted_continued {sign} ({c} AND {neighbour("-1", counted)})
    WHERE {c} AND indicator_id = {row}.indicator_id AND month = date({row}.month, '-1 month'){of_unit};
"""


SQLITE_TRIGGERS = [
    f"CREATE TRIGGER metrics_rollup_insert AFTER INSERT ON metrics_datavalue FOR EACH ROW BEGIN"
    f"{_sqlite_apply('NEW', '+')} END;",
    "CREATE TRIGGER metrics_rollup_update AFTER UPDATE OF indicator_id, department_id, month, value, status"
    " ON metrics_datavalue FOR EACH ROW WHEN OLD.indicator_id IS NOT NEW.indicator_id"
    " OR OLD.department_id IS NOT NEW.department_id OR OLD.month IS NOT NEW.month"
    " OR OLD.value IS NOT NEW.value OR OLD.status IS NOT NEW.status BEGIN"
    f"{_sqlite_apply('OLD', '-')}{_sqlite_apply('NEW', '+')} END;",
    f"CREATE TRIGGER metrics_rollup_delete AFTER DELETE ON metrics_datavalue FOR EACH ROW BEGIN"
    f"{_sqlite_apply('OLD', '-')} END;",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS metrics_rollup_{op}" for op in ("insert", "update", "delete")]

# The rollup recomputed from the values table: per indicator and month, or per indicator, unit and month.
SELECT_ROLLUP = """
SELECT v.indicator_id, {unit}v.month,
    SUM(CASE WHEN v.status = 'approved' THEN v.value ELSE 0 END),
    SUM(CASE WHEN v.status = 'approved' THEN 1 ELSE 0 END),
    SUM(CASE WHEN v.status = 'submitted' THEN v.value ELSE 0 END),
    SUM(CASE WHEN v.status = 'submitted' THEN 1 ELSE 0 END),
    SUM(CASE WHEN v.status = 'approved' AND nx.status = 'approved' THEN 1 ELSE 0 END),
    SUM(CASE WHEN nx.id IS NOT NULL THEN 1 ELSE 0 END)
FROM metrics_datavalue v
JOIN metrics_department u ON u.id = v.department_id
LEFT JOIN metrics_datavalue nx
    ON nx.indicator_id = v.indicator_id AND nx.department_id = v.department_id
    AND nx.month = {next_month} AND nx.status IN ('approved', 'submitted') AND nx.value IS NOT NULL
WHERE v.status IN ('approved', 'submitted') AND v.value IS NOT NULL {only}
GROUP BY v.indicator_id, {unit}v.month
"""
UNIT = "COALESCE(u.top_unit_id, u.id)"


def _select(vendor, *, per_unit, units=None):
    """The SELECT that recomputes a rollup (`units`: only these units' rows)."""
    only = ""
    if units is not None:
        only = f"AND {UNIT} IN ({', '.join(str(int(pk)) for pk in units) or 'NULL'})"
    return SELECT_ROLLUP.format(unit=f"{UNIT}, " if per_unit else "", next_month=NEXT_MONTH[vendor], only=only)


NEXT_MONTH = {
    "postgresql": "(v.month + interval '1 month')::date",
    "sqlite": "date(v.month, '+1 month')",
}
TRIGGERS = ("metrics_rollup_insert", "metrics_rollup_update", "metrics_rollup_delete")


def _installed(connection):
    """{trigger name: its SQL (SQLite) or None (PostgreSQL)} on the values table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, NULL FROM pg_trigger WHERE tgrelid = 'metrics_datavalue'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'metrics_datavalue'"
            )
        return dict(cursor.fetchall())


def install(connection, *, force=False):
    """Create the triggers where missing and then rebuild the rollup; returns whether it rebuilt.

    Runs after every `migrate`: on SQLite, a migration that alters the values
    table copies it into a new table, and its triggers go with the old one.
    On PostgreSQL the functions are replaced every time (cheap), so a changed
    body takes effect.
    """
    if connection.vendor not in NEXT_MONTH:
        raise NotImplementedError(f"no rollup triggers for {connection.vendor}")
    tables = set(connection.introspection.table_names())
    if not {"metrics_monthlyrollup", "metrics_unitrollup", "metrics_datavalue"} <= tables:
        return False
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for op in PG_SOURCES:
                cursor.execute(_pg_function(op))
        present = _installed(connection)
        current = set(TRIGGERS) <= present.keys()
        if connection.vendor == "sqlite":  # an older trigger body is replaced too
            current = current and set(present.values()) >= {sql.rstrip(";") for sql in SQLITE_TRIGGERS}
        if current and not force:
            return False
        if connection.vendor == "postgresql":
            cursor.execute(PG_DROP)
            for op in PG_SOURCES:
                cursor.execute(_pg_function(op))
            cursor.execute(PG_TRIGGERS)
        else:
            for sql in SQLITE_DROP + SQLITE_TRIGGERS:
                cursor.execute(sql)
        _rebuild(cursor, connection)
    return True


def uninstall(connection):
    """Drop the triggers (before the rollup table goes, or before a bulk load)."""
    with connection.cursor() as cursor:
        for sql in PG_DROP.strip().splitlines() if connection.vendor == "postgresql" else SQLITE_DROP:
            cursor.execute(sql)


def _rebuild(cursor, connection):
    vendor = connection.vendor
    cursor.execute("DELETE FROM metrics_monthlyrollup")
    cursor.execute(
        f"INSERT INTO metrics_monthlyrollup (indicator_id, month, {COLUMNS}) {_select(vendor, per_unit=False)}"
    )
    cursor.execute("DELETE FROM metrics_unitrollup")
    cursor.execute(
        f"INSERT INTO metrics_unitrollup (indicator_id, unit_id, month, {COLUMNS}) {_select(vendor, per_unit=True)}"
    )


def rebuild():
    """Recompute the whole rollup from the values table (after a load that bypassed the triggers)."""
    with transaction.atomic(), connection.cursor() as cursor:
        _rebuild(cursor, connection)


def hold_writers():
    """Until the transaction ends, hold back writers of values and other moves (PostgreSQL).

    Taken before a department moves: writers under way finish first, later ones wait and then see
    the new top units, so no value is filed under the old unit after the recount, nor counted twice;
    two moves take turns. SHARE ROW EXCLUSIVE conflicts with writers and with itself, not with
    readers. Moves are rare. SQLite serialises writers anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE metrics_datavalue IN SHARE ROW EXCLUSIVE MODE")


def refile_units(unit_ids):
    """Recompute the per-unit rows of these top-level units (after departments moved between them)."""
    units = sorted(unit_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        hold_writers()
        cursor.execute(f"DELETE FROM metrics_unitrollup WHERE unit_id IN ({', '.join(['%s'] * len(units))})", units)
        cursor.execute(
            f"INSERT INTO metrics_unitrollup (indicator_id, unit_id, month, {COLUMNS}) "
            f"{_select(connection.vendor, per_unit=True, units=units)}"
        )


def differences():
    """{key: (kept, recomputed)} where a rollup disagrees with the values table; empty when in step.

    Keys are (indicator_id, month) for the county's rollup and (indicator_id, month, unit_id) for the
    units'. Cells that are all zero count as absent.
    """
    with connection.cursor() as cursor:
        cursor.execute(_select(connection.vendor, per_unit=False))
        expected = {(row[0], _month(row[1])): tuple(row[2:]) for row in cursor.fetchall()}
        cursor.execute(_select(connection.vendor, per_unit=True))
        expected.update({(row[0], _month(row[2]), row[1]): tuple(row[3:]) for row in cursor.fetchall()})
    columns = COLUMNS.split(", ")
    kept = {
        (row[0], row[1]): tuple(row[2:])
        for row in MonthlyRollup.objects.values_list("indicator_id", "month", *columns).iterator()
    }
    kept.update(
        {
            (row[0], row[1], row[2]): tuple(row[3:])
            for row in UnitRollup.objects.values_list("indicator_id", "month", "unit_id", *columns).iterator()
        }
    )
    diffs = {}
    for key in expected.keys() | kept.keys():
        a, b = _normal(kept.get(key)), _normal(expected.get(key))
        if a != b:
            diffs[key] = (a, b)
    return diffs


def _month(value):
    if isinstance(value, str):  # SQLite returns dates from raw SQL as text
        return datetime.date.fromisoformat(value)
    return value


def _normal(cells):
    """Comparable cells: sums rounded to 4 places (SQLite sums in floating point), None for all zero."""
    if cells is None:
        return None
    normal = tuple(round(Decimal(str(c)), 4) if c is not None else Decimal(0) for c in cells)
    return None if not any(normal) else normal
