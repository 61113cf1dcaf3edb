"""Error pages in Chinese, never a traceback; JSON for the API.

They render without the request's context processors: an error page must not
need the database (the database may be the reason for the error).
"""

import logging
import sys
from pathlib import PurePath

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("zhengfa.errors")

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Every answer under this prefix is JSON, errors included (reports/figures/api.py).
API_PREFIX = "/api/"
# Django's connection.commit(), where a connection lost during COMMIT is raised.
_COMMIT_FILE = PurePath("django", "db", "backends", "base", "base.py")


def is_api(request):
    """True for a request to the JSON API."""
    return request is not None and request.path_info.startswith(API_PREFIX)


def api_error(message, status):
    """The API's answer for an error: {"error": message}, never cached."""
    response = JsonResponse({"error": str(message)}, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


def _answer(request, template, status, message, **context):
    if is_api(request):
        return api_error(message, status)
    return HttpResponse(render_to_string(template, context), status=status)


def bad_request(request, exception=None):
    """400: a malformed or oversized request."""
    return _answer(request, "errors/400.html", 400, _("请求格式不正确。"))


def permission_denied(request, exception=None):
    """403: the view's own Chinese reason when it gave one."""
    reason = str(exception) if exception is not None and str(exception) else ""
    return _answer(request, "errors/403.html", 403, reason or _("无权访问。"), reason=reason)


def page_not_found(request, exception=None):
    """404: nothing about the URL patterns, unlike Django's debug page."""
    return _answer(request, "errors/404.html", 404, _("没有这个地址。"))


def lost_during_commit(exception):
    """True when the database connection broke while COMMIT was in flight: whether the
    transaction was applied cannot be known, so nobody may be told that nothing was saved."""
    for error in (exception, getattr(exception, "__cause__", None)):
        frame = getattr(error, "__traceback__", None)
        while frame is not None:
            code = frame.tb_frame.f_code
            if code.co_name == "commit" and PurePath(code.co_filename).parts[-5:] == _COMMIT_FILE.parts:
                return True
            frame = frame.tb_next
    return False


def _reload_path(request):
    # Only a path of this site: never "//host", which a browser would treat as another site.
    path = request.path if request is not None else "/"
    return path if path.startswith("/") and not path.startswith("//") else "/"


def server_error(request):
    """500, or 503 when the database cannot be reached (OperationalError/InterfaceError);
    a 503 that says the outcome is uncertain when the connection was lost during COMMIT."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS) or isinstance(getattr(exception, "__cause__", None), DATABASE_ERRORS):
        uncertain = lost_during_commit(exception)
        logger.error("database unavailable%s: %s", " during COMMIT" if uncertain else "", exception)
        if uncertain:
            message = _("与数据库的连接在保存时中断，无法确定本次操作是否已保存。请刷新页面查看当前状态。")
        else:
            message = _("系统暂时无法连接数据库，本次操作没有完成，也没有保存任何内容。")
        response = _answer(
            request, "errors/503.html", 503, message, uncertain=uncertain, reload_path=_reload_path(request)
        )
        response["Retry-After"] = "60"
        return response
    return _answer(request, "errors/500.html", 500, _("系统出错了，已记录在系统日志中。"))


def csrf_failure(request, reason=""):
    """403 for a form sent without a valid CSRF token (e.g. an expired page)."""
    message = _("请求没有有效的 CSRF 令牌：接口只接受 GET 请求。")
    return _answer(request, "errors/403_csrf.html", 403, message)
