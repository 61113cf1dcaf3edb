"""Hostile input in addresses and query strings: refused before any view reads it.

A NUL byte (or another control character) in a path or a query parameter is
never a real department, period or page, and PostgreSQL rejects NUL in text:
left to the views it becomes a 500 on the first lookup. Form fields are judged
by their own forms (a note, a reason, a title: metrics.validation.text_problem),
which name the field; this middleware covers what has no form.
"""

import re

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from metrics.validation import has_control_characters

API_PREFIX = "/api/"
# The largest primary key a parameter may name (PostgreSQL's bigint).
MAX_ID = 2**63 - 1
_ID_RE = re.compile(r"^[0-9]{1,19}$")


def parse_id(text):
    """A primary key written in ASCII digits, as an int; None for anything else ("²", "abc", -1, 10**30).

    int() reads "²"-free Unicode digits (١٢) and str.isdigit() accepts "²": neither is an id.
    """
    text = (text or "").strip()
    if not _ID_RE.match(text) or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)


def refusal(request):
    """Why the request's address or query string cannot be read, or ''."""
    texts = [request.path]
    for key, values in request.GET.lists():
        texts.append(key)
        texts.extend(values)
    if any(has_control_characters(text) for text in texts):
        return _("地址或查询参数中含有控制字符（如 NUL），无法处理。请检查链接后重试。")
    return ""


def bad_request(request, message):
    """400 with `message`: JSON for the API, the Chinese error page otherwise."""
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"error": message}, status=400, json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "private, no-store"
        return response
    return HttpResponse(render_to_string("errors/400.html", {"reason": message}), status=400)


class HostileInputMiddleware:
    """Answers 400 (with the reason) to a request whose path or query string holds control characters."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if message := refusal(request):
            return bad_request(request, message)
        return self.get_response(request)
