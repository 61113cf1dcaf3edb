"""The leader dashboard: figures equal the aggregation, roles, periods, scope, links, no outside URLs, queries."""

import datetime
import html
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from metrics import assignments
from metrics.aggregation import Figure, Scope, by_unit, monthly_series, summarize
from metrics.models import Area, Better, DataValue, Department, Indicator, Kind, Status
from metrics.periods import parse_period
from reports.dashboard import figures as selectors
from reports.dashboard import presentation
from reports.reporting.models import REPORTED_STATES, MonthlyReport, ReportState, allow_state_changes
from reports.reporting.selectors import reporting_lines
from tests.factories import DataValueFactory, DepartmentFactory, IndicatorFactory

pytestmark = pytest.mark.django_db


def _page(client, **params):
    response = client.get(reverse("dashboard"), params)
    return response, response.content.decode()


def _charts(response):
    return response.context["data"].charts


# --- who may read it ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["leader", "reviewer", "admin"])
def test_everyone_but_clerks_may_read_the_dashboard(client, login_as, username):
    login_as(username)
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_clerk_is_refused(client, login_as):
    login_as("clerk_police")
    assert client.get(reverse("dashboard")).status_code == 403


def test_home_links_the_leader_to_the_dashboard(client, login_as):
    login_as("leader")
    assert f'href="{reverse("dashboard")}"' in client.get(reverse("home")).content.decode()


# --- the figures are the aggregation's -----------------------------------------------------------


def test_default_period_is_the_latest_half_year_with_approved_data(client, login_as):
    login_as("leader")
    response, page = _page(client)
    assert response.context["data"].period == parse_period("2023H1")
    assert "2023年上半年" in page and "全县" in page


def test_cards_show_every_core_headline_indicator_with_the_aggregated_value(client, login_as):
    login_as("leader")
    response, page = _page(client)
    summary = summarize(parse_period("2023H1")).by_code()
    headline = Indicator.objects.filter(headline=True, area__core=True, active=True)
    cards = {c.indicator.code: c for item in response.context["panels"] for c in item["cards"]}
    assert set(cards) == set(headline.values_list("code", flat=True))
    assert len(cards) == 12
    for code, card in cards.items():
        assert card.figure.value == summary[code].value
        assert card.figure.previous == summary[code].previous


def test_anti_fraud_cases_card_shows_127_and_a_good_fall_of_11_81_percent(client, login_as):
    login_as("leader")
    _response, page = _page(client)
    card = page.split('data-indicator="anti_fraud.cases"')[1].split("</div>")[0]
    assert "127<small>件</small>" in card
    assert "同比下降11.81%" in card
    assert "kpi-change good" in card and "↓" in card


def test_a_change_that_rounds_to_nothing_is_flat_and_neutral_on_its_card_and_not_a_mover(
    client, login_as, nearly_flat_cases
):
    """100001 against 100000 is +0.001 %: 持平, neither good nor bad (it once showed "▲ 持平" as good)."""
    login_as("leader")
    response, page = _page(client, period="2023H1")
    before, after = page.split(f'data-indicator="{nearly_flat_cases}"', 1)
    card = re.split("</a>|</div>", after)[0]
    assert "100,001<small>件</small>" in card
    assert "同比持平" in card
    assert "kpi-change neutral" in card and "kpi tone-neutral" in before[-200:]
    assert "→" in card and "↑" not in card and "↓" not in card and "▲" not in card
    data = response.context["data"]
    assert nearly_flat_cases not in {f.indicator.code for f in data.good_movers + data.bad_movers}
    movers = page.split('id="movers"')[1].split("</section>")[0]
    assert "发生电信网络诈骗案件" not in movers


def test_a_percentage_card_changes_in_percentage_points(client, login_as):
    login_as("leader")
    _response, page = _page(client)
    card = page.split('data-indicator="anti_fraud.myanmar_reduction_rate"')[1].split("</div>")[0]
    assert "个百分点" in card and "%</small>" in card


def test_target_progress_shows_backlog_petitions_4_of_10(client, login_as):
    login_as("leader")
    _response, page = _page(client)
    targets = page.split('id="targets"')[1].split("</section>")[0]
    assert "涉法涉诉信访积案化解" in targets
    assert "4 / 10件" in targets and "40.00%" in targets
    assert 'style="width: 40.0%"' in targets


def test_trend_chart_data_equal_the_monthly_series(client, login_as):
    login_as("leader")
    response, _page_text = _page(client)
    charts = _charts(response)
    cases = Indicator.objects.get(code="anti_fraud.cases")
    series = monthly_series([cases], datetime.date(2022, 1, 1), datetime.date(2023, 6, 1))["anti_fraud.cases"]
    last, this = charts["trend:anti_fraud.cases"]["data"]
    assert last["y"] == [float(series[datetime.date(2022, m, 1)]) for m in range(1, 13)]
    assert this["y"][:6] == [float(series[datetime.date(2023, m, 1)]) for m in range(1, 7)]
    assert this["y"][6:] == [None] * 6
    assert sum(this["y"][:6]) == 127


def test_breakdown_chart_data_equal_the_breakdown_by_unit(client, login_as):
    login_as("leader")
    response, _page_text = _page(client)
    period = parse_period("2023H1")
    cases = Indicator.objects.get(code="anti_fraud.cases")
    expected = by_unit([cases], period)["anti_fraud.cases"]
    previous, current = _charts(response)["breakdown:anti_fraud.cases"]["data"]
    names = dict(Department.objects.values_list("pk", "name"))
    assert dict(zip(current["y"], current["x"], strict=True)) == {names[d]: float(f.value) for d, f in expected.items()}
    assert dict(zip(previous["y"], previous["x"], strict=True)) == {
        names[d]: float(f.previous) for d, f in expected.items()
    }
    assert current["x"] == [127.0]


@pytest.mark.urls("tests.reports.urls_with_tables")
def test_chart_bars_and_points_lead_to_the_tables_behind_them(client, login_as):
    """A month opens that month's department table; a unit's bar opens its month table (this year or last)."""
    login_as("reviewer")
    response, _page_text = _page(client, period="2023H1", include_submitted="1")
    charts = _charts(response)
    last_year, this_year = charts["trend:anti_fraud.cases"]["data"]
    base = "/tables/indicator/anti_fraud.cases/"
    assert this_year["customdata"][2] == f"{base}departments/?period=2023-03&include_submitted=1"
    assert last_year["customdata"][11] == f"{base}departments/?period=2022-12&include_submitted=1"
    previous, current = charts["breakdown:anti_fraud.cases"]["data"]
    bars = dict(zip(current["y"], zip(current["customdata"], previous["customdata"], strict=True), strict=True))
    assert bars["县公安局"] == (
        f"{base}months/?period=2023H1&department=police&include_submitted=1",
        f"{base}months/?period=2022H1&department=police&include_submitted=1",
    )


@pytest.mark.parametrize(
    "code,bars",
    [
        ("stability.litigation_risks_found", {"县人民法院", "县人民检察院", "县公安局", "县司法局"}),
        ("traffic.hazard_fix_rate", {"县公安局", "县交通运输局"}),
        ("mediation.enterprise_dispute_success_rate", 34),  # the justice bureau and the 33 towns
    ],
)
def test_breakdowns_of_shared_indicators_show_every_reporting_unit(client, login_as, code, bars):
    """The demo county reports as a county does: the shared indicators' breakdowns have a bar per reporter."""
    login_as("leader")
    response = _page(client, period="2023H1")[0]
    _previous, current = _charts(response)[f"breakdown:{code}"]["data"]
    assert (set(current["y"]) if isinstance(bars, set) else len(current["y"])) == bars
    total = response.context["data"].summary.by_code()[code].value
    if code == "stability.litigation_risks_found":
        assert sum(current["x"]) == float(total) == 56


def test_the_county_breakdown_shows_top_level_units_with_everything_under_them(client, login_as):
    """A police station under the 县公安局 adds to the bureau's bar; the bureau's own page shows both."""
    login_as("leader")
    police = Department.objects.get(code="police")
    station = DepartmentFactory(code="police_station", name="城关派出所", parent=police)
    cases = Indicator.objects.get(code="anti_fraud.cases")
    DataValueFactory(indicator=cases, department=station, month=datetime.date(2023, 3, 1), value=5)

    chart = _charts(_page(client, period="2023H1")[0])["breakdown:anti_fraud.cases"]
    previous, current = chart["data"]
    assert dict(zip(current["y"], current["x"], strict=True)) == {"县公安局": 132.0}
    assert "分单位（含下级单位）" in chart["layout"]["title"]["text"]

    response, _text = _page(client, period="2023H1", department="police")
    chart = _charts(response)["breakdown:anti_fraud.cases"]
    previous, current = chart["data"]
    assert dict(zip(current["y"], current["x"], strict=True)) == {"县公安局（本级）": 127.0, "城关派出所": 5.0}
    assert "含下级" not in chart["layout"]["title"]["text"]
    assert response.context["data"].summary.by_code()["anti_fraud.cases"].value == 132


def test_every_core_area_has_a_trend_and_a_breakdown_for_each_headline_indicator(client, login_as):
    login_as("leader")
    response, page = _page(client)
    embedded = json.loads(page.split('<script id="dashboard-charts" type="application/json">')[1].split("</script>")[0])
    assert embedded == _charts(response)
    headline = Indicator.objects.filter(headline=True, area__core=True, active=True)
    assert set(embedded) == {
        f"{kind}:{code}" for code in headline.values_list("code", flat=True) for kind in ("trend", "breakdown")
    }
    for area in Area.objects.filter(core=True):
        lead = next(p.lead for p in response.context["data"].panels if p.area == area)
        for kind in ("trend", "breakdown"):
            assert f'id="chart-{kind}-{area.code}" data-chart="{kind}:{lead.indicator.code}"' in page
    assert page.count('class="chart"') == 10
    # Areas with more than one headline indicator get a picker for their charts.
    picker = page.split('<select data-area="anti_fraud"')[1].split("</select>")[0]
    assert [o.split('"')[0] for o in picker.split('<option value="')[1:]] == [
        "anti_fraud.cases",
        "anti_fraud.losses",
        "anti_fraud.myanmar_reduction_rate",
        "anti_fraud.app_registration_rate",
    ]


def test_percentage_trends_are_lines_and_money_keeps_its_decimals(client, login_as):
    login_as("leader")
    charts = _charts(_page(client)[0])
    assert {t["type"] for t in charts["trend:anti_fraud.myanmar_reduction_rate"]["data"]} == {"scatter"}
    losses = charts["trend:anti_fraud.losses"]["data"][1]
    assert round(sum(losses["y"][:6]), 4) == 1043.5
    assert "万元" in losses["hovertemplate"]


# --- period and scope ----------------------------------------------------------------------------


def test_changing_the_period_changes_every_figure(client, login_as):
    login_as("leader")
    response, page = _page(client, period="2022H2")
    assert "2022年下半年" in page
    summary = summarize(parse_period("2022H2")).by_code()
    cards = [c for item in response.context["panels"] for c in item["cards"]]
    assert all(c.figure.value == summary[c.indicator.code].value for c in cards)
    assert _charts(response)["trend:anti_fraud.cases"]["data"][1]["name"] == "2022年"


def test_a_quarter_and_a_range_can_be_chosen(client, login_as):
    login_as("leader")
    response, page = _page(client, period="2023Q2")
    assert response.status_code == 200 and "2023年第二季度" in page
    response, page = _page(client, period="2023-01..2023-05")
    assert response.status_code == 200 and "2023年1—5月" in page
    assert 'value="2023-01..2023-05" selected' in page


def test_a_bad_period_gets_a_chinese_message_and_the_default(client, login_as):
    login_as("leader")
    response, page = _page(client, period="2023H3")
    assert response.status_code == 400
    assert "无法识别的期间“2023H3”" in page
    assert response.context["data"].period == parse_period("2023H1")


def test_an_unknown_department_gets_a_chinese_message_and_the_county(client, login_as):
    login_as("leader")
    response, page = _page(client, department="nowhere")
    assert response.status_code == 400 and "没有代码为“nowhere”的单位" in page
    assert response.context["data"].scope.is_county


def test_scope_limits_figures_to_the_department(client, login_as):
    login_as("leader")
    police = Department.objects.get(code="police")
    response, page = _page(client, department="police")
    expected = summarize(parse_period("2023H1"), scope=Scope(police)).by_code()
    cards = {c.indicator.code: c for item in response.context["panels"] for c in item["cards"]}
    assert cards["anti_fraud.cases"].figure.value == 127
    assert cards["mediation.tribunal_cases_closed"].figure.missing  # the court's, not the police's
    other = page.split('data-indicator="mediation.tribunal_cases_closed"')[1].split("</a>")[0]
    assert "非本单位指标" in other and "缺数" not in other and ">0<" not in other  # not due here, never 0
    assert cards["mediation.enterprise_dispute_success_rate"].elsewhere  # a ratio: its numerator's department
    assert all(c.figure.value == expected[code].value for code, c in cards.items())
    assert "县公安局" in page.split('id="dash-sub"')[1].split("</p>")[0]


def test_a_departments_own_missing_figure_is_still_missing(client, login_as):
    """In the police's view, a police indicator without values is 缺数; the court's is 非本单位指标."""
    login_as("leader")
    DataValue.objects.filter(indicator__code="anti_fraud.cases", month__year=2023).delete()
    response, page = _page(client, period="2023H1", department="police")
    cards = {c.indicator.code: c for item in response.context["panels"] for c in item["cards"]}
    assert cards["anti_fraud.cases"].figure.missing and not cards["anti_fraud.cases"].elsewhere
    own = page.split('data-indicator="anti_fraud.cases"')[1].split("</a>")[0]
    assert "缺数" in own and "非本单位指标" not in own
    county = _page(client, period="2023H1")[0].context["panels"]
    assert not any(c.elsewhere for item in county for c in item["cards"])


def test_only_reviewers_may_include_submitted_values(client, login_as):
    DataValue.objects.filter(indicator__code="anti_fraud.cases", month=datetime.date(2023, 6, 1)).update(
        status=Status.SUBMITTED
    )
    # An explicit period: with the demo's submitted July 2023, a reviewer's default period is 2023H2.
    login_as("leader")
    leader = _page(client, period="2023H1", include_submitted="1")[0].context["data"]
    login_as("reviewer")
    reviewer = _page(client, period="2023H1", include_submitted="1")[0].context["data"]
    assert not leader.include_submitted and leader.summary.by_code()["anti_fraud.cases"].value < 127
    assert reviewer.include_submitted and reviewer.summary.by_code()["anti_fraud.cases"].value == 127


# --- completeness and movers ---------------------------------------------------------------------


def test_completeness_counts_departments_times_due_months(demo):
    complete = selectors.completeness_for(parse_period("2023H1"), today=datetime.date(2023, 8, 1))
    lines = len(reporting_lines())  # department × form: the four 政法 units report two forms
    assert lines == len(assignments.reporting_departments()) + 4
    assert (complete.expected, complete.reported, complete.rate, complete.late) == (
        lines * 6,
        lines * 6,
        100,
        [],
    )


def test_completeness_follows_the_monthly_reports_states(demo):
    """Drafts and returned reports are not reported; late first submissions are not on time."""
    education = MonthlyReport.objects.filter(department__code="education")
    with allow_state_changes():  # setting the scene, as a fixture would
        education.filter(month=datetime.date(2023, 5, 1)).update(state=ReportState.DRAFT)
        education.filter(month=datetime.date(2023, 6, 1)).update(state=ReportState.RETURNED)
    MonthlyReport.objects.filter(
        department__code="court", form__code="court_monthly", month=datetime.date(2023, 6, 1)
    ).update(first_submitted_at=timezone.make_aware(datetime.datetime(2023, 7, 20, 10)))
    before = selectors.completeness_for(parse_period("2023H1"), today=datetime.date(2023, 8, 1))
    assert before.reported == before.expected - 2
    assert [(d.code, n) for d, n in before.late] == [("education", 2)]
    late_court = MonthlyReport.objects.get(
        department__code="court", form__code="court_monthly", month=datetime.date(2023, 6, 1)
    )
    assert late_court.submitted_late
    assert before.on_time <= before.reported - 1


def test_completeness_of_one_department(demo):
    police = Department.objects.get(code="police")
    complete = selectors.completeness_for(
        parse_period("2023H1"), department_ids=[police.pk], today=datetime.date(2023, 8, 1)
    )
    assert (complete.expected, complete.reported) == (12, 12)  # its own form and 政法各单位月报


def test_completeness_expects_only_months_that_are_over(demo):
    complete = selectors.completeness_for(parse_period("2023H2"), today=datetime.date(2023, 9, 10))
    assert [m.month for m in complete.months] == [7, 8]
    # The demo's July 2023: court, procuratorate and police (both their forms), cac and 28 towns have
    # submitted; August nobody.
    july = MonthlyReport.objects.filter(month=datetime.date(2023, 7, 1), state__in=REPORTED_STATES).count()
    assert july == 3 * 2 + 1 + 28
    assert complete.reported == july and complete.expected == 2 * len(reporting_lines())
    future = selectors.completeness_for(parse_period("2024H1"), today=datetime.date(2023, 9, 10))
    assert future.expected == 0 and future.rate is None


def _figure(code, value, previous, *, better=Better.DOWN, kind=Kind.FLOW, order=0):
    return Figure(Indicator(code=code, name=code, unit="件", kind=kind, better=better, order=order), value, previous)


def test_movers_rank_good_and_bad_changes_and_leave_out_what_cannot_compare():
    figures = [
        _figure("cases", Decimal(127), Decimal(144)),  # −11.81 %, good
        _figure("losses", Decimal(50), Decimal(100)),  # −50 %, good
        _figure("accidents", Decimal(120), Decimal(100)),  # +20 %, bad
        _figure("missing", None, Decimal(10)),
        _figure("zero_base", Decimal(5), Decimal(0)),
        _figure("neither", Decimal(1), Decimal(10), better=Better.NONE),
        _figure("rate", Decimal(90), Decimal(10), better=Better.UP, kind=Kind.RATE),
        _figure("flat", Decimal(10), Decimal(10)),
    ]
    good, bad = selectors.movers(figures)
    assert [f.indicator.code for f in good] == ["losses", "cases"]
    assert [f.indicator.code for f in bad] == ["accidents"]


def test_page_shows_completeness_and_movers(client, login_as):
    login_as("leader")
    _response, page = _page(client)
    completeness = page.split('id="completeness"')[1].split("</section>")[0]
    assert "报送率" in completeness and "100.0%" in completeness
    movers = page.split('id="movers"')[1].split("</section>")[0]
    assert "向好" in movers and "需关注" in movers and "同比" in movers


# --- links to the detail table -------------------------------------------------------------------


def test_without_a_detail_table_cards_are_not_dead_links(client, login_as, monkeypatch):
    monkeypatch.setattr(
        presentation, "DETAIL_ROUTES", {"breakdown": [("no_such_page", False)], "trend": [], "area": []}
    )
    login_as("leader")
    _response, page = _page(client)
    assert '<a class="kpi' not in page and 'class="kpi tone-' in page
    assert "detail-link" not in page


@pytest.mark.urls("tests.reports.urls_with_tables")
def test_every_card_and_chart_links_to_its_detail_table(client, login_as):
    """Cards and breakdowns lead to the department table, trends to the month table, areas to the summary."""
    login_as("leader")
    _response, page = _page(client, period="2023Q2", department="police")
    query = "?period=2023Q2&amp;department=police"
    assert page.count('<a class="kpi') == 12
    assert f'<a class="kpi tone-good" href="/tables/indicator/anti_fraud.cases/departments/{query}"' in page
    assert page.count('class="detail-link" data-kind="trend" href="/tables/indicator/') == 5
    assert page.count('class="detail-link" data-kind="breakdown" href="/tables/indicator/') == 5
    assert f'data-kind="trend" href="/tables/indicator/anti_fraud.cases/months/{query}"' in page
    assert f'href="/tables/summary/{query}&amp;area=anti_fraud"' in page
    # The picker carries each indicator's links, for the script to move the chart links along.
    assert f'data-trend-url="/tables/indicator/anti_fraud.losses/months/{query}"' in page
    # Movers and targets lead to the tables too.
    movers = page.split('id="movers"')[1].split("</section>")[0]
    assert movers.count('<a href="/tables/indicator/') >= 2
    _response, county = _page(client, period="2023H1")
    targets = county.split('id="targets"')[1].split("</section>")[0]
    assert 'href="/tables/indicator/stability.petition_backlog_resolved/departments/?period=2023H1"' in targets


@pytest.mark.urls("tests.reports.urls_with_tables")
def test_the_summary_table_is_the_fallback_for_a_missing_indicator_table(monkeypatch):
    monkeypatch.setattr(
        presentation,
        "DETAIL_ROUTES",
        {**presentation.DETAIL_ROUTES, "trend": [("gone", True), ("summary_table", False)]},
    )
    cases = Indicator.objects.select_related("area").get(code="anti_fraud.cases")
    url = presentation.detail_url(
        "trend", period=parse_period("2023H1"), scope=Scope(), indicator=cases, include_submitted=True
    )
    assert url == "/tables/summary/?period=2023H1&include_submitted=1&area=anti_fraud"


# --- nothing from outside ----------------------------------------------------------------------


class _References(HTMLParser):
    """Every URL a page would load or link to."""

    ATTRIBUTES = {"src", "href", "data", "srcset", "poster", "action", "formaction"}

    def __init__(self):
        super().__init__()
        self.urls, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.urls.append((tag, value))
            if name == "style" and value and "url(" in value:
                self.urls.append((tag, value))


def _is_local(url):
    return url.startswith(("/", "#", "?")) and not url.startswith("//")


def test_the_page_references_no_external_url(client, login_as):
    login_as("reviewer")
    _response, page = _page(client)
    parser = _References()
    parser.feed(page)
    assert {"script", "link"} <= set(parser.tags)
    assert not {"iframe", "embed", "object"} & set(parser.tags)
    outside = [(tag, url) for tag, url in parser.urls if not _is_local(url)]
    assert outside == []
    scripts = [url for tag, url in parser.urls if tag == "script"]
    # Only plotly.js's partial bundle (bar and scatter traces), not the 4.8 MB full one.
    assert scripts == [static(name) for name in ("vendor/plotly-basic.min.js", "js/dashboard.js")]
    assert "http://" not in page and "https://" not in page and "@import" not in page


def test_the_dashboards_own_static_files_load_nothing_from_outside():
    root = Path(settings.BASE_DIR) / "static"
    for name in ("css/dashboard.css", "css/app.css", "js/dashboard.js"):
        text = (root / name).read_text()
        assert "http" not in text and "url(" not in text and "@import" not in text and "fetch(" not in text, name


def test_plotly_js_is_served_from_our_static_files(client, login_as):
    login_as("leader")
    response = client.get(static("vendor/plotly-basic.min.js"))
    assert response.status_code == 200
    assert b"plotly.js (basic - minified)" in b"".join(response.streaming_content)[:2000]


# --- speed ---------------------------------------------------------------------------------------


def _query_count(client):
    """Queries of the page computed afresh (the cached figures cost fewer: tests/reports/test_figure_cache.py)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboard"), {"period": "2023H1"}).status_code == 200
    return len(queries)


def test_the_page_takes_a_small_constant_number_of_queries(client, login_as, django_assert_max_num_queries):
    login_as("leader")
    with django_assert_max_num_queries(26):
        client.get(reverse("dashboard"), {"period": "2023H1"})
    before = _query_count(client)

    # More headline indicators, more departments, more values: not one query more.
    area = Area.objects.get(code="anti_fraud")
    for n in range(4):
        department = DepartmentFactory(code=f"town{n}", name=f"乡镇{n}")
        for k in range(3):
            indicator = IndicatorFactory(
                code=f"anti_fraud.extra{n}_{k}", area=area, headline=True, department=department
            )
            for month in (1, 2, 7):
                DataValueFactory(indicator=indicator, department=department, month=datetime.date(2023, month, 1))
                DataValueFactory(indicator=indicator, department=department, month=datetime.date(2022, month, 1))
    assert _query_count(client) == before


def test_every_detail_link_opens_its_table(client, login_as):
    """The real tables (issue 4) accept the dashboard's period, department and 含已上报 choice."""
    login_as("reviewer")
    _response, page = _page(client, period="2023Q2", department="police", include_submitted="1")
    # Every link into the tables with a query (the navigation bar's plain 汇总表 entry aside).
    links = {html.unescape(url) for url in re.findall(r'(?:href|data-[a-z]+-url)="(/tables/[^"?]+\?[^"]+)"', page)}
    kinds = {url.split("?")[0].rsplit("/", 2)[-2] if "/indicator/" in url else "summary" for url in links}
    assert kinds == {"departments", "months", "summary"}
    assert all("period=2023Q2" in u and "department=police" in u and "include_submitted=1" in u for u in links)
    for url in sorted(links):
        response = client.get(url)
        assert response.status_code == 200, url


# --- the period picker ---------------------------------------------------------------------------


def _month(text):
    return datetime.date.fromisoformat(f"{text}-01")


def test_the_picker_offers_only_periods_holding_data():
    """Data from 2022-03 to 2023-07: no 2021, no 2023 Q4 or a quarter of 2022 before March."""
    months = [_month(m) for m in ("2022-03", "2022-04", "2022-12", "2023-01", "2023-07")]
    codes = [code for code, _label in presentation.period_choices(months)]
    assert codes == [
        "2023H2",
        "2023H1",
        "2023",
        "2023Q3",
        "2023Q1",
        "2022H2",
        "2022H1",
        "2022",
        "2022Q4",
        "2022Q2",
        "2022Q1",
    ]
    assert [code for code, _label in presentation.period_choices([])] == []
    # The period shown comes first when it is none of them (a range chosen by months).
    assert presentation.period_choices(months, parse_period("2023-01..2023-07"))[0][0] == "2023-01..2023-07"
    assert presentation.month_choices(months[:2]) == [("2022-03", "2022年3月"), ("2022-04", "2022年4月")]


def test_any_range_is_chosen_by_its_two_months(client, login_as):
    login_as("leader")
    response, page = _page(client, **{"from": "2023-01", "to": "2023-05"})
    assert response.status_code == 200
    assert response.context["data"].period == parse_period("2023-01..2023-05")
    assert '<option value="2023-01..2023-05" selected>' in page
    assert '<option value="2023-01" selected>' in page and '<option value="2023-05" selected>' in page
    # Only months with data are offered as ends: the demo's run from January 2022.
    months = re.findall(r'<option value="(\d{4}-\d\d)"', page.split('id="range-from"')[1].split("</select>")[0])
    assert months[0] == "2022-01" and "2021-12" not in months
    # One end alone is that month; ends the wrong way round, or hostile, get a Chinese message and the default.
    assert client.get(reverse("dashboard"), {"from": "2023-03"}).context["data"].period == parse_period("2023-03")
    for bad in (
        {"from": "2023-05", "to": "2023-01"},
        {"from": "9999-01", "to": "x²"},
        {"from": "2023-13"},
    ):
        response = client.get(reverse("dashboard"), bad)
        assert response.status_code == 400
        assert response.context["errors"] and "已显示默认期间" in response.context["errors"][0]
    # A control character never reaches the view: the address is refused first (zhengfa.inputs).
    assert client.get(reverse("dashboard"), {"from": "2023-01", "to": "x\x00"}).status_code == 400


def test_the_range_keeps_the_scope_and_the_reviewers_choice(client, login_as):
    login_as("reviewer")
    _response, page = _page(client, department="police", include_submitted="1")
    form = page.split('class="dash-range"')[1].split("</form>")[0]
    assert '<input type="hidden" name="department" value="police">' in form
    assert '<input type="hidden" name="include_submitted" value="1">' in form
