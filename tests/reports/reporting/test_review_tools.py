"""Review at a glance (the summary above a submitted report) and approving several reports at once."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from metrics.models import DataValue
from reports.reporting import review, selectors
from reports.reporting.models import MonthlyReport, ReportAction, ReportEvent, ReportState

pytestmark = pytest.mark.django_db

JULY = datetime.date(2023, 7, 1)


def _report(department, form=None):
    return MonthlyReport.objects.select_related("department", "form").get(
        department__code=department, form__code=form or f"{department}_monthly", month=JULY
    )


def _summary(report):
    return review.review_summaries([report])[report.pk]


def _make_outlier(department, code, note=""):
    """Put a figure far above the department's last 12 months into its July (as a clerk could have)."""
    value = DataValue.objects.get(department__code=department, indicator__code=code, month=JULY)
    DataValue.objects.filter(pk=value.pk).update(value=value.value * 10 + 100, note=note)
    return value.indicator


# --- the summary --------------------------------------------------------------------------------


def test_summary_names_blanks_and_the_largest_changes(demo):
    summary = _summary(_report("police"))
    assert len(summary.blanks) == 5 and summary.blanks[0].name == "道路交通事故起数"
    assert not summary.ready and summary.problems()[0].startswith("5 项未填（道路交通事故起数")
    # Largest first, at most five; each against its base with a 同比-style text.
    assert 0 < len(summary.month_changes) <= review.CHANGES_SHOWN
    assert summary.month_changes[0].text == "+25.00%"
    assert summary.year_changes and all(c.base is not None for c in summary.year_changes)


def test_summary_splits_outliers_with_and_without_a_note(demo):
    report = _report("court")
    assert _summary(report).ready
    indicators = [i for i in selectors.report_indicators(report.department, report.form) if i.kind == "flow"]
    bare = _make_outlier("court", indicators[0].code)
    noted = _make_outlier("court", indicators[1].code, note="专项行动集中办理")
    summary = _summary(report)
    assert [row.indicator for row, _w in summary.unexplained] == [bare]
    assert [row.indicator for row, _w in summary.explained] == [noted]
    assert not summary.ready and "1 项异常未说明" in summary.problems()[0]


def test_summary_reports_broken_rules_from_the_administrators_rules(demo):
    report = _report("court")
    rule = selectors.active_rules()
    court_rules = [
        r
        for r in rule
        if {r.left, r.right} <= {i.code for i in selectors.report_indicators(report.department, report.form)}
    ]
    assert court_rules, "the demo's court holds a cross-field rule"
    target = court_rules[0]
    DataValue.objects.filter(department__code="court", month=JULY, indicator__code=target.left).update(
        value=Decimal(10**9)
    )
    summary = _summary(report)
    assert summary.violations and not summary.ready


def test_review_page_opens_with_the_summary_and_actions_at_top_and_bottom(client, login_as):
    login_as("reviewer")
    page = client.get(_report("police").get_absolute_url()).content.decode()
    summary_at = page.index('id="review-summary"')
    assert summary_at < page.index('id="review-top"') < page.index("entry-table") < page.index('id="review-bottom"')
    assert "审核要点" in page and "道路交通事故起数" in page[summary_at : page.index('id="review-top"')]
    assert "环比变化最大" in page and "+25.00%" in page
    # 审核通过 asks before it is sent, at the top and at the bottom; the top 退回 leads to its reason box.
    assert page.count("data-confirm=") == 2 and page.count('value="approve"') == 2
    assert 'href="#reason-return"' in page and page.count('id="reason-return"') == 1


def test_clerks_get_no_summary(client, login_as):
    login_as("clerk_police")
    assert "审核要点" not in client.get(_report("police").get_absolute_url()).content.decode()


# --- bulk approval --------------------------------------------------------------------------------


def _bulk(client, *reports):
    data = {"report": [str(r.pk) for r in reports]}
    data.update({f"version_{r.pk}": str(r.version) for r in reports})
    return client.post(reverse("review_bulk_approve"), data, follow=True)


def test_bulk_approval_approves_each_ready_report_through_the_workflow(client, login_as):
    reviewer = login_as("reviewer")
    court, cac = _report("court"), _report("cac")
    page = _bulk(client, court, cac).content.decode()
    assert "已审核通过 2 份月报" in page
    for report in (court, cac):
        report.refresh_from_db()
        assert report.state == ReportState.APPROVED and report.approved_by == reviewer
        event = ReportEvent.objects.filter(report=report).latest("pk")
        assert (event.action, event.user) == (ReportAction.APPROVE, reviewer)
    assert set(DataValue.objects.filter(department__code="cac", month=JULY).values_list("status", flat=True)) == {
        "approved"
    }


def test_bulk_approval_refuses_by_name_what_does_not_qualify(client, login_as):
    login_as("reviewer")
    court, town, police = _report("court"), _report("xinhua", "town_monthly"), _report("police")
    indicator = [i for i in selectors.report_indicators(court.department, court.form) if i.kind == "flow"][0]
    _make_outlier("court", indicator.code)
    procuratorate = _report("procuratorate")
    page = _bulk(client, court, town, police, procuratorate).content.decode()
    assert "已审核通过 1 份月报：县人民检察院（县人民检察院月报）" in page
    assert "3 份月报未审核通过" in page
    assert f"县人民法院（县人民法院月报）：1 项异常未说明（{indicator.name}）" in page
    assert "新华镇（乡镇综治月报）：2 项未填" in page or "（乡镇综治月报）：2 项未填" in page
    assert "县公安局（县公安局月报）：5 项未填" in page
    for report in (court, town, police):
        report.refresh_from_db()
        assert report.state == ReportState.SUBMITTED


def test_bulk_approval_of_a_report_changed_since_is_refused(client, login_as):
    login_as("reviewer")
    cac = _report("cac")
    cac.version -= 1  # the queue was shown before the last change
    page = _bulk(client, cac).content.decode()
    assert "页面数据已失效" in page or "已被他人修改" in page
    cac.refresh_from_db()
    assert cac.state == ReportState.SUBMITTED


@pytest.mark.parametrize("ids", [[], ["x"], ["²"], ["9" * 40], ["\x00"], ["-1"]])
def test_bulk_approval_with_nothing_usable_changes_nothing(client, login_as, ids):
    login_as("reviewer")
    response = client.post(reverse("review_bulk_approve"), {"report": ids}, follow=True)
    assert response.status_code == 200
    assert not ReportEvent.objects.filter(action=ReportAction.APPROVE, report__month=JULY).exists()


def test_the_queue_offers_a_box_only_for_ready_reports(client, login_as):
    login_as("reviewer")
    page = client.get(reverse("review_queue")).content.decode()
    ready = {_report("court").pk, _report("cac").pk}
    for pk in ready:
        assert f'name="report" value="{pk}"' in page
    assert f'name="report" value="{_report("police").pk}"' not in page
    assert "批量审核通过所选月报" in page and "5 项未填" in page


def test_leaders_may_not_bulk_approve(client, login_as):
    login_as("leader")
    cac = _report("cac")
    assert _bulk(client, cac).status_code == 403
    cac.refresh_from_db()
    assert cac.state == ReportState.SUBMITTED
    assert 'name="report"' not in client.get(reverse("review_queue")).content.decode()
