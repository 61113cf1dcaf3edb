"""The JSON API: GET /api/v1/summary for signed-in users and bearer tokens.

Answers are JSON in every case: 401 without valid credentials (no redirect to
the login page), 400 for a bad period, department or area, 403 when a clerk
asks for another department, 405 for another method; 403 (CSRF), 404, 500 and
503 come from zhengfa/errors.py, in JSON under /api/. The figures' JSON of a checked request is made
once per data version (metrics.versions.cached): it does not depend on who asks.
"""

import json

from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.translation import gettext as _

from metrics import versions
from reports.figures.requests import FigureRequestError, resolve_request, summary_for
from reports.figures.serializers import summary_payload
from reports.figures.tokens import user_for_token
from zhengfa.errors import api_error

TRUE_VALUES = {"1", "true", "yes", "on"}


def _dumps(payload):
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False)


def _json(payload, status=200):
    text = payload if isinstance(payload, str) else _dumps(payload)
    response = HttpResponse(text, status=status, content_type="application/json")
    # Internal figures: no shared cache or browser cache keeps them.
    response["Cache-Control"] = "private, no-store"
    return response


def _error(message, status):
    response = api_error(message, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="zhengfa"'
    return response


def api_user(request):
    """The user a request acts as: a bearer token's, else the session's; None when neither is valid."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return user_for_token(token.strip())
    return request.user if request.user.is_authenticated else None


@login_not_required
def summary(request):
    """Every indicator's figure for ?period=…[&department=…][&area=…][&include_submitted=1]."""
    if request.method not in ("GET", "HEAD"):
        # JSON, as every answer of the API (Django's require_GET answers an empty HTML 405).
        response = _error(_("接口只接受 GET 请求。"), 405)
        response["Allow"] = "GET, HEAD"
        return response
    user = api_user(request)
    if user is None:
        return _error(_("需要登录，或在请求头中提供有效的接口令牌：Authorization: Bearer <令牌>。"), 401)
    params = request.GET
    if not params.get("period", "").strip():
        return _error(_("缺少参数 period，例如 ?period=2023H1。"), 400)
    try:
        figure_request = resolve_request(
            user,
            period=params.get("period"),
            department=params.get("department", ""),
            area=params.get("area", ""),
            include_submitted=params.get("include_submitted", "").lower() in TRUE_VALUES,
        )
    except FigureRequestError as error:
        return _error(error.message, error.status)
    return _json(
        versions.cached(
            "api_summary",
            *figure_request.cache_parts,
            compute=lambda: _dumps(summary_payload(figure_request, summary_for(figure_request))),
        )
    )
