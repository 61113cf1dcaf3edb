"""A reviewer's comment on one value and the 待核实 mark: beside the clerk's box, on the review page, in the
history, in the summary's preview and in its Word document."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from reports.reporting.models import MonthlyReport, ValueComment
from reports.reporting.selectors import follow_up_values
from reports.summary.demo import DEMO_PERIOD
from reports.summary.services import build_export

pytestmark = pytest.mark.django_db

JULY, JUNE = datetime.date(2023, 7, 1), datetime.date(2023, 6, 1)
CASES = "anti_fraud.cases"


def _report(month=JULY):
    return MonthlyReport.objects.get(department__code="police", form__code="police_monthly", month=month)


def _comment(client, report, **data):
    url = reverse("report_value_comment", args=["police", "police_monthly", report.month.year, report.month.month])
    return client.post(url, {"indicator": CASES, **data}, follow=True)


def test_a_comment_marked_follow_up_reaches_the_clerk_the_review_page_and_the_history(client, login_as):
    reviewer = login_as("reviewer")
    report = _report()
    page = _comment(client, report, text="与预警记录不符，请核实", follow_up="1").content.decode()
    assert "已批注“发生电信网络诈骗案件”。该数值已标为待核实" in page
    comment = ValueComment.objects.get()
    assert (comment.report, comment.indicator.code, comment.user, comment.follow_up) == (report, CASES, reviewer, True)
    review = client.get(report.get_absolute_url()).content.decode()
    listed = review[review.index('id="value-comments"') :]
    assert "待核实" in listed and "发生电信网络诈骗案件" in listed and "与预警记录不符，请核实" in listed

    login_as("clerk_police")
    entry = client.get(report.get_absolute_url())
    rows = {row.indicator.code: row for _area, rows in entry.context["groups"] for row in rows}
    assert rows[CASES].comment == comment
    html = entry.content.decode()
    box = html[html.index(f'id="e_{CASES}"') :]
    assert box.index("审核意见：与预警记录不符，请核实") < box.index("</div>")  # beside the box
    history = client.get(reverse("report_history", args=["police", "police_monthly", 2023, 7])).content.decode()
    assert "与预警记录不符，请核实" in history
    # Once, in the page's body: never in its <title> or <head>.
    assert history.count("与预警记录不符，请核实") == 1
    assert "<table" not in history[: history.index("</head>")]


def test_a_later_comment_lifts_the_mark_and_the_first_stays_in_the_history(client, login_as):
    login_as("reviewer")
    report = _report()
    _comment(client, report, text="请核实", follow_up="1")
    assert follow_up_values(JULY, JULY)
    _comment(client, report, text="已电话核实，数值无误")
    assert not follow_up_values(JULY, JULY)
    assert list(ValueComment.objects.values_list("text", "follow_up")) == [
        ("请核实", True),
        ("已电话核实，数值无误", False),
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": "", "follow_up": ""}, "请填写审核意见，或勾选“待核实”。"),
        ({"text": "a\x00b"}, "不能包含控制字符"),
        ({"text": "长" * 501}, "不能超过 500 字"),
        ({"indicator": "court.cases_received", "text": "x"}, "请选择本月报中的一个指标。"),
        ({"indicator": "²" * 3000, "text": "x"}, "请选择本月报中的一个指标。"),
    ],
)
def test_bad_comments_are_refused_in_chinese_and_change_nothing(client, login_as, data, message):
    login_as("reviewer")
    response = _comment(client, _report(), **data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ValueComment.objects.exists()


@pytest.mark.parametrize("username, status", [("clerk_police", 403), ("leader", 403), ("clerk_court", 404)])
def test_only_reviewers_comment(client, login_as, username, status):
    login_as(username)
    assert _comment(client, _report(), text="x", follow_up="1").status_code == status
    assert not ValueComment.objects.exists()


def test_the_summary_marks_a_figure_resting_on_a_follow_up_value(client, login_as):
    login_as("reviewer")
    preview = reverse("summary_preview", args=[DEMO_PERIOD])
    assert "127件（待核实）" not in client.get(preview).content.decode()
    _comment(client, _report(JUNE), text="6月数字存疑", follow_up="1")
    page = client.get(preview).content.decode()
    assert "127件（待核实）" in page
    listed = page[page.index('id="follow-ups"') :]
    assert "待核实 1 项" in listed and "发生电信网络诈骗案件 · 县公安局 · 2023年6月：6月数字存疑" in listed
    content = build_export(period=DEMO_PERIOD, format="docx")[0]
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "127件（待核实）" in text and "同比下降11.81%（待核实）" in text

    annex = load_workbook(io.BytesIO(build_export(period=DEMO_PERIOD, format="xlsx")[0]))["全部指标"]
    rows = {row[1]: row for row in annex.iter_rows(min_row=3, values_only=True)}
    assert rows["发生电信网络诈骗案件"][3] == 127 and rows["发生电信网络诈骗案件"][10] == "待核实"
    assert rows["电信网络诈骗损失金额"][10] in ("", None)


def test_only_counted_values_mark_figures_and_a_ratio_built_from_one_is_marked(demo):
    """A mark on a value the figures do not count (a report not approved, a month not covered) marks
    nothing; a ratio resting on a marked numerator or denominator is marked with it."""
    from types import SimpleNamespace

    from metrics.models import Indicator
    from metrics.periods import Period
    from reports.reporting.models import ReportState
    from reports.summary.selectors import uncertain_codes

    rate = Indicator.objects.get(code="enforcement.conclusion_rate")
    concluded, other = rate.numerator, Indicator.objects.get(code=CASES)
    summary = SimpleNamespace(
        covered=SimpleNamespace(span=Period.half(2023, 1)),
        figures=[SimpleNamespace(indicator=i) for i in (rate, concluded, other)],
    )

    def mark(indicator, state=ReportState.APPROVED, month=JUNE):
        return SimpleNamespace(
            indicator=indicator, indicator_id=indicator.pk, report=SimpleNamespace(state=state, month=month)
        )

    assert uncertain_codes(summary, [mark(concluded)]) == {concluded.code, rate.code}
    assert uncertain_codes(summary, [mark(other)]) == {CASES}
    assert uncertain_codes(summary, [mark(concluded, state=ReportState.SUBMITTED)]) == set()
    assert uncertain_codes(summary, [mark(concluded, month=JULY)]) == set()
