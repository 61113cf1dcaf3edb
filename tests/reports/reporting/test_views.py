"""Reporting pages: the permission matrix, bad input through the form, review, history, query counts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.models import DataValue, Department, Status
from reports.reporting.models import MonthlyReport, ReportEvent, ReportState, allow_state_changes

pytestmark = pytest.mark.django_db

JULY = (2023, 7)
AUGUST = (2023, 8)


def url(name, department="police", month=JULY, form=None):
    return reverse(name, args=[department, form or f"{department}_monthly", *month])


def _values(department="police", month=AUGUST):
    return dict(
        DataValue.objects.filter(department__code=department, month=datetime.date(*month, 1)).values_list(
            "indicator__code", "value"
        )
    )


def _form(**values):
    """A POST for the police's August: two figures and whatever the test adds."""
    data = {"v_anti_fraud.cases": "12", "v_anti_fraud.losses": "30.5", "version": "0", "action": "save"}
    data.update(values)
    return data


# --- the permission matrix ---------------------------------------------------------------------

# (role's user, view, expected status). Police is the clerk's own department, court another one.
MATRIX = [
    # the clerk's own department
    ("clerk_police", "entry_list", 200),
    ("clerk_police", "entry_get", 200),
    ("clerk_police", "entry_post", 302),
    ("clerk_police", "review_post", 403),
    ("clerk_police", "history", 200),
    ("clerk_police", "review_queue", 403),
    ("clerk_police", "completeness", 403),
    # a clerk of another department: the police's report does not exist for them
    ("clerk_court", "entry_get", 404),
    ("clerk_court", "entry_post", 404),
    ("clerk_court", "review_post", 404),
    ("clerk_court", "history", 404),
    # reviewers see all and review, never enter
    ("reviewer", "entry_list", 302),
    ("reviewer", "entry_get", 200),
    ("reviewer", "entry_post", 403),
    ("reviewer", "review_post", 302),
    ("reviewer", "history", 200),
    ("reviewer", "review_queue", 200),
    ("reviewer", "completeness", 200),
    # leaders read everything and change nothing
    ("leader", "entry_list", 302),
    ("leader", "entry_get", 200),
    ("leader", "entry_post", 403),
    ("leader", "review_post", 403),
    ("leader", "history", 200),
    ("leader", "review_queue", 200),
    ("leader", "completeness", 200),
    # administrators do everything
    ("admin", "entry_get", 200),
    ("admin", "entry_post", 302),
    ("admin", "review_post", 302),
    ("admin", "history", 200),
    ("admin", "review_queue", 200),
    ("admin", "completeness", 200),
]


def _request(client, view):
    if view == "entry_list":
        return client.get(reverse("entry_list"))
    if view == "entry_get":
        return client.get(url("report_entry"))
    if view == "entry_post":
        return client.post(url("report_entry", month=AUGUST), _form())
    if view == "review_post":
        version = MonthlyReport.objects.get(
            department__code="police", form__code="police_monthly", month=datetime.date(2023, 7, 1)
        ).version
        return client.post(url("report_review"), {"action": "approve", "version": version})
    if view == "history":
        return client.get(url("report_history"))
    return client.get(reverse(view))


@pytest.mark.parametrize("username,view,status", MATRIX)
def test_permission_matrix(client, login_as, username, view, status):
    login_as(username)
    before = (
        _values(),
        MonthlyReport.objects.get(
            department__code="police", form__code="police_monthly", month=datetime.date(2023, 7, 1)
        ).state,
    )
    response = _request(client, view)
    assert response.status_code == status
    after = (
        _values(),
        MonthlyReport.objects.get(
            department__code="police", form__code="police_monthly", month=datetime.date(2023, 7, 1)
        ).state,
    )
    if status != 302 or view in ("entry_list",):
        assert after == before, "a refused or read-only request changed data"


def test_clerk_entry_list_shows_own_months_only(client, login_as):
    login_as("clerk_police")
    page = client.get(reverse("entry_list")).content.decode()
    assert "县公安局" in page and "2023年7月" in page
    assert "县人民法院" not in page


def test_entry_list_month_picker_opens_the_month(client, login_as):
    login_as("clerk_police")
    response = client.get(reverse("entry_list"), {"month": "2023-08"})
    assert response["Location"] == url("report_entry", month=AUGUST)


# --- the entry form ----------------------------------------------------------------------------


def test_entry_form_shows_units_last_month_and_last_year_beside_each_box(client, login_as):
    login_as("clerk_police")
    response = client.get(url("report_entry", month=AUGUST))
    page = response.content.decode()
    assert 'name="v_anti_fraud.cases"' in page and 'name="n_anti_fraud.cases"' in page
    assert "打击治理电信网络诈骗" in page  # grouped by area
    assert "上月" in page and "2023年7月" in page and "去年同月" in page and "2022年8月" in page
    rows = {r.indicator.code: r for _area, rows in response.context["groups"] for r in rows}
    july = DataValue.objects.get(department__code="police", indicator__code="anti_fraud.cases", month="2023-07-01")
    aug_2022 = DataValue.objects.get(department__code="police", indicator__code="anti_fraud.cases", month="2022-08-01")
    assert rows["anti_fraud.cases"].previous == july.value
    assert rows["anti_fraud.cases"].last_year == aug_2022.value
    assert "国家反诈中心APP实有人口注册率" in page  # a ratio, computed, not entered
    assert 'name="v_anti_fraud.app_registration_rate"' not in page


def test_clerk_saves_a_draft_then_submits(client, login_as):
    clerk = login_as("clerk_police")
    response = client.post(url("report_entry", month=AUGUST), _form(**{"n_anti_fraud.cases": "含跨月立案2件"}))
    assert response.status_code == 302
    report = MonthlyReport.objects.get(
        department__code="police", form__code="police_monthly", month=datetime.date(2023, 8, 1)
    )
    assert report.state == ReportState.DRAFT and report.version == 1
    assert _values() == {"anti_fraud.cases": Decimal(12), "anti_fraud.losses": Decimal("30.5")}
    value = DataValue.objects.get(department__code="police", indicator__code="anti_fraud.cases", month="2023-08-01")
    assert value.note == "含跨月立案2件" and value.history.first().history_user == clerk
    # The police enter more than two figures: submitting asks first which boxes are really unavailable.
    response = client.post(url("report_entry", month=AUGUST), _form(version="1", action="submit"))
    assert response.status_code == 200
    page = response.content.decode()
    blanks = re.findall(r'name="confirmed_blank" value="([^"]+)"', page)
    assert blanks and "anti_fraud.cases" not in blanks and "确认以上指标无法提供" in page
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    confirmed = _form(version="1", action="submit", confirmed_blank=blanks)
    response = client.post(url("report_entry", month=AUGUST), confirmed, follow=True)
    assert "已上报" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert not DataValue.objects.filter(department__code="police", month="2023-08-01", value=0).exists()
    assert set(
        DataValue.objects.filter(department__code="police", month="2023-08-01").values_list("status", flat=True)
    ) == {Status.SUBMITTED}


@pytest.mark.parametrize(
    "field,typed,message",
    [
        ("v_anti_fraud.cases", "十二", "请填写数字（如 12 或 3.5），不能填写文字或符号。"),
        ("v_anti_fraud.cases", "-3", "不能为负数。"),
        ("v_anti_fraud.suspects_caught", "1.5", "单位为「人」，只能填写整数。"),
        ("v_anti_fraud.losses", "1.23456", "最多保留 4 位小数。"),
        ("v_governance.camera_online_rate", "101", "百分比应在 0 到 100 之间。"),
    ],
)
def test_bad_input_gets_a_chinese_message_beside_the_box_and_changes_nothing(client, login_as, field, typed, message):
    login_as("clerk_police")
    response = client.post(url("report_entry", month=AUGUST), _form(**{field: typed}))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'value="{typed}"' in page  # what was typed stays in the box to be corrected
    assert "未保存" in page
    assert _values() == {}
    assert not MonthlyReport.objects.filter(
        department__code="police", form__code="police_monthly", month="2023-08-01", version__gt=0
    ).exists()


def test_forged_indicator_of_another_department_is_refused(client, login_as):
    login_as("clerk_police")
    response = client.post(url("report_entry", month=AUGUST), _form(**{"v_enforcement.cases_received": "5"}))
    assert response.status_code == 400
    assert "不属于本单位的指标（enforcement.cases_received）" in response.content.decode()
    assert _values() == {}
    assert not DataValue.objects.filter(indicator__code="enforcement.cases_received", month="2023-08-01").exists()


def test_forged_post_for_another_department_is_not_found(client, login_as):
    login_as("clerk_police")
    response = client.post(url("report_entry", "court", AUGUST), {"v_enforcement.cases_received": "5", "version": "0"})
    assert response.status_code == 404
    assert not DataValue.objects.filter(department__code="court", month="2023-08-01").exists()


def test_a_future_month_is_refused(client, login_as):
    login_as("clerk_police")
    response = client.post(url("report_entry", month=(2099, 1)), _form(), follow=True)
    assert "不能填报未来月份" in response.content.decode()
    assert not MonthlyReport.objects.filter(month="2099-01-01").exists()
    page = client.get(url("report_entry", month=(2099, 1))).content.decode()
    assert "不能填报未来月份" in page and 'name="v_anti_fraud.cases"' not in page


def test_a_locked_month_is_refused(client, login_as):
    login_as("clerk_police")
    june = datetime.date(2023, 6, 1)
    before = _values(month=(2023, 6))
    report = MonthlyReport.objects.get(department__code="police", form__code="police_monthly", month=june)
    response = client.post(url("report_entry", month=(2023, 6)), _form(version=str(report.version)), follow=True)
    assert "已审核锁定" in response.content.decode()
    assert _values(month=(2023, 6)) == before
    page = client.get(url("report_entry", month=(2023, 6))).content.decode()
    assert 'name="v_anti_fraud.cases"' not in page and "数据已锁定" in page


def test_impossible_month_is_not_found(client, login_as):
    login_as("clerk_police")
    assert client.get(url("report_entry", month=(2023, 13))).status_code == 404


def test_stale_save_is_refused_showing_what_changed(client, login_as):
    """Two clerks opened version 1; the second save shows the first one's change and keeps what was typed."""
    login_as("clerk_police")
    client.post(url("report_entry", month=AUGUST), _form())
    client.post(url("report_entry", month=AUGUST), _form(version="1", **{"v_anti_fraud.cases": "15"}))
    response = client.post(url("report_entry", month=AUGUST), _form(version="1", **{"v_anti_fraud.cases": "13"}))
    assert response.status_code == 409
    page = response.content.decode()
    assert "已被他人修改" in page and "版本 1 → 2" in page
    assert "他人在您打开本页后做了以下修改" in page
    assert "您填写的：13" in page
    assert _values()["anti_fraud.cases"] == 15
    assert 'value="15"' in page  # the box shows what is stored now


def test_submit_with_a_broken_rule_keeps_the_draft_and_explains(client, login_as):
    login_as("clerk_police")
    data = _form(
        action="submit",
        **{
            "v_anti_fraud.myanmar_stranded_total": "10",
            "v_anti_fraud.myanmar_stranded_reduced": "4",
            "v_anti_fraud.myanmar_stranded_remaining": "7",
        },
    )
    response = client.post(url("report_entry", month=AUGUST), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "草稿已保存" in page and "应等于" in page and "10 − 4 = 6" in page
    report = MonthlyReport.objects.get(department__code="police", form__code="police_monthly", month="2023-08-01")
    assert report.state == ReportState.DRAFT
    assert _values()["anti_fraud.myanmar_stranded_remaining"] == 7


def test_enter_does_not_submit_without_javascript_either(client, login_as):
    """The first submit button (the one Enter triggers) only saves a draft."""
    login_as("clerk_police")
    page = client.get(url("report_entry", month=AUGUST)).content.decode()
    first_button = page[page.index('<form method="post" id="entry-form"') :].split("<button", 2)[1]
    assert 'value="save"' in first_button


# --- review ------------------------------------------------------------------------------------


def test_reviewer_returns_with_a_reason_the_clerk_sees(client, login_as):
    login_as("reviewer")
    report = MonthlyReport.objects.get(department__code="police", form__code="police_monthly", month="2023-07-01")
    response = client.post(
        url("report_review"), {"action": "return", "reason": "止付金额请核实", "version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    login_as("clerk_police")
    page = client.get(url("report_entry")).content.decode()
    assert "审核员退回了本月报" in page and "止付金额请核实" in page
    assert 'name="v_anti_fraud.cases"' in page  # editable again


def test_return_without_reason_is_refused(client, login_as):
    login_as("reviewer")
    report = MonthlyReport.objects.get(department__code="police", form__code="police_monthly", month="2023-07-01")
    response = client.post(
        url("report_review"), {"action": "return", "reason": " ", "version": report.version}, follow=True
    )
    assert "请填写退回原因" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_reviewer_approves_then_reopens(client, login_as):
    login_as("reviewer")
    report = MonthlyReport.objects.get(department__code="police", form__code="police_monthly", month="2023-07-01")
    client.post(url("report_review"), {"action": "approve", "version": report.version})
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    client.post(url("report_review"), {"action": "reopen", "reason": "补充说明", "version": report.version})
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED and report.return_reason == "补充说明"


def test_unknown_review_action_changes_nothing(client, login_as):
    login_as("reviewer")
    response = client.post(url("report_review"), {"action": "delete"}, follow=True)
    assert "无法识别的操作" in response.content.decode()
    assert (
        MonthlyReport.objects.get(department__code="police", form__code="police_monthly", month="2023-07-01").state
        == ReportState.SUBMITTED
    )


def test_review_queue_lists_submitted_reports_with_lateness(client, login_as):
    login_as("reviewer")
    page = client.get(reverse("review_queue")).content.decode()
    for name in ("县公安局", "县人民法院", "县人民检察院", "县委网信办"):
        assert name in page
    assert "迟报" not in page  # all submitted by the demo's day, 3 August, before the deadline
    assert "县司法局" in page and "受理法律援助案件数比以往多出三倍以上" in page  # returned, waiting


# --- completeness ------------------------------------------------------------------------------


def test_completeness_grid_and_rates(client, login_as):
    login_as("reviewer")
    response = client.get(reverse("completeness"))
    context = response.context
    assert context["months"][-1] == datetime.date(2023, 7, 1) and len(context["months"]) == 12
    july = context["rates"][-1]
    # 11 departments and 33 towns, the four 政法 units with two forms each: 48 reports a month. Court,
    # procuratorate and police submitted both, cac its one, 28 towns: all by the demo's 3 August, on time.
    assert (july.expected, july.actual, july.on_time) == (48, 35, 35)
    assert july.reporting_rate == 72.9 and july.on_time_rate == 72.9
    june = context["rates"][-2]
    # cac's June came on 7 July, after its deadline (迟报).
    assert (june.actual, june.on_time, june.reporting_rate) == (48, 47, 100.0)
    grid = dict(context["grid"])
    cells = {line.department.code: cells[-1] for line, cells in grid.items() if line.form.code != "zf_units_monthly"}
    assert not cells["cac"]["late"] and cells["cac"]["state"] == ReportState.SUBMITTED
    june_cells = {
        line.department.code: cells[-2] for line, cells in grid.items() if line.form.code != "zf_units_monthly"
    }
    assert june_cells["cac"]["late"] and june_cells["cac"]["state"] == ReportState.APPROVED
    assert cells["transport"]["state"] == ReportState.NOT_STARTED and cells["transport"]["overdue"]
    assert cells["justice"]["state"] == ReportState.RETURNED
    page = response.content.decode()
    assert "报送率" in page and "按时率" in page and "72.9%" in page


def test_completeness_month_range(client, login_as):
    login_as("leader")
    response = client.get(reverse("completeness"), {"start": "2023-01", "end": "2023-03"})
    assert [m.month for m in response.context["months"]] == [1, 2, 3]


# --- history -----------------------------------------------------------------------------------


def test_history_page_lists_value_changes_and_transitions(client, login_as):
    login_as("clerk_police")
    client.post(url("report_entry", month=AUGUST), _form())
    client.post(
        url("report_entry", month=AUGUST),
        _form(version="1", **{"v_anti_fraud.cases": "14", "n_anti_fraud.cases": "更正"}),
    )
    response = client.get(url("report_history", month=AUGUST))
    page = response.content.decode()
    changes = [c for c in response.context["changes"] if c.indicator == "发生电信网络诈骗案件"]
    assert [(c.old_value, c.new_value, c.new_note) for c in changes] == [(None, 12, ""), (12, 14, "更正")]
    assert "县公安局填报员" in page and "更正" in page
    assert ReportEvent.objects.filter(report__department__code="police", report__month="2023-08-01").count() == 2


# --- queries -----------------------------------------------------------------------------------


def _queries(client, path, **params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len(captured)


def test_entry_page_queries_do_not_grow_with_indicators(client, login_as):
    login_as("admin")
    big = _queries(client, url("report_entry"))  # police: 52 indicators
    small = _queries(client, url("report_entry", "procuratorate"))  # 1 indicator
    assert big == small
    assert big <= 20


def test_grid_and_queue_queries_do_not_grow_with_months_or_reports(client, login_as):
    login_as("reviewer")
    assert _queries(client, reverse("completeness"), start="2023-01", end="2023-02") == _queries(
        client, reverse("completeness"), start="2022-01", end="2023-07"
    )
    few = _queries(client, reverse("review_queue"))
    with allow_state_changes():  # setting the scene, as a fixture would
        MonthlyReport.objects.filter(month="2023-06-01").update(state=ReportState.SUBMITTED)
    assert _queries(client, reverse("review_queue")) == few


def test_refusals_are_explained_in_chinese(client, login_as):
    login_as("leader")
    page = client.post(url("report_entry", month=AUGUST), _form()).content.decode()
    assert "无权访问" in page and "您只能填报本单位的月报" in page
    login_as("clerk_court")
    response = client.get(url("report_entry"))
    assert response.status_code == 404 and "县公安局" not in response.content.decode()


def test_an_outlier_asks_for_a_note_but_submission_goes_through(client, login_as):
    login_as("clerk_justice")
    page = client.get(url("report_entry", "justice")).content.decode()
    assert "明显高于近12个月" in page and "请说明原因" in page  # the demo's returned July: 4× legal aid cases
    report = MonthlyReport.objects.get(department__code="justice", form__code="justice_monthly", month="2023-07-01")
    data = {"version": str(report.version), "action": "submit", "v_legal_service.aid_cases": "228"}
    response = client.post(url("report_entry", "justice"), data, follow=True)
    assert "明显异常且未在备注中说明" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


@pytest.mark.parametrize("version", ["abc", "", "1.5"])
def test_a_forged_version_is_refused_without_a_crash(client, login_as, version):
    login_as("clerk_police")
    response = client.post(url("report_entry", month=AUGUST), _form(version=version))
    assert response.status_code == 409
    assert "请刷新页面" in response.content.decode()
    assert _values() == {}
    login_as("reviewer")
    response = client.post(url("report_review"), {"action": "approve", "version": version}, follow=True)
    assert "请刷新页面" in response.content.decode()
    assert (
        MonthlyReport.objects.get(department__code="police", form__code="police_monthly", month="2023-07-01").state
        == ReportState.SUBMITTED
    )


# --- hostile text in every text parameter of the report pages ------------------------------------

HOSTILE_TEXT = ["含\x00空字符", "\x07响铃", "x" * 501, "\x1b[31m红字"]


@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=["nul", "bell", "too-long", "escape"])
def test_a_hostile_note_is_refused_beside_its_box_and_changes_nothing(client, login_as, text):
    login_as("clerk_police")
    response = client.post(url("report_entry", month=AUGUST), _form(**{"n_anti_fraud.cases": text}))
    assert response.status_code == 400
    assert "备注" in response.content.decode()
    assert not MonthlyReport.objects.filter(department__code="police", month="2023-08-01").exists()


@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=["nul", "bell", "too-long", "escape"])
def test_a_hostile_return_reason_is_refused_and_changes_nothing(client, login_as, text):
    login_as("reviewer")
    report = MonthlyReport.objects.get(department__code="police", form__code="police_monthly", month="2023-07-01")
    before = (report.state, report.version)
    response = client.post(
        url("report_review"), {"action": "return", "reason": text, "version": report.version}, follow=True
    )
    assert response.status_code == 200 and "原因" in response.content.decode()
    report.refresh_from_db()
    assert (report.state, report.version) == before


@pytest.mark.parametrize("action", ["", "delete", "\x00", "approve", "withdraw" * 40])
def test_an_unknown_entry_action_is_refused_and_changes_nothing(client, login_as, action):
    login_as("clerk_police")
    response = client.post(url("report_entry", month=AUGUST), _form(action=action), follow=True)
    assert response.status_code == 200
    assert "无法识别的操作" in response.content.decode() and "\x00" not in response.content.decode()
    assert not MonthlyReport.objects.filter(department__code="police", month="2023-08-01").exists()


def test_an_overdue_report_never_started_can_still_be_submitted(client, login_as):
    """The overdue task makes 未填报 rows; their page still offers 上报审核 (it saves first)."""
    from reports.notifications import reminders

    reminders.mark_overdue_reports(today=datetime.date(2023, 8, 10))
    transport = MonthlyReport.objects.get(department__code="transport", month="2023-07-01")
    assert transport.state == ReportState.NOT_STARTED and transport.overdue_at is not None
    login_as("clerk_transport")
    page = client.get(url("report_entry", department="transport", month=JULY)).content.decode()
    assert 'value="submit"' in page


def test_a_broker_that_fails_after_the_commit_loses_no_work_and_shows_no_error(
    client, login_as, monkeypatch, django_capture_on_commit_callbacks
):
    from reports.notifications import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.notify_transition, "delay", down)
    login_as("reviewer")
    report = MonthlyReport.objects.get(department__code="police", form__code="police_monthly", month="2023-07-01")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("report_review"), {"action": "approve", "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED


def test_the_clerks_month_list_takes_the_same_queries_however_many_reports(client, login_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.reporting.workflow import get_or_create_report
    from tests.factories import department_form

    login_as("clerk_police")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("entry_list")).status_code == 200
        return len(captured)

    before = queries()
    police = Department.objects.get(code="police")
    for month in range(1, 13):
        get_or_create_report(department=police, form=department_form(police), month=datetime.date(2021, month, 1))
    assert queries() == before
