"""The admin's add-user page in Debian's Chromium: the product's red header, no English."""

import re

from tests.browser import ARTIFACTS, BROWSER_MARKS
from tests.zhengfa.test_admin_reads_chinese import _english

pytestmark = BROWSER_MARKS


def test_the_add_user_page_in_chromium(transactional_db, demo, live_server, browser_page):
    """Red header in the product's red, Chinese text only; screenshot for the record."""
    page = browser_page
    base = live_server.url.replace("localhost", "127.0.0.1")
    page.goto(f"{base}/login/?next=/admin/reports/user/add/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "zhengfa2023")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile("/admin/reports/user/add/"))
    assert page.evaluate("getComputedStyle(document.getElementById('header')).backgroundColor") == "rgb(166, 27, 27)"
    assert _english(page.content()) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-add-user.png"), full_page=True)
