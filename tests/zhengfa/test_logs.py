"""One JSON line per request and per task, on stdout: time, user id, path or task, status, duration;
never a query string, a form field, a value or a task's arguments."""

import io
import json
import logging

import pytest

from reports.operations.tasks import heartbeat
from zhengfa.logs import JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines():
    """The JSON lines the request and task loggers write during the test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("zhengfa.requests"), logging.getLogger("zhengfa.tasks")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def test_the_loggers_write_json_to_stdout():
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["json"]
    assert handler["stream"] == "ext://sys.stdout" and handler["formatter"] == "json"
    assert all(
        settings.LOGGING["loggers"][name]["handlers"] == ["json"] for name in ("zhengfa.requests", "zhengfa.tasks")
    )


def test_a_request_is_one_line_without_its_query_or_form_values(client, login_as, lines):
    user = login_as("clerk_police")
    client.post("/notifications/read/?secret=query-value", {"id": "123456789", "note": "私密备注"})
    [line] = [line for line in lines() if line["event"] == "request"]
    assert line["path"] == "/notifications/read/" and line["method"] == "POST"
    assert line["user"] == user.pk and line["status"] == 302
    assert isinstance(line["duration_ms"], float) and line["time"].endswith("+00:00")
    text = json.dumps(line, ensure_ascii=False)
    assert "query-value" not in text and "123456789" not in text and "私密备注" not in text


def test_an_anonymous_request_has_no_user_and_a_refused_one_its_status(client, lines):
    client.get("/dashboard/?period=2023H1")
    [line] = lines()
    assert line["user"] is None and line["status"] == 302 and line["path"] == "/dashboard/"


def test_a_task_is_one_line_with_its_name_state_and_duration_never_its_arguments(lines):
    heartbeat.delay()  # eager in the tests: runs here, through the same signals as on a worker
    [line] = lines()
    assert line["event"] == "task" and line["task"] == "reports.operations.heartbeat"
    assert line["status"] == "SUCCESS" and line["duration_ms"] >= 0
    assert set(line) == {"time", "level", "event", "task", "status", "duration_ms"}
