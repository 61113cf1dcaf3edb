"""Login, logout, home page, and login required everywhere."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db


def _all_paths(resolver=None, prefix=""):
    """A concrete path for every URL pattern (arguments filled with plausible values)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _all_paths(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield "/" + _fill(route)


def _fill(route):
    import re

    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    route = re.sub(r"<(?:int:)?[^>]*(id|pk)>", "1", route)
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<path:[^>]+>", "x", route)
    route = re.sub(r"<[^>]+>", "x", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    return route


# /healthz is for a monitor: no login, and only ok/fail words (tests/reports/operations/test_health.py).
PUBLIC = {"/login/", "/admin/login/", "/static/", "/healthz"}
# Machine endpoints answer 401 JSON instead of redirecting to the login page.
API_PREFIX = "/api/"


def test_every_page_redirects_an_anonymous_visitor_to_login(client):
    paths = sorted(set(_all_paths()))
    assert len(paths) > 5
    for path in paths:
        if path in PUBLIC or path.startswith("/admin/login"):
            continue
        response = client.get(path)
        if path.startswith(API_PREFIX):
            assert response.status_code == 401, path
            continue
        assert response.status_code in (301, 302), path
        assert "login" in response["Location"], (path, response["Location"])


def test_login_page_is_public_and_in_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_with_demo_password_lands_on_home(client, demo, password):
    response = client.post(reverse("login"), {"username": "clerk_police", "password": password}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "县公安局" in page and "填报员" in page


def test_wrong_password_gets_a_chinese_message(client, demo):
    response = client.post(reverse("login"), {"username": "clerk_police", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.parametrize(
    "username,shown,hidden",
    [
        ("clerk_court", "月度填报", "系统管理"),
        ("reviewer", "审核队列", "月度填报"),
        ("leader", "报送进度", "审核队列"),  # leaders follow who is late; reviewing is not theirs
        ("admin", "系统管理", "月度填报"),
    ],
)
def test_home_shows_the_entries_of_the_role(client, login_as, username, shown, hidden):
    login_as(username)
    page = client.get(reverse("home")).content.decode()
    assert shown in page
    assert hidden not in page


def test_logout_needs_post_and_ends_the_session(client, login_as):
    login_as("leader")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_pages_load_nothing_from_outside(client, login_as):
    login_as("admin")
    page = client.get(reverse("home")).content.decode()
    assert "http://" not in page and "https://" not in page


def test_the_admin_names_login_security_and_department_kinds_in_chinese(client, login_as):
    login_as("admin")
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录安全" in index and "登录失败计数" in index
    assert "Access attempts" not in index and "Axes" not in index
    departments = client.get(reverse("admin:metrics_department_changelist")).content.decode()
    assert "公安机关" in departments and "党委部门" in departments
    assert 'class="field-kind">公安机关<' in departments and 'class="field-kind">police<' not in departments
