"""The demo on 2023-08-03 (approved to June, July partly in): the three examples of issue 16 compare like with
like through the dashboard, the API and the `summary` command."""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from metrics.aggregation import summarize
from metrics.models import DataValue, Status
from metrics.periods import parse_period
from reports.summary.excel import build_xlsx
from reports.summary.models import SummaryTemplate
from reports.summary.selectors import render_summary

pytestmark = pytest.mark.django_db

JULY = datetime.date(2023, 7, 1)


@pytest.fixture
def august(settings, demo):
    """The demo's pinned today: July is over, its reports partly in."""
    settings.ZHENGFA_TODAY = datetime.date(2023, 8, 3)


@pytest.fixture
def one_july_report_approved(august):
    """One department's submitted July values approved (as the review of one report would leave them)."""
    department = (
        DataValue.objects.filter(month=JULY, status=Status.SUBMITTED).values_list("department_id", flat=True).first()
    )
    DataValue.objects.filter(month=JULY, department_id=department, status=Status.SUBMITTED).update(
        status=Status.APPROVED
    )
    return department


def concern_list(page):
    """The text of the dashboard's 需关注 list."""
    concern = page[page.index("需关注") :]
    return concern[: concern.index("</section>")]


def command(*args):
    out = io.StringIO()
    call_command("summary", *args, stdout=out)
    return out.getvalue()


def test_a_year_in_progress_compares_the_same_months_in_the_command(august):
    """`summary --period 2023`: 127 against 2022's January–June (144), not against the whole of 2022 (280)."""
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(command("--period", "2023", "--format", "csv")))}
    cases = rows["anti_fraud.cases"]
    assert (cases["period"], cases["previous_period"]) == ("2023年（1—6月）", "2022年（1—6月）")
    assert (cases["value"], cases["previous"], cases["yoy_pct"]) == ("127", "144", "-11.81")
    payload = json.loads(command("--period", "2023"))
    assert payload["period"]["through"] == "2023-06" and payload["period"]["complete"] is False
    assert (payload["previous_period"]["first"], payload["previous_period"]["last"]) == ("2022-01", "2022-06")


def test_the_2023h1_figures_of_the_report_do_not_change(august):
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(command("--period", "2023H1", "--format", "csv")))}
    assert rows["anti_fraud.cases"]["period"] == "2023年上半年"
    assert rows["stability.litigation_risks_found"]["value"] == "56"
    assert rows["anti_fraud.cases"]["value"] == "127"
    assert rows["anti_fraud.losses"]["value"] == "1043.5"
    assert "216" in {r["value"] for r in rows.values()}


def test_a_year_in_progress_through_the_api(client, login_as, august):
    login_as("leader")
    payload = client.get(reverse("api_summary"), {"period": "2023"}).json()
    assert payload["period"]["label"] == "2023年（1—6月）"
    assert payload["period"]["through"] == "2023-06"
    assert payload["previous_period"] == {
        "code": "2022-01..2022-06",
        "label": "2022年（1—6月）",
        "first": "2022-01",
        "last": "2022-06",
    }
    cases = next(i for i in payload["indicators"] if i["code"] == "anti_fraud.cases")
    assert (cases["value"], cases["previous"], cases["yoy_pct"]) == (127, 144, -11.81)
    assert cases["coverage"] == {"month": "2023-06", "expected": 1, "reported": 1, "complete": True}


def test_one_approved_july_report_does_not_open_the_second_half_year(client, login_as, one_july_report_approved):
    """The dashboard opens on 2023年上半年, the last complete half-year. Asked for 2023H2, it compares July with
    July: 新建公共法律服务站 (nothing in July) is no longer ↓100% in 需关注."""
    login_as("leader")
    page = client.get(reverse("dashboard")).content.decode()
    assert "<strong>2023年上半年</strong>" in page
    assert "同比：与2022年上半年相比" in page
    july = client.get(reverse("dashboard"), {"period": "2023H2"}).content.decode()
    assert "<strong>2023年下半年（7月）</strong>" in july
    assert "同比：与2022年下半年（7月）相比" in july
    assert "新建公共法律服务站" not in concern_list(july)
    assert "人民法庭结案" in concern_list(july)  # 340 against 453: July against July, −24.94%


def test_with_submitted_the_second_half_compares_july_with_july(client, login_as, august):
    """含已上报: 人民法庭结案 July against July 2022 (340 / 453), not against July–December 2022; the towns'
    stock of July says 28/33 are in and stays out of 需关注."""
    login_as("reviewer")
    payload = client.get(reverse("api_summary"), {"period": "2023H2", "include_submitted": "1"}).json()
    assert payload["period"]["label"] == "2023年下半年（7月）"
    assert (payload["previous_period"]["first"], payload["previous_period"]["last"]) == ("2022-07", "2022-07")
    figures = {i["code"]: i for i in payload["indicators"]}
    closed = figures["mediation.tribunal_cases_closed"]
    assert (closed["value"], closed["previous"], closed["yoy_pct"]) == (340, 453, -24.94)
    stations = figures["legal_service.town_stations"]["coverage"]
    assert (stations["expected"], stations["reported"], stations["complete"]) == (33, 28, False)
    page = client.get(reverse("dashboard"), {"period": "2023H2", "include_submitted": "1"}).content.decode()
    assert "乡镇公共法律服务工作站" not in concern_list(page)


def test_a_card_says_how_complete_its_july_is(client, login_as, august):
    login_as("reviewer")
    page = client.get(reverse("dashboard"), {"period": "2023H2", "include_submitted": "1"}).content.decode()
    assert "单位已上报" in page


def test_the_summary_table_and_its_export_name_the_months_and_the_coverage(client, login_as, august):
    login_as("reviewer")
    query = {"period": "2023H2", "include_submitted": "1"}
    page = client.get(reverse("summary_table"), query).content.decode()
    assert "2023年下半年（7月）" in page and "2022年下半年（7月）" in page
    row = re.search(r'<tr[^>]*data-code="stability.litigation_risks_found"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "7月：3/4 单位已上报" in row
    response = client.get(reverse("summary_table"), {**query, "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "工作领域")
    header = rows[header_at]
    assert "2023年下半年（7月）" in header and "2022年下半年（7月）" in header
    by_code = {r[1]: dict(zip(header, r, strict=True)) for r in rows[header_at + 1 :]}
    assert by_code["stability.litigation_risks_found"]["截至月报送"] == "7月：3/4 单位已上报"
    assert by_code["mediation.tribunal_cases_closed"]["截至月报送"] is None  # the court is in: nothing to say


def test_the_annex_and_the_document_name_the_months(august):
    """The Excel annex of 2023 heads its columns 2023年（1—6月） and 2022年（1—6月）; 【期间】 reads the same."""
    summary = summarize(parse_period("2023"))
    sheet = load_workbook(io.BytesIO(build_xlsx(summary, county="示范县"))).worksheets[0]
    assert sheet["A1"].value == "示范县2023年（1—6月）政法工作主要指标（附表）"
    header = [c.value for c in sheet[2]]
    assert header[3:5] == ["2023年（1—6月）", "2022年（1—6月）"]
    cases = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1] == "发生电信网络诈骗案件")
    assert cases[3:6] == (127, 144, -11.81)
    template = SummaryTemplate(
        period="2023",
        title="【县名】【期间】工作情况",
        body="【期间】，发生电信网络诈骗案件【anti_fraud.cases】，【anti_fraud.cases|同比】。",
    )
    text = render_summary(template).text
    assert "示范县2023年（1—6月）工作情况" in text
    assert "2023年（1—6月），发生电信网络诈骗案件127件，同比下降11.81%。" in text


def test_the_targets_time_gone_runs_to_the_covered_month(client, login_as, august):
    """2023年（1—6月）: half the year has gone for the targets, not all of it."""
    login_as("leader")
    page = client.get(reverse("dashboard"), {"period": "2023"}).content.decode()
    assert "时间进度 50%" in page and "时间进度 100%" not in page
