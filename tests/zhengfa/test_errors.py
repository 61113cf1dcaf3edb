"""Error pages: Chinese, no traceback, and a 503 page when the database is unavailable."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from reports.models import User

pytestmark = pytest.mark.django_db

TRACEBACK_MARKERS = ("Traceback", 'File "', "django/", "settings.py", "Exception Value")


def _client(username="reviewer"):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    return client


def _assert_no_traceback(page):
    for marker in TRACEBACK_MARKERS:
        assert marker not in page, marker


def test_unknown_page_is_a_chinese_404(demo):
    response = _client().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "返回首页" in page
    _assert_no_traceback(page)
    assert "URLconf" not in page


def test_a_crash_is_a_chinese_500_without_traceback(demo):
    with mock.patch("reports.views.entries_for", side_effect=RuntimeError("secret internals")):
        response = _client().get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in page
    assert "secret internals" not in page
    _assert_no_traceback(page)


def test_permission_denied_is_a_chinese_403_with_the_reason(demo):
    with mock.patch("reports.views.entries_for", side_effect=PermissionDenied("只能查看本单位的月报。")):
        response = _client().get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page and "只能查看本单位的月报。" in page


def test_database_errors_give_a_chinese_503(demo):
    """Every query failing (a dead database) gives the 503 page, not a traceback."""
    client = _client()
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("could not connect to server")):
        response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "数据库暂时无法连接" in page
    assert "could not connect" not in page
    _assert_no_traceback(page)


def test_a_dead_database_server_gives_the_503_page():
    """A real unreachable PostgreSQL server (nothing listens on port 1), in a fresh process."""
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(raise_request_exception=False)\n"
        "c.cookies['sessionid'] = 'abcdefghijklmnopqrstuvwxyz012345'\n"
        "r = c.get('/')\n"
        "print(r.status_code)\n"
        "print(r.content.decode())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="zhengfa.settings",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/zhengfa_dead",
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    status, _, page = result.stdout.partition("\n")
    assert status == "503", result.stdout + result.stderr
    assert "数据库暂时无法连接" in page
    _assert_no_traceback(page)
