"""The figure tables: summary by area, breakdown by department, month by month; filters, permissions, exports."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from metrics.models import DataValue, Indicator, Status
from metrics.spreadsheets import neutralise, read_text
from reports.figures.serializers import cell_text, to_csv, to_xlsx
from tests.factories import AreaFactory, DataValueFactory, DepartmentFactory, IndicatorFactory, grow_catalogue

pytestmark = pytest.mark.django_db

SUMMARY = reverse("summary_table")


def breakdown(code):
    return reverse("breakdown_table", args=[code])


def monthly(code):
    return reverse("monthly_table", args=[code])


def row_html(page, code):
    """The <tr> of one indicator in the summary table."""
    match = re.search(rf'<tr[^>]*data-code="{re.escape(code)}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, code
    return match.group(1)


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def leader(client, login_as):
    login_as("leader")
    return client


# --- the summary by area ------------------------------------------------------------------------


def test_summary_shows_the_reports_figures_grouped_by_area(leader):
    response = leader.get(SUMMARY, {"period": "2023H1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "全县2023年上半年汇总表" in page
    assert '<tr class="group">' in page and "打击治理电信网络诈骗" in page
    cases = text(row_html(page, "anti_fraud.cases"))
    assert "127" in cases and "144" in cases and "−11.81%" in cases
    losses = text(row_html(page, "anti_fraud.losses"))
    assert "1,043.5" in losses and "−10.96%" in losses
    backlog = text(row_html(page, "stability.petition_backlog_resolved"))
    assert "4" in backlog and "10" in backlog and "40.00%" in backlog
    assert "93.60" in text(row_html(page, "enforcement.conclusion_rate"))


def test_yoy_is_coloured_by_whether_the_change_is_good(leader):
    page = leader.get(SUMMARY, {"period": "2023H1"}).content.decode()
    # Fewer fraud cases is good (better = down); more cases solved is good (better = up).
    assert 'class="yoy good"' in row_html(page, "anti_fraud.cases")
    assert 'class="yoy good"' in row_html(page, "anti_fraud.cases_solved")


def test_a_rise_in_a_down_indicator_is_bad(leader):
    page = leader.get(SUMMARY, {"period": "2023-01"}).content.decode()
    # January 2023: 22 cases against 21 a year earlier.
    assert 'class="yoy bad"' in row_html(page, "anti_fraud.cases")


def test_percentages_change_in_points(leader):
    row = text(row_html(leader.get(SUMMARY, {"period": "2023H1"}).content.decode(), "enforcement.conclusion_rate"))
    assert "个百分点" in row and "%个百分点" not in row


def test_missing_figures_are_marked_not_zero(leader):
    page = leader.get(SUMMARY, {"period": "2023H1"}).content.decode()
    blank = row_html(page, "leadership.major_matter_filings")
    assert 'class="missing"' in blank and "缺数" in blank
    assert re.search(r'<td class="num">\s*0\s*</td>', blank) is None


def test_each_indicator_links_to_its_breakdown_and_monthly_table(leader):
    page = leader.get(SUMMARY, {"period": "2023H1"}).content.decode()
    row = row_html(page, "anti_fraud.cases")
    assert f'href="{breakdown("anti_fraud.cases")}?period=2023H1"' in row
    assert f'href="{monthly("anti_fraud.cases")}?period=2023H1"' in row


def test_area_filter(leader):
    page = leader.get(SUMMARY, {"period": "2023H1", "area": "anti_fraud"}).content.decode()
    assert 'data-code="anti_fraud.cases"' in page
    assert 'data-code="enforcement.conclusion_rate"' not in page


def test_department_filter_scopes_the_figures(leader):
    page = leader.get(SUMMARY, {"period": "2023H1", "department": "police"}).content.decode()
    assert "县公安局2023年上半年汇总表" in page
    assert 'data-code="anti_fraud.cases"' in page
    assert 'data-code="stability.petition_backlog_resolved"' not in page


def test_sorting_orders_within_each_area(leader):
    page = leader.get(SUMMARY, {"period": "2023H1", "area": "anti_fraud", "sort": "-value"}).content.decode()
    codes = re.findall(r'data-code="([^"]+)"', page)
    values = []
    for code in codes:
        cell = re.findall(r'<td class="num">(.*?)</td>', row_html(page, code), re.S)[0]
        values.append(Decimal(text(cell).replace(",", "")) if "缺数" not in cell else None)
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True)
    assert 'class="orderable desc"' in page or "desc" in page


def test_default_period_is_the_half_year_of_the_latest_approved_month(leader):
    page = leader.get(SUMMARY).content.decode()
    assert "全县2023年上半年汇总表" in page
    assert "2022年下半年" in page  # the "last half-year" preset


@pytest.mark.parametrize(
    "params,needle",
    [
        ({"period": "2023H3"}, "无法识别的期间"),
        ({"period": "2023-07..2023-02"}, "早于开始月份"),
        ({"period": "1800"}, "年份超出范围"),
        ({"period": "2023H1", "department": "nowhere"}, "没有这个单位"),
        ({"period": "2023H1", "area": "nowhere"}, "没有这个工作领域"),
    ],
)
def test_bad_filters_give_a_chinese_message_not_a_500(leader, params, needle):
    response = leader.get(SUMMARY, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert needle in page
    assert "<table" not in page


def test_bad_period_on_breakdown_and_monthly(leader):
    for url in (breakdown("anti_fraud.cases"), monthly("anti_fraud.cases")):
        response = leader.get(url, {"period": "next year"})
        assert response.status_code == 400
        assert "无法识别的期间" in response.content.decode()


def test_unknown_indicator_is_404(leader):
    assert leader.get(breakdown("no.such")).status_code == 404
    assert leader.get(monthly("no.such")).status_code == 404


# --- who sees what ------------------------------------------------------------------------------


@pytest.fixture
def submitted_june(demo):
    DataValue.objects.filter(indicator__code="anti_fraud.cases", month=datetime.date(2023, 6, 1)).update(
        status=Status.SUBMITTED
    )


def test_reviewer_can_include_submitted_values(client, login_as, submitted_june):
    login_as("reviewer")
    page = client.get(SUMMARY, {"period": "2023H1"}).content.decode()
    assert 'name="include_submitted"' in page
    assert "109" in text(row_html(page, "anti_fraud.cases"))
    page = client.get(SUMMARY, {"period": "2023H1", "include_submitted": "on"}).content.decode()
    assert "127" in text(row_html(page, "anti_fraud.cases"))
    assert "含已上报未审核数据" in page


def test_leader_sees_approved_only_and_no_switch(leader, submitted_june):
    page = leader.get(SUMMARY, {"period": "2023H1", "include_submitted": "on"}).content.decode()
    assert 'name="include_submitted"' not in page
    assert "109" in text(row_html(page, "anti_fraud.cases"))


def test_clerk_sees_their_own_department_only(client, login_as):
    login_as("clerk_police")
    page = client.get(SUMMARY, {"period": "2023H1"}).content.decode()
    assert "县公安局2023年上半年汇总表" in page
    assert 'value="court"' not in page and "全县" not in re.search(r"<select[^>]*department.*?</select>", page, re.S)[0]
    assert 'data-code="anti_fraud.cases"' in page
    assert 'name="include_submitted"' not in page


def test_clerk_may_not_look_at_another_department(client, login_as):
    login_as("clerk_police")
    for url in (SUMMARY, breakdown("anti_fraud.cases"), monthly("anti_fraud.cases")):
        response = client.get(url, {"period": "2023H1", "department": "court"})
        assert response.status_code == 400
        assert "无权查看" in response.content.decode()
        assert "<table" not in response.content.decode()


def test_clerk_breakdown_shows_only_their_department(client, login_as):
    login_as("clerk_court")
    page = client.get(breakdown("anti_fraud.cases"), {"period": "2023H1"}).content.decode()
    assert "县公安局" not in text(page.split("<table", 1)[1])


def test_home_page_links_to_the_summary_table(client, login_as):
    for username in ("leader", "reviewer", "clerk_police"):
        login_as(username)
        assert f'href="{SUMMARY}"' in client.get(reverse("home")).content.decode()


# --- breakdown and monthly tables ---------------------------------------------------------------


def test_breakdown_by_department_with_total(leader):
    page = leader.get(breakdown("anti_fraud.cases"), {"period": "2023H1"}).content.decode()
    assert "发生电信网络诈骗案件（件） · 分单位 · 2023年上半年" in page
    body = text(page.split("<tbody", 1)[1])
    assert "县公安局 127 144" in body
    assert "全县合计 127 144" in body
    assert "100.00%" in body


def test_a_long_breakdown_comes_a_page_at_a_time_and_exports_whole(leader):
    """A city's hundreds of departments: 50 rows a page with the total on each; the export has them all."""
    from reports.figures.views import ROWS_PER_PAGE

    cases = Indicator.objects.get(code="anti_fraud.cases")
    for n in range(ROWS_PER_PAGE + 10):
        DataValueFactory(
            indicator=cases, department=DepartmentFactory(code=f"town{n:02d}"), month=datetime.date(2023, 1, 1)
        )
    first = leader.get(breakdown("anti_fraud.cases"), {"period": "2023H1"}).content.decode()
    second = leader.get(breakdown("anti_fraud.cases"), {"period": "2023H1", "page": "2"}).content.decode()
    rows = [page.split("<tbody", 1)[1].split("</tbody>")[0].count("<tr") for page in (first, second)]
    assert rows == [ROWS_PER_PAGE + 1, 61 - ROWS_PER_PAGE + 1]  # 61 departments, and the total row on each
    assert "第 1 / 2 页" in text(first) and "page=2" in first
    assert "全县合计" in text(second.split("<tbody", 1)[1])
    for odd in ({"page": "x"}, {"page": "99"}, {"page": "-1", "per_page": "-1"}, {"per_page": "0"}):
        response = leader.get(breakdown("anti_fraud.cases"), {"period": "2023H1", **odd})
        assert response.status_code == 200 and "/ 2 页" in text(response.content.decode())
    exported = leader.get(breakdown("anti_fraud.cases"), {"period": "2023H1", "export": "csv"}).content.decode()
    assert len(exported.strip().splitlines()) == 1 + 61 + 1  # header, departments, total
    # Exactly a page of departments: one page (the total row does not spill onto a second).
    DataValue.objects.filter(indicator=cases, department__code__in=[f"town{n:02d}" for n in range(11)]).delete()
    whole = leader.get(breakdown("anti_fraud.cases"), {"period": "2023H1"}).content.decode()
    assert whole.split("<tbody", 1)[1].split("</tbody>")[0].count("<tr") == ROWS_PER_PAGE + 1
    assert "页" not in text(whole.split("</table>")[1])


def test_breakdown_marks_a_responsible_department_without_values_as_missing(leader):
    page = leader.get(breakdown("leadership.major_matter_filings"), {"period": "2023H1"}).content.decode()
    body = page.split("<tbody", 1)[1]
    assert "县委政法委" in body and "缺数" in body


def test_breakdown_of_a_ratio_per_department(leader):
    page = leader.get(breakdown("enforcement.conclusion_rate"), {"period": "2023H1"}).content.decode()
    assert "93.60" in page


def test_monthly_table_this_year_against_last(leader):
    page = leader.get(monthly("anti_fraud.cases"), {"period": "2023H1"}).content.decode()
    body = text(page.split("<tbody", 1)[1])
    assert "1月 22 21" in body
    assert "6月 18 22" in body
    assert "2023年上半年合计 127 144 ▼ −11.81%" in body
    assert "2023年" in page and "2022年" in page


def test_monthly_table_marks_missing_months(leader):
    page = leader.get(monthly("anti_fraud.cases"), {"period": "2023"}).content.decode()
    body = text(page.split("<tbody", 1)[1])
    assert "7月 缺数" in body


# --- exports ------------------------------------------------------------------------------------


@pytest.fixture
def formula_indicator(demo):
    """An indicator whose name looks like a spreadsheet formula."""
    area = AreaFactory(code="evil", name="=cmd|' /C calc'!A0")
    department = DepartmentFactory(code="evil_dept", name="@SUM(1+1)")
    indicator = IndicatorFactory(area=area, department=department, name="-2+3", unit="+件")
    DataValueFactory(indicator=indicator, department=department, month=datetime.date(2023, 2, 1), value=5)
    DataValueFactory(indicator=indicator, department=department, month=datetime.date(2022, 2, 1), value=8)
    return indicator


def test_csv_export_is_what_is_shown(leader):
    response = leader.get(SUMMARY, {"period": "2023H1", "area": "anti_fraud", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["工作领域", "指标代码", "指标", "单位", "2023年上半年", "2022年上半年"]
    by_code = {r[1]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_code) == set(by_code) & {c for c in by_code if c.startswith("anti_fraud.")}
    assert by_code["anti_fraud.cases"]["2023年上半年"] == "127"
    assert by_code["anti_fraud.cases"]["同比（%）"] == "-11.81"
    assert by_code["anti_fraud.losses"]["2023年上半年"] == "1043.5"


def test_xlsx_export_has_numbers_as_numbers(leader):
    response = leader.get(SUMMARY, {"period": "2023H1", "export": "xlsx"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "工作领域")
    header = rows[header_at]
    by_code = {r[1]: dict(zip(header, r, strict=True)) for r in rows[header_at + 1 :]}
    cases = by_code["anti_fraud.cases"]
    assert cases["2023年上半年"] == 127 and isinstance(cases["2023年上半年"], int | float)
    assert cases["同比（%）"] == pytest.approx(-11.81)
    assert cases["增减"] == -17  # negative numbers stay numeric
    assert by_code["anti_fraud.losses"]["2023年上半年"] == pytest.approx(1043.5)
    blank = by_code["leadership.major_matter_filings"]
    assert blank["2023年上半年"] is None and blank["缺数"] == "是"
    assert by_code["stability.petition_backlog_resolved"]["完成率（%）"] == 40


def test_exports_neutralise_formula_looking_text(leader, formula_indicator):
    response = leader.get(SUMMARY, {"period": "2023H1", "area": "evil", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(r for r in sheet.iter_rows() if r[1].value == formula_indicator.code)
    cells = {c.column_letter: c for c in row}
    assert cells["A"].value == "'=cmd|' /C calc'!A0" and cells["A"].data_type == "s"
    assert cells["C"].value == "'-2+3"
    assert cells["D"].value == "'+件"
    assert row[-1].value == "'@SUM(1+1)"
    assert cells["G"].value == -3 and cells["G"].data_type == "n"
    csv_text = leader.get(SUMMARY, {"period": "2023H1", "area": "evil", "export": "csv"}).content.decode()
    line = next(line for line in csv_text.splitlines() if formula_indicator.code in line)
    cells = next(csv.reader([line]))
    assert cells[0].startswith("'=") and cells[2] == "'-2+3" and cells[-1] == "'@SUM(1+1)"
    assert "-3" in cells and "-37.5" in cells


def test_breakdown_and_monthly_export(leader):
    response = leader.get(breakdown("anti_fraud.cases"), {"period": "2023H1", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert ("全县合计", None, 127, 144, -17, -11.81, None, "否") in rows
    assert ("县公安局", "police", 127, 144, -17, -11.81, 100, "否") in rows
    response = leader.get(monthly("anti_fraud.cases"), {"period": "2023H1", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert rows[0] == ["月份", "2023年（件）", "2022年（件）", "增减（件）", "同比（%）", "缺数"]
    assert rows[1] == ["1月", "22", "21", "1", "4.76", "否"]
    assert rows[-1][:3] == ["2023年上半年合计", "127", "144"]


def test_one_indicators_exports_carry_its_unit(leader):
    """The issue's case: 电信网络诈骗损失金额 · 逐月 exported without 万元 anywhere."""
    response = leader.get(monthly("anti_fraud.losses"), {"period": "2023H1", "export": "xlsx"})
    assert "%E4%B8%87%E5%85%83" in response["Content-Disposition"]  # 万元 in the file name
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "电信网络诈骗损失金额（万元） · 逐月 · 2023年上半年"
    assert rows[2] == ("月份", "2023年（万元）", "2022年（万元）", "增减（万元）", "同比（%）", "缺数")
    response = leader.get(breakdown("anti_fraud.losses"), {"period": "2023H1", "export": "csv"})
    header = next(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert header[2:5] == ["2023年上半年（万元）", "2022年上半年（万元）", "增减（万元）"]
    # A rate changes in points, not in its unit.
    response = leader.get(breakdown("enforcement.conclusion_rate"), {"period": "2023H1", "export": "csv"})
    header = next(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert header[2:5] == ["2023年上半年（%）", "2022年上半年（%）", "增减（个百分点）"]
    page = leader.get(monthly("anti_fraud.losses"), {"period": "2023H1"}).content.decode()
    assert "<h1>电信网络诈骗损失金额（万元） · 逐月 · 2023年上半年</h1>" in page


def test_export_follows_the_sort_shown(leader):
    response = leader.get(SUMMARY, {"period": "2023H1", "area": "anti_fraud", "sort": "value", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))[1:]
    values = [Decimal(r[4]) for r in rows if r[4]]
    assert values == sorted(values)


@pytest.mark.parametrize(
    "value,expected",
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"), ("ok", "ok"), (None, None)],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_numbers_are_never_neutralised():
    assert neutralise(Decimal("-11.81")) == Decimal("-11.81")
    assert cell_text(Decimal("-11.81")) == "-11.81"
    assert cell_text(Decimal("1043.5000")) == "1043.5"
    assert cell_text(Decimal("100")) == "100"
    assert to_csv([["a"], [Decimal(-3)]]).splitlines()[1] == "-3"
    sheet = load_workbook(io.BytesIO(to_xlsx([["a"], [Decimal("-3.25")], ["=A1"]], title="t"))).active
    assert sheet["A2"].value == -3.25 and sheet["A3"].value == "'=A1"


# --- query count --------------------------------------------------------------------------------


def _count(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url,params",
    [
        (SUMMARY, {"period": "2023H1"}),
        (SUMMARY, {"period": "2023H1", "sort": "-yoy", "export": "xlsx"}),
        (breakdown("anti_fraud.cases"), {"period": "2023H1"}),
        (monthly("anti_fraud.cases"), {"period": "2023"}),
    ],
)
def test_page_query_count_does_not_grow_with_the_catalogue(
    client, login_as, django_assert_max_num_queries, url, params
):
    login_as("reviewer")
    before = _count(client, url, params)
    area, departments = grow_catalogue()
    cases = DataValue.objects.filter(indicator__code="anti_fraud.cases").first().indicator
    for department in departments:
        DataValueFactory(indicator=cases, department=department, month=datetime.date(2023, 2, 1), value=1)
    with django_assert_max_num_queries(before):
        response = client.get(url, params)
    assert response.status_code == 200
    if url == SUMMARY and "export" not in params:
        assert response.content.decode().count("data-code=") > 126


def test_period_box_shows_the_period_in_use(leader):
    page = leader.get(SUMMARY).content.decode()
    assert re.search(r'<input[^>]*name="period"[^>]*value="2023H1"', page, re.S)
    page = leader.get(SUMMARY, {"period": "2023Q2"}).content.decode()
    assert re.search(r'<input[^>]*name="period"[^>]*value="2023Q2"', page, re.S)
    assert 'class="current" aria-current="true">2023年第二季度' in page


def test_presets_offer_half_years_quarters_begun_and_the_year(leader):
    page = leader.get(SUMMARY).content.decode()
    presets = text(page.split('class="presets"', 1)[1].split("</div>", 1)[0])
    expected = ["本半年（2023年上半年）", "上一个半年（2022年下半年）", "2023年第一季度", "2023年第二季度"]
    expected.append("2023年全年")
    for label in expected:
        assert label in presets
    assert "2023年第四季度" not in presets  # nothing approved after June 2023 yet


def test_a_share_of_a_rate_is_not_shown(leader):
    page = leader.get(breakdown("enforcement.conclusion_rate"), {"period": "2023H1"}).content.decode()
    assert "占合计" not in page
    rows = list(
        csv.reader(
            io.StringIO(
                leader.get(breakdown("enforcement.conclusion_rate"), {"period": "2023H1", "export": "csv"})
                .content.decode()
                .lstrip("\ufeff")
            )
        )
    )
    assert "占合计（%）" not in rows[0]


def test_monthly_table_refuses_very_long_periods(leader):
    response = leader.get(monthly("anti_fraud.cases"), {"period": "1990-01..2023-12"})
    assert response.status_code == 400
    assert "最多显示 36 个月" in response.content.decode()


@pytest.mark.parametrize("params", [{"sort": "bogus"}, {"sort": "unit"}, {"export": "pdf"}, {"sort": "-department"}])
def test_odd_parameters_are_ignored(leader, params):
    response = leader.get(SUMMARY, {"period": "2023H1", **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_table_export_and_api_agree_on_every_indicator(leader):
    """The table and the API read the same aggregation: every value, last year's and 同比 match."""
    api = {i["code"]: i for i in leader.get("/api/v1/summary", {"period": "2023H1"}).json()["indicators"]}
    content = leader.get(SUMMARY, {"period": "2023H1", "export": "csv"}).content.decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert {r["指标代码"] for r in rows} == set(api)

    def number(text):
        return None if text == "" else float(text)

    for row in rows:
        figure = api[row["指标代码"]]
        assert number(row["2023年上半年"]) == figure["value"], row["指标代码"]
        assert number(row["2022年上半年"]) == figure["previous"], row["指标代码"]
        assert number(row["同比（%）"]) == figure["yoy_pct"], row["指标代码"]
        assert (row["缺数"] == "是") is figure["missing"]


def test_an_export_counting_unapproved_values_says_so(client, login_as, submitted_june):
    login_as("reviewer")
    response = client.get(SUMMARY, {"period": "2023H1", "include_submitted": "on", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "全县2023年上半年汇总表（含已上报未审核数据）"
    assert "%E5%90%AB%E6%9C%AA%E5%AE%A1%E6%A0%B8" in response["Content-Disposition"]  # 含未审核
    rows = {r[1]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["anti_fraud.cases"][4] == 127


cell_strategy = st.one_of(
    st.none(),
    st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
    st.integers(-(10**9), 10**9),
    st.text(alphabet=st.sampled_from("=+-@\t\r'ab1 中文|!"), max_size=8),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(cell_strategy, min_size=3, max_size=3), min_size=1, max_size=5))
def test_xlsx_and_csv_keep_numbers_and_never_write_a_formula(rows):
    """Whatever the cells: numbers read back as equal numbers, text never becomes a formula."""
    table = [["a", "b", "c"], *rows]
    sheet = load_workbook(io.BytesIO(to_xlsx(table, title="t"))).active
    read = list(sheet.iter_rows(min_row=2, max_row=len(rows) + 1, max_col=3))
    csv_rows = list(csv.reader(io.StringIO(to_csv(table).lstrip("\ufeff"))))[1:]
    for written, cells, csv_cells in zip(rows, read, csv_rows, strict=True):
        for value, cell, csv_cell in zip(written, cells, csv_cells, strict=True):
            assert cell.data_type != "f"
            if isinstance(value, str):
                # A formula start, after any number of ' (so that read_text gives back exactly the value), is marked.
                expected = "'" + value if value.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r") else value
                assert (cell.value or "") == expected
                assert csv_cell == expected
                assert read_text(csv_cell) == value
            elif value is None:
                assert cell.value is None and csv_cell == ""
            else:
                assert Decimal(str(cell.value)) == pytest.approx(Decimal(value))
                assert Decimal(csv_cell) == Decimal(value)


def test_a_change_that_rounds_to_nothing_is_flat_and_neutral_in_the_table(leader, nearly_flat_cases):
    page = leader.get(SUMMARY, {"period": "2023H1"}).content.decode()
    row = page.split(f'data-code="{nearly_flat_cases}"')[1].split("</tr>")[0]
    cell = re.search(r'<span class="yoy ([a-z]+)" title="([^"]*)">([^<]*)</span>', row)
    assert cell.groups() == ("neutral", "同比持平", "持平")
    assert "▲" not in row and "▼" not in row
