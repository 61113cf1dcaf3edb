"""Web hardening: production settings, security headers, login throttling, CSRF, upload limits."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from reports.models import User

BASE_DIR = Path(settings.BASE_DIR)


def _manage(*args, **env):
    """Run manage.py in a fresh process with only the given settings variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "ZHENGFA_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "ZHENGFA_ENV": "production",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "zhengfa.example.gov.cn",
    "HTTPS": "true",
}


def test_check_deploy_is_clean_under_production_settings():
    """With production variables and HTTPS on, `check --deploy` reports nothing, not even warnings."""
    result = _manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(64), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_demo_defaults():
    """Without production variables the deploy check does complain (the test above can fail)."""
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stderr or "security.W009" in result.stdout


@pytest.mark.parametrize(
    "secret_key,debug",
    [(None, "false"), (settings.DEMO_SECRET_KEY, "false"), ("short", "false"), (secrets.token_urlsafe(64), "true")],
    ids=["missing", "demo-key", "short-key", "debug-on"],
)
def test_production_refuses_to_start_with_demo_secrets_or_debug(secret_key, debug):
    """ZHENGFA_ENV=production stops at startup with the demo/short key or DEBUG on, saying why."""
    env = {**PRODUCTION, "DEBUG": debug}
    if secret_key:
        env["SECRET_KEY"] = secret_key
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ZHENGFA_ENV=production" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_every_response(client):
    """nosniff, same-origin referrer, DENY framing, a strict script CSP and a Permissions-Policy."""
    response = client.get(reverse("login"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[\w-]{20,}'", csp["script-src"])
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "http" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_csp_nonce_is_new_for_each_request(client):
    first = client.get(reverse("login"))["Content-Security-Policy"]
    second = client.get(reverse("login"))["Content-Security-Policy"]
    assert first != second


@pytest.mark.django_db
def test_security_headers_also_on_error_pages(client):
    response = client.get("/no-such-page/")
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_is_locked_after_repeated_wrong_passwords(client, demo, password):
    """The AXES_FAILURE_LIMIT-th wrong password locks the login: even the right one is then refused,
    with a Chinese 429 page."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "clerk_police", "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    assert _login(client, "clerk_police", "wrong-password").status_code == 429
    response = _login(client, "clerk_police", password)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂时锁定" in page and "15 分钟" in page
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username(client, demo, password):
    """Guessing one account does not lock out a colleague at the same desk."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "clerk_police", "wrong-password")
    response = _login(client, "clerk_court", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_admin_login_is_throttled_too(client, demo, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "admin", "password": "wrong-password"})
    response = client.post(reverse("admin:login"), {"username": "admin", "password": password})
    assert response.status_code == 429


def test_success_resets_the_failure_count(client, demo, password):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "clerk_police", "wrong-password")
    assert _login(client, "clerk_police", password).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "clerk_police", "wrong-password")
    assert _login(client, "clerk_police", password).status_code == 302


def test_login_without_request_is_not_throttled(client, demo, password):
    """The test client's login() (no request: not from the network) still works."""
    assert client.login(username="reviewer", password=password)
    assert client.get(reverse("home")).status_code == 200


def test_client_ip_honours_only_the_configured_proxies(rf, settings):
    from zhengfa.security import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.9"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "192.0.2.7"


def test_forms_without_csrf_token_are_refused_with_a_chinese_page(demo, password):
    """CSRF protection is on: a login POST without the token is a 403 telling to refresh."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "reviewer", "password": password})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_logout_form_without_csrf_token_is_refused(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="leader"))
    assert client.post(reverse("logout")).status_code == 403
    assert client.get(reverse("home")).status_code == 200


def _template_files():
    roots = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
    for root in roots:
        yield from root.rglob("*.html")


def test_every_post_form_in_the_templates_carries_a_csrf_token():
    """Each <form method="post"> in the project's templates has {% csrf_token %} before it closes."""
    offenders = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b[^>]*method=[\"']?post[\"']?[^>]*>(.*?)</form>", text, re.S | re.I):
            if "csrf_token" not in match.group(1):
                offenders.append(str(path.relative_to(BASE_DIR)))
    assert not offenders, f"POST forms without {{% csrf_token %}}: {offenders}"
    assert any(_template_files())


@pytest.mark.django_db
def test_oversized_request_gets_a_chinese_413_before_it_is_read(client, settings):
    settings.MAX_REQUEST_SIZE = 1000
    response = client.post(reverse("login"), {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413
    assert "上传的文件过大" in response.content.decode()


def test_upload_limits_are_set():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    # The 413 limit never refuses a file the imports accept.
    assert max(settings.IMPORT_MAX_BYTES, settings.IMPORT_CSV_MAX_BYTES) < settings.MAX_REQUEST_SIZE


@pytest.mark.django_db
def test_too_many_form_fields_is_a_chinese_400(client, settings, login_as):
    login_as("reviewer")
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = Client(raise_request_exception=False)
    response.force_login(User.objects.get(username="reviewer"))
    result = response.post(reverse("logout"), {f"f{i}": "1" for i in range(20)})
    assert result.status_code == 400
    assert "请求有误" in result.content.decode()


def test_templates_have_no_inline_scripts_or_event_handlers():
    """The CSP runs only this server's script files: an inline <script> (unless it carries the nonce),
    an onclick= or a javascript: link would silently not work. Data goes in json_script."""
    offenders = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text, re.I):
            attributes = match.group(1)
            if "src=" in attributes or "application/json" in attributes or "csp_nonce" in attributes:
                continue
            offenders.append(f"{path.relative_to(BASE_DIR)}: inline <script{attributes}>")
        offenders += [
            f"{path.relative_to(BASE_DIR)}: {m.group(0)}"
            for m in re.finditer(r"\son[a-z]+\s*=\s*[\"']|javascript:", text, re.I)
        ]
    assert not offenders, "\n".join(offenders)
