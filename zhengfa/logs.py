"""Logs for journald: one JSON line per request (RequestLogMiddleware) and per task
(reports.operations.signals), with the time, the user's id, the path or task, the status and
the duration. Never a query string, a form field, a value or a note: only what the record names."""

import datetime
import json
import logging
import time

log = logging.getLogger("zhengfa.requests")

# The only record attributes written; anything else a caller passes is left out.
FIELDS = ("method", "path", "task", "user", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (ISO, UTC), level, event and the FIELDS it carries."""

    def format(self, record):
        at = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        line = {"time": at.isoformat(timespec="milliseconds"), "level": record.levelname}
        line["event"] = record.getMessage()
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(line, ensure_ascii=False)


class RequestLogMiddleware:
    """Logs each request: method, path (no query string), user id or null, status, duration in ms."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path[:500],
                "user": user.pk if user is not None and user.is_authenticated else None,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return response
