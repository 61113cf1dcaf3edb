"""Data and catalogue versions, bumped by database triggers, and the cache of figures keyed by them.

Why triggers
------------
For the same reason as the rollup (metrics/rollup.py): values are written by
the workflow's save, submit, approve and return (`DataValue.objects.update`),
`bulk_create` in imports and loaders, deletes, the admin and shell fixes. A
trigger runs inside the writing statement's transaction whatever the writer,
so the version changes exactly when a change of the figures commits: readers
see the new version together with the new values, and a rolled-back
transaction leaves the version as it was.

A one-row counter per name (`metrics.derived.Version`): `data` is bumped by
every insert, update or delete of data values (and, installed by the reports
app, of monthly reports, whose states the completeness figures count);
`catalogue` by changes of areas, departments (a move between units included),
indicators and targets. On PostgreSQL one statement-level trigger per table
bumps once per statement; on SQLite (row triggers only) once per row.

The bump is an upsert of one row, so it holds that row's lock until the
writer commits: writers of values take turns from their first write to their
commit. They did already: every save of a month upserts the same rollup rows
(indicator, month).

Why reading the version first is enough for staleness 0
-------------------------------------------------------
`cached()` reads the versions, then computes. A change committed before the
read is in the version read, hence in a new key; a change committed between
the read and the computation can only make the entry newer than its key, and
no later reader asks for that older key. Only a version that goes back (a
restored backup, a flushed test database) could find an entry made for other
data: clear the cache after a restore (`python manage.py shell -c "from
django.core.cache import cache; cache.clear()"`); the test suite clears it
before every test.
"""

import hashlib
import time

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from . import periods

DATA = "data"
CATALOGUE = "catalogue"
NAMES = (DATA, CATALOGUE)

# The metrics tables each name watches; reports adds its monthly reports (reports/apps.py).
TABLES = {
    "metrics_datavalue": DATA,
    "metrics_area": CATALOGUE,
    "metrics_department": CATALOGUE,
    "metrics_indicator": CATALOGUE,
    "metrics_target": CATALOGUE,
    # Who reports what (forms, their indicators and assignments) changes reporters, 缺数 and completeness.
    "metrics_form": CATALOGUE,
    "metrics_formindicator": CATALOGUE,
    "metrics_formassignment": CATALOGUE,
}
# Entries outlive no version change; this only bounds the memory of versions nobody asks for any more.
CACHE_SECONDS = 24 * 3600
_ABSENT = object()
# Readers of an entry being computed wait for it in steps of WAIT_STEP, up to LOCK_SECONDS.
LOCK_SECONDS = 20
WAIT_STEP = 0.02

BUMP = (
    "INSERT INTO metrics_version (name, value) VALUES ({name}, 1) ON CONFLICT (name) DO UPDATE SET value = {value} + 1"
)

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION metrics_bump_version() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    {BUMP.format(name="TG_ARGV[0]", value="metrics_version.value")};
    RETURN NULL;
END
$body$;
"""
# Named <table>_bump_version: on the values table it fires before metrics_rollup_* (triggers of
# one event fire in name order), so the version's row lock is taken before the rollup's locks.
PG_TRIGGER = """
DROP TRIGGER IF EXISTS {table}_bump_version ON {table};
CREATE TRIGGER {table}_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION metrics_bump_version('{name}');
"""
SQLITE_TRIGGER = (
    "CREATE TRIGGER {table}_bump_version_{op} AFTER {op} ON {table} FOR EACH ROW BEGIN "
    + BUMP.format(name="'{name}'", value="value")
    + "; END"
)


def _sqlite_triggers(table, name):
    return {
        f"{table}_bump_version_{op}": SQLITE_TRIGGER.format(table=table, op=op, name=name)
        for op in ("INSERT", "UPDATE", "DELETE")
    }


def install(connection, tables=None):
    """Create (or replace) the version triggers on `tables` ({table: name}; default: the metrics tables).

    Runs after every `migrate` (metrics/apps.py, reports/apps.py): on SQLite a migration that
    alters a table copies it into a new one, and its triggers go with the old one.
    """
    tables = TABLES if tables is None else tables
    present = set(connection.introspection.table_names())
    if "metrics_version" not in present:
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            for table, name in tables.items():
                if table in present:
                    cursor.execute(PG_TRIGGER.format(table=table, name=name))
        elif connection.vendor == "sqlite":
            for table, name in tables.items():
                if table not in present:
                    continue
                for trigger, sql in _sqlite_triggers(table, name).items():
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                    cursor.execute(sql)
        else:
            raise NotImplementedError(f"no version triggers for {connection.vendor}")


def current():
    """{name: value} of every version (one query); a name with no row yet is 0."""
    from .derived import Version

    values = dict.fromkeys(NAMES, 0)
    values.update(Version.objects.values_list("name", "value"))
    return values


def cached(name, *parts, compute):
    """compute() once per (name, parts, data and catalogue versions, language), from Django's cache.

    `parts` must name everything the result depends on besides the versions and the language
    (period, scope, include_submitted, today…), never the user: callers cache what every user
    allowed to ask gets alike. Redis in production (CACHE_URL), local memory by default.
    """
    key = cache_key(name, *parts)
    value = cache.get(key, _ABSENT)  # None is a value too (no data yet)
    if value is not _ABSENT:
        return value
    # One reader computes, the others wait for its result: after an approval, eight readers computing
    # the same dashboard at once on two cores each took four times as long (the load test's p99).
    lock = f"{key}:computing"
    waited = 0.0
    while not cache.add(lock, 1, LOCK_SECONDS):
        time.sleep(WAIT_STEP)
        value = cache.get(key, _ABSENT)
        if value is not _ABSENT:
            return value
        waited += WAIT_STEP
        if waited > LOCK_SECONDS:
            break  # the one computing is gone: compute here
    try:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    finally:
        cache.delete(lock)
    return value


def uninstall(connection):
    """Drop the version triggers: every one, whichever app installed it (reports adds its reports'),
    since each writes to metrics_version and must not outlive it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The function goes with every trigger that calls it.
            cursor.execute("DROP FUNCTION IF EXISTS metrics_bump_version() CASCADE")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%bump_version%'")
            for (trigger,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def cache_key(name, *parts):
    """The key of `cached(name, *parts)` at the current data and catalogue versions (one query)."""
    versions = current()
    # Figures cover the months over by today (metrics.coverage): a new month is a new key too.
    month = periods.last_month_over(periods.today())
    text = "\x1f".join(str(p) for p in (name, versions[DATA], versions[CATALOGUE], get_language(), month, *parts))
    return f"figures:{name}:{hashlib.sha256(text.encode()).hexdigest()}"
