"""Error pages in Chinese, never a traceback.

They render without the request's context processors: an error page must not
need the database (the database may be the reason for the error).
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("zhengfa.errors")

DATABASE_ERRORS = (OperationalError, InterfaceError)


def _page(template, status, **context):
    return HttpResponse(render_to_string(template, context), status=status)


def bad_request(request, exception=None):
    """400: a malformed or oversized request."""
    return _page("errors/400.html", 400)


def permission_denied(request, exception=None):
    """403: the view's own Chinese reason when it gave one."""
    reason = str(exception) if exception is not None and str(exception) else ""
    return _page("errors/403.html", 403, reason=reason)


def page_not_found(request, exception=None):
    """404: nothing about the URL patterns, unlike Django's debug page."""
    return _page("errors/404.html", 404)


def server_error(request):
    """500, or 503 when the database cannot be reached (OperationalError/InterfaceError)."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS) or isinstance(getattr(exception, "__cause__", None), DATABASE_ERRORS):
        logger.error("database unavailable: %s", exception)
        response = _page("errors/503.html", 503)
        response["Retry-After"] = "60"
        return response
    return _page("errors/500.html", 500)


def csrf_failure(request, reason=""):
    """403 for a form sent without a valid CSRF token (e.g. an expired page)."""
    return _page("errors/403_csrf.html", 403)
