"""Figures are cached per data version: the next answer after an approval carries it, a repeat reads no figures.

The dashboard's figures and charts, the summary table and the API's JSON are computed once per
(parameters, data and catalogue versions) by metrics.versions.cached; the page around them (the
user's name, the bell, the form, CSRF) is made for every request.
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.models import Area, Indicator
from reports.reporting import workflow
from reports.reporting.models import ReportAction
from reports.reporting.workflow import get_or_create_report
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

# Where figures come from: the values, the rollups, the reports (completeness).
FIGURE_TABLES = ("metrics_datavalue", "metrics_monthlyrollup", "metrics_unitrollup", "reports_monthlyreport")
PAGES = [
    ("dashboard", {"period": "2023H1"}),
    ("summary_table", {"period": "2023H1", "sort": "-yoy"}),
    ("api_summary", {"period": "2023H1"}),
]


def _get(client, name, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries]


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_a_repeated_request_reads_no_figures(client, login_as, name, params):
    """The second identical request reads the versions, not the values, the rollups or the reports."""
    login_as("leader")
    first, first_queries = _get(client, name, params)
    assert any(table in sql for sql in first_queries for table in FIGURE_TABLES)
    second, second_queries = _get(client, name, params)
    assert [sql for sql in second_queries if any(table in sql for table in FIGURE_TABLES)] == []
    assert len(second_queries) < len(first_queries)
    assert _without_tokens(second.content) == _without_tokens(first.content)


def _without_tokens(content):
    text = content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


def test_the_cached_dashboard_is_not_the_first_readers_page(client, login_as):
    """The figures are shared; the name, the role and the reviewer's 含已上报 choice are each reader's own."""
    login_as("leader")
    client.get(reverse("dashboard"), {"period": "2023H1"})
    login_as("reviewer")
    response, queries = _get(client, "dashboard", {"period": "2023H1"})
    page = response.content.decode()
    assert not any(table in sql for sql in queries for table in FIGURE_TABLES)  # the leader's figures
    assert "县委政法委领导" not in page
    assert 'name="include_submitted"' in page  # reviewers may include submitted values; leaders may not


@pytest.fixture
def charted(unit):
    """The test court's 受理案件 as a headline indicator of a core area: a dashboard card."""
    Area.objects.filter(code="testarea").update(core=True)
    Indicator.objects.filter(code="t.received").update(headline=True)
    return unit


def _figures(client):
    """What the dashboard, the summary table and the API say of 受理案件 in 2023-08."""
    params = {"period": "2023-08"}
    dashboard = client.get(reverse("dashboard"), params).content.decode()
    card = re.search(r'data-indicator="t\.received">(.*?)</(?:a|div)>', dashboard, re.S).group(1)
    table = client.get(reverse("summary_table"), params).content.decode()
    row = re.search(r'<tr [^>]*data-code="t\.received"[^>]*>(.*?)</tr>', table, re.S).group(1)
    shown = re.findall(r"<td[^>]*>(.*?)</td>", row)[2]  # 指标, 单位, 本期
    api = json.loads(client.get(reverse("api_summary"), params).content)
    value = next(i["value"] for i in api["indicators"] if i["code"] == "t.received")
    return card, shown, value


def test_an_approval_is_in_the_very_next_answer(client, charted):
    """Staleness 0: submitted 12 is 缺数 to a leader; once approved, every next answer says 12."""
    unit = charted
    client.force_login(unit["leader"])
    report = get_or_create_report(department=unit["department"], form=unit["form"], month=datetime.date(2023, 8, 1))
    values = {"t.received": Decimal(12), "t.concluded": Decimal(10), "t.money": Decimal("3.5"), "t.rate": Decimal(98)}
    workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values=values)
    workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])
    card, shown, value = _figures(client)
    assert "缺数" in card and "缺数" in shown and value is None
    assert _figures(client) == (card, shown, value)  # cached, unchanged

    workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"])
    card, shown, value = _figures(client)
    assert "缺数" not in card and ">12<" in card
    assert shown == "12"
    assert value == 12


def test_a_new_department_is_in_the_next_pages_choices(client, login_as):
    """The tables' department choices are cached per catalogue version: a new department is in the next page."""
    login_as("leader")
    url = reverse("summary_table")
    assert "新设单位" not in client.get(url, {"period": "2023H1"}).content.decode()
    DepartmentFactory(code="newunit", name="新设单位")
    assert '<option value="newunit">新设单位</option>' in client.get(url, {"period": "2023H1"}).content.decode()


def test_a_clerk_chooses_only_their_own_department_after_a_leader_looked(client, login_as):
    """The cached choices are the queryset's: the leader's whole list is not the clerk's."""
    login_as("leader")
    client.get(reverse("summary_table"), {"period": "2023H1"})
    login_as("clerk_police")
    page = client.get(reverse("summary_table"), {"period": "2023H1"}).content.decode()
    select = re.search(r'<select name="department".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', select) == ["police"]
