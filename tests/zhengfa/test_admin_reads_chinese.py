"""The admin reads as part of the product: Chinese throughout, the product's header and colours."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission

from zhengfa.admin import permission_label

pytestmark = pytest.mark.django_db


class _Text(HTMLParser):
    """The text a reader sees: data outside scripts and styles, and titles and placeholders."""

    def __init__(self):
        super().__init__()
        self.hidden, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        self.parts += [value for name, value in attrs if name in ("title", "placeholder") and value]

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def _english(html):
    """Runs of two or more English words: a sentence or a heading left untranslated."""
    parser = _Text()
    parser.feed(html)
    return [m for part in parser.parts for m in re.findall(r"[A-Za-z]{2,}(?:[ ’',]+[A-Za-z]{2,})+", part)]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/reports/user/add/",
        "/admin/auth/group/add/",
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
        "/admin/axes/accessfailurelog/",
    ],
)
def test_admin_pages_have_no_english_sentence(client, login_as, url):
    login_as("admin")
    response = client.get(url)
    assert response.status_code == 200
    assert _english(response.content.decode()) == []


def test_the_add_user_page_says_in_chinese_what_comes_next(client, login_as):
    login_as("admin")
    page = client.get("/admin/reports/user/add/").content.decode()
    assert "创建用户后，即可编辑该用户的其他信息" in page
    assert "After you" not in page


def test_a_users_pages_are_chinese_too(client, login_as):
    user = login_as("admin")
    for url in (f"/admin/reports/user/{user.pk}/change/", f"/admin/reports/user/{user.pk}/password/"):
        page = client.get(url).content.decode()
        assert [e for e in _english(page) if not e.startswith("pbkdf")] == [], url
    assert "禁用后，该用户现有的密码将失效" in client.get(f"/admin/reports/user/{user.pk}/password/").content.decode()


def test_permissions_are_named_in_chinese():
    permission = Permission.objects.get(codename="change_user", content_type__app_label="reports")
    assert permission_label(permission) == "报送与审核 | 用户 | 可修改"


def test_the_admin_wears_the_products_header_and_colours(client, login_as):
    login_as("admin")
    page = client.get("/admin/").content.decode()
    assert "示范县委政法委 · 政法工作数据报送与分析平台" in page
    assert "css/admin.css" in page and "dark_mode.css" not in page
