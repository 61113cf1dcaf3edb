"""Web hardening: security headers with a per-request CSP nonce, a request size
limit, the login-throttling backend and the client address behind proxies."""

import secrets

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject


def _nonce():
    return secrets.token_urlsafe(18)


def content_security_policy(nonce):
    """The Content-Security-Policy header value, with 'nonce' replaced by this request's nonce."""
    parts = []
    for directive, sources in settings.CONTENT_SECURITY_POLICY.items():
        values = [f"'nonce-{nonce}'" if source == "'nonce'" else source for source in sources]
        parts.append(" ".join([directive, *values]))
    return "; ".join(parts)


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response, and
    Cache-Control: private, no-store to every response for a signed-in user.

    request.csp_nonce (and {{ csp_nonce }} in templates) is the nonce an inline
    <script> must carry to run; prefer static files and json_script data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = SimpleLazyObject(_nonce)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(str(request.csp_nonce))
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        user = getattr(request, "user", None)  # absent for static files (WhiteNoise answers before auth)
        if user is not None and user.is_authenticated:
            # A signed-in user's pages and downloads hold internal figures: no shared cache, proxy or
            # browser history may keep a copy (the back button on a shared office machine).
            response["Cache-Control"] = "private, no-store"
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request whose body is larger than MAX_REQUEST_SIZE with a Chinese 413 page,
    before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_SIZE:
            body = render_to_string("errors/413.html", {"limit_mb": round(settings.MAX_REQUEST_SIZE / 1024 / 1024, 1)})
            # The unread body stays on the socket: close it rather than parse it.
            response = HttpResponse(body, status=413)
            response["Connection"] = "close"
            return response
        return self.get_response(request)


def client_ip(request):
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front,
    the address the outermost trusted proxy saw (X-Forwarded-For from the right)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for password logins made over HTTP.

    authenticate() without a request (the shell, management commands, the test
    client's login()) cannot come from the network, so it is not throttled.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page, in Chinese (429 Too Many Requests)."""
    body = render_to_string(
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )
    return HttpResponse(body, status=429)
