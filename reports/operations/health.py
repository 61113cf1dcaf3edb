"""Health checks: the database, its migrations, the broker, a worker and beat.

Each check answers OK, FAIL, OFF (not configured: without a broker tasks run in the web process)
or UNKNOWN (what it needs has failed). /healthz shows only these words; the reviewers' page
(后台任务状态) adds the times of the scheduled tasks' last runs.
"""

import time

from celery import Celery
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from kombu.exceptions import OperationalError as BrokerError

from reports.operations.models import TaskRun
from reports.operations.schedule import is_late, scheduled_tasks
from reports.operations.tasks import HEARTBEAT

OK, FAIL, OFF, UNKNOWN = "ok", "fail", "off", "unknown"
CHECKS = ("database", "migrations", "broker", "worker", "beat")


def check_database():
    """The database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return FAIL
    return OK


def check_migrations():
    """Every migration of this code is applied (an upgrade not migrated yet fails)."""
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return FAIL
    return FAIL if plan else OK


def check_broker_and_worker():
    """(broker, worker): the broker accepts a connection; a worker answers a ping within HEALTH_PING_TIMEOUT."""
    if not settings.CELERY_BROKER_URL:
        return OFF, OFF
    # A probe app of its own, so that its connections close with it instead of lingering in the
    # web process's pool. Like every Celery app, it prefers the environment's CELERY_BROKER_URL.
    probe = Celery("zhengfa-health", broker=settings.CELERY_BROKER_URL, set_as_current=False)
    probe.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    try:
        with probe.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=settings.HEALTH_PING_TIMEOUT)
            replies = probe.control.ping(timeout=settings.HEALTH_PING_TIMEOUT, limit=1, connection=broker)
    except (BrokerError, OSError):
        return FAIL, UNKNOWN
    finally:
        probe.close()
    return OK, OK if replies else FAIL


def last_runs():
    """{task name: TaskRun} of the tasks beat schedules."""
    names = scheduled_tasks(settings.CELERY_BEAT_SCHEDULE)
    return {run.task: run for run in TaskRun.objects.filter(task__in=names)}


def check_beat(runs):
    """The heartbeat beat queues has run within its schedule (plus HEALTH_BEAT_GRACE seconds)."""
    schedule = scheduled_tasks(settings.CELERY_BEAT_SCHEDULE).get(HEARTBEAT)
    if schedule is None:
        return FAIL  # beat would never show its pulse: the schedule lost its heartbeat entry
    run = runs.get(HEARTBEAT)
    if run is None or is_late(schedule, run.finished_at, settings.HEALTH_BEAT_GRACE):
        return FAIL
    return OK


def report():
    """{check name: state} for every check, in CHECKS order, and the scheduled tasks' last runs."""
    states = {"database": check_database()}
    states["migrations"] = check_migrations() if states["database"] == OK else UNKNOWN
    states["broker"], states["worker"] = check_broker_and_worker()
    runs = {}
    if states["broker"] == OFF:
        states["beat"] = OFF
    elif states["database"] != OK:
        states["beat"] = UNKNOWN
    else:
        try:
            runs = last_runs()
        except DatabaseError:  # the table is not there yet (migrations)
            states["beat"] = UNKNOWN
        else:
            # The heartbeat is run by a worker: with none, beat's pulse cannot show.
            states["beat"] = check_beat(runs) if states["worker"] == OK else UNKNOWN
    return states, runs


def healthy(states):
    """Whether every check passed (or is off)."""
    return all(state in (OK, OFF) for state in states.values())


# What /healthz answered last, and when: a monitor (or anyone, it needs no login) asking many times a
# second costs one round of checks (a broker connection, a ping that may wait) per HEALTH_CACHE_SECONDS.
_last_answer = (0.0, None)


def states_for_monitor():
    """report()'s states, at most HEALTH_CACHE_SECONDS old (per process)."""
    global _last_answer
    at, states = _last_answer
    if states is None or time.monotonic() - at >= settings.HEALTH_CACHE_SECONDS:
        states, _runs = report()
        _last_answer = (time.monotonic(), states)
    return states


def forget_answer():
    """Check afresh at the next /healthz (tests)."""
    global _last_answer
    _last_answer = (0.0, None)
