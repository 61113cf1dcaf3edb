"""Every page that reads a month, a period or a year answers hostile input with a Chinese message, never a 500."""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import User
from tests.metrics.test_periods import HOSTILE

pytestmark = pytest.mark.django_db

# The parsers' own words (metrics.periods), or the API's for a missing parameter: what the page must say.
# A control character (NUL) is refused before any parser sees it (zhengfa.inputs): 控制字符.
EXPLAINED = re.compile("无法识别|超出范围|不存在|早于开始|有误|缺少参数|控制字符")
# Long enough to be hostile, short enough to pass through a URL.
TEXTS = [t if len(t) < 200 else t[:200] for t in HOSTILE]


def _client(username):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    return client


def _check(response, *, explained=True):
    """Never a 500; a page with the parser's message, or the Chinese 404 page for an address that names no period."""
    assert response.status_code in (200, 302, 400, 404), response.status_code
    page = response.content.decode()
    if response.status_code == 404:
        assert "页面不存在" in page
    elif explained and response.status_code != 302:
        assert EXPLAINED.search(page)


@pytest.mark.parametrize("text", TEXTS)
def test_period_parameters(demo, text):
    leader, reviewer = _client("leader"), _client("reviewer")
    explained = bool(text.strip())  # an empty period is the default period: a page, not an error
    _check(leader.get(reverse("dashboard"), {"period": text}), explained=explained)
    for name, args in (("summary_table", []), ("breakdown_table", ["anti_fraud.cases"])):
        _check(leader.get(reverse(name, args=args), {"period": text}), explained=explained)
    _check(reviewer.get(reverse("api_summary"), {"period": text}))
    if "/" not in text:
        _check(reviewer.get(f"/summary/{quote(text)}/"))
    response = reviewer.post(reverse("summary_new"), {"period": text}, follow=True)
    _check(response)


@pytest.mark.parametrize("text", TEXTS)
def test_month_parameters(demo, text):
    reviewer, clerk = _client("reviewer"), _client("clerk_police")
    explained = bool(text.strip())  # empty: the default months
    _check(reviewer.get(reverse("completeness"), {"start": text}), explained=explained)
    _check(reviewer.get(reverse("completeness"), {"end": text}), explained=explained)
    _check(clerk.get(reverse("entry_list"), {"month": text}), explained=explained)


@pytest.mark.parametrize("year,month", [(0, 5), (1899, 12), (9999, 12), (10000, 1), (2023, 13), (2023, 0)])
def test_months_in_addresses(demo, year, month):
    clerk, reviewer = _client("clerk_police"), _client("reviewer")
    for name in ("report_entry", "report_history"):
        response = clerk.get(reverse(name, args=["police", "police_monthly", year, month]))
        assert response.status_code == 404
    assert reviewer.get(reverse("report_review", args=["police", "police_monthly", year, month])).status_code in (
        404,
        405,
    )


@pytest.mark.parametrize("text", ["", "0", "1899", "9999", "10000", "２０２３", "²", "2023\x00", "2023-05"])
def test_workbook_year(demo, text):
    response = _client("clerk_police").get(reverse("import_template"), {"department": "police", "year": text})
    if "\x00" in text:
        assert response.status_code == 400 and "控制字符" in response.content.decode()
    else:
        assert response.status_code == 302
