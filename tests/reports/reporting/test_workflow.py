"""The reporting workflow's services: every transition, every refusal, status mirroring, audit."""

import ast
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from metrics.models import DataValue, Status
from reports.reporting import workflow
from reports.reporting.actions import ACTIONS
from reports.reporting.errors import (
    BlanksNotConfirmed,
    InvalidMonth,
    InvalidValues,
    PermissionDenied,
    StaleReport,
    TransitionError,
)
from reports.reporting.models import (
    MonthlyReport,
    ReportAction,
    ReportEvent,
    ReportState,
    StateChangeOutsideWorkflow,
    allow_state_changes,
)
from reports.reporting.workflow import get_or_create_report
from tests.factories import ClerkFactory

pytestmark = pytest.mark.django_db

D = Decimal
MONTH = datetime.date(2023, 8, 1)


GOOD = {"t.received": D(12), "t.concluded": D(10), "t.money": D("3.5"), "t.rate": D("98.5")}


def _report(unit, month=MONTH):
    return get_or_create_report(department=unit["department"], form=unit["form"], month=month)


def _filled(unit, values=GOOD):
    report = _report(unit)
    workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values=values)
    return report


def _submitted(unit):
    report = _filled(unit)
    workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])
    return report


def _statuses(unit, month=MONTH):
    return set(DataValue.objects.filter(department=unit["department"], month=month).values_list("status", flat=True))


# --- happy path ------------------------------------------------------------------


def test_a_new_month_is_not_started_with_version_zero(unit):
    report = _report(unit)
    assert report.state == ReportState.NOT_STARTED
    assert report.version == 0


def test_save_makes_a_draft_and_stores_values_as_draft(unit):
    report = _filled(unit)
    assert report.state == ReportState.DRAFT
    assert report.version == 1
    stored = DataValue.objects.filter(department=unit["department"], month=MONTH)
    stored = dict(stored.values_list("indicator__code", "value"))
    assert stored == GOOD
    assert _statuses(unit) == {Status.DRAFT}


def test_full_cycle_submit_return_fix_submit_approve(unit):
    """Each state change is recorded with who, when, from, to and comment, and values follow the state."""
    clerk, reviewer = unit["clerk"], unit["reviewer"]
    report = _submitted(unit)
    assert report.state == ReportState.SUBMITTED and _statuses(unit) == {Status.SUBMITTED}
    assert report.first_submitted_at is not None and report.submitted_by == clerk

    workflow.perform(ReportAction.RETURN, report=report, user=reviewer, reason="执结数请核实")
    assert report.state == ReportState.RETURNED and report.return_reason == "执结数请核实"
    assert _statuses(unit) == {Status.DRAFT}

    workflow.perform(ReportAction.SAVE, report=report, user=clerk, values={"t.concluded": D(9)})
    assert report.state == ReportState.RETURNED  # still returned until resubmitted
    workflow.perform(ReportAction.SUBMIT, report=report, user=clerk)
    assert report.return_reason == ""
    workflow.perform(ReportAction.APPROVE, report=report, user=reviewer, comment="数据无误")
    assert report.state == ReportState.APPROVED and report.approved_by == reviewer
    assert _statuses(unit) == {Status.APPROVED}

    events = list(ReportEvent.objects.filter(report=report).order_by("pk"))
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        (ReportAction.SAVE, ReportState.NOT_STARTED, ReportState.DRAFT),
        (ReportAction.SUBMIT, ReportState.DRAFT, ReportState.SUBMITTED),
        (ReportAction.RETURN, ReportState.SUBMITTED, ReportState.RETURNED),
        (ReportAction.SAVE, ReportState.RETURNED, ReportState.RETURNED),
        (ReportAction.SUBMIT, ReportState.RETURNED, ReportState.SUBMITTED),
        (ReportAction.APPROVE, ReportState.SUBMITTED, ReportState.APPROVED),
    ]
    assert [e.user for e in events] == [clerk, clerk, reviewer, clerk, clerk, reviewer]
    assert events[2].comment == "执结数请核实" and events[5].comment == "数据无误"
    assert [e.version for e in events] == [1, 2, 3, 4, 5, 6]
    report.refresh_from_db()
    assert report.version == 6


def test_reopen_an_approved_report_with_a_reason(unit):
    report = _submitted(unit)
    workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"])
    workflow.perform(ReportAction.REOPEN, report=report, user=unit["reviewer"], reason="市里要求更正金额")
    assert report.state == ReportState.RETURNED
    assert report.return_reason == "市里要求更正金额"
    assert report.approved_at is None
    assert _statuses(unit) == {Status.DRAFT}
    workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values={"t.money": D("3.6")})
    workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])
    assert report.state == ReportState.SUBMITTED


def test_first_submission_time_is_kept_for_lateness(unit):
    report = _submitted(unit)
    first = report.first_submitted_at
    workflow.perform(ReportAction.RETURN, report=report, user=unit["reviewer"], reason="请核实")
    workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])
    assert report.first_submitted_at == first
    assert report.submitted_at >= first


def test_administrator_can_enter_and_review(unit):
    report = _report(unit)
    workflow.perform(ReportAction.SAVE, report=report, user=unit["admin"], values=GOOD)
    workflow.perform(ReportAction.SUBMIT, report=report, user=unit["admin"])
    workflow.perform(ReportAction.APPROVE, report=report, user=unit["admin"])
    assert report.state == ReportState.APPROVED


def test_clearing_a_value_keeps_it_missing_not_zero(unit):
    report = _filled(unit)
    workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values={"t.money": None})
    value = DataValue.objects.get(department=unit["department"], month=MONTH, indicator__code="t.money")
    assert value.value is None


def test_saving_the_same_figures_changes_nothing(unit):
    report = _filled(unit)
    result = workflow.perform(
        ReportAction.SAVE, report=report, user=unit["clerk"], values={"t.received": D("12.0000"), "t.money": D("3.50")}
    )
    assert result.changed == []
    assert report.version == 1
    assert ReportEvent.objects.filter(report=report).count() == 1


# --- audit -----------------------------------------------------------------------


def test_every_value_change_is_kept_with_who_old_new_and_note(unit):
    from reports.reporting.selectors import value_changes

    report = _filled(unit)
    workflow.perform(
        ReportAction.SAVE,
        report=report,
        user=unit["clerk"],
        values={"t.received": D(14)},
        notes={"t.received": "补录月底立案2件"},
    )
    changes = [c for c in value_changes(unit["department"], MONTH) if c.indicator == "受理案件"]
    assert [(c.old_value, c.new_value, c.new_note) for c in changes] == [
        (None, D(12), ""),
        (D(12), D(14), "补录月底立案2件"),
    ]
    assert {c.user for c in changes} == {unit["clerk"]}
    assert DataValue.history.filter(indicator__code="t.received", department=unit["department"]).count() == 2


# --- refusals: permission ----------------------------------------------------------


@pytest.mark.parametrize("who", ["other_clerk", "reviewer", "leader"])
def test_only_the_own_clerk_or_an_administrator_saves(unit, who):
    report = _report(unit)
    with pytest.raises(PermissionDenied) as error:
        workflow.perform(ReportAction.SAVE, report=report, user=unit[who], values=GOOD)
    assert isinstance(error.value, DjangoPermissionDenied)
    assert error.value.message == "您只能填报本单位的月报。"
    assert not DataValue.objects.filter(department=unit["department"]).exists()


@pytest.mark.parametrize("who", ["other_clerk", "reviewer", "leader"])
def test_only_the_own_clerk_or_an_administrator_submits(unit, who):
    report = _filled(unit)
    with pytest.raises(PermissionDenied):
        workflow.perform(ReportAction.SUBMIT, report=report, user=unit[who])
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


@pytest.mark.parametrize("who", ["clerk", "other_clerk", "leader"])
@pytest.mark.parametrize("action", ["approve", "return"])
def test_only_reviewers_approve_or_return(unit, who, action):
    report = _submitted(unit)
    with pytest.raises(PermissionDenied, match="只有审核员"):
        if action == "approve":
            workflow.perform(ReportAction.APPROVE, report=report, user=unit[who])
        else:
            workflow.perform(ReportAction.RETURN, report=report, user=unit[who], reason="x")
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    assert _statuses(unit) == {Status.SUBMITTED}


@pytest.mark.parametrize("who", ["clerk", "leader"])
def test_only_reviewers_reopen(unit, who):
    report = _submitted(unit)
    workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"])
    with pytest.raises(PermissionDenied):
        workflow.perform(ReportAction.REOPEN, report=report, user=unit[who], reason="x")
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.APPROVED


# --- refusals: state -------------------------------------------------------------


def test_approved_report_is_locked(unit):
    report = _submitted(unit)
    workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"])
    with pytest.raises(TransitionError, match="已审核锁定"):
        workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values={"t.received": D(13)})
    with pytest.raises(TransitionError):
        workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])
    assert DataValue.objects.get(indicator__code="t.received", month=MONTH).value == 12


def test_submitted_report_cannot_be_edited_by_the_clerk(unit):
    report = _submitted(unit)
    with pytest.raises(TransitionError, match="正在审核中"):
        workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values={"t.received": D(13)})


def test_cannot_submit_twice(unit):
    report = _submitted(unit)
    with pytest.raises(TransitionError):
        workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])


def test_cannot_submit_a_report_never_saved(unit):
    report = _report(unit)
    with pytest.raises(TransitionError, match="尚未填写"):
        workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])


def test_cannot_submit_an_empty_report(unit):
    report = _filled(unit, values={"t.received": None})
    with pytest.raises(InvalidValues, match="没有填写任何数据"):
        workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])


@pytest.mark.parametrize(
    "action,state",
    [
        ("approve", ReportState.DRAFT),
        ("return", ReportState.DRAFT),
        ("reopen", ReportState.DRAFT),
        ("reopen", ReportState.SUBMITTED),
        ("approve", ReportState.APPROVED),
        ("return", ReportState.APPROVED),
    ],
)
def test_review_actions_refused_in_the_wrong_state(unit, action, state):
    report = _filled(unit)
    if state != ReportState.DRAFT:
        workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])
    if state == ReportState.APPROVED:
        workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"])
    version = report.version
    call = {
        "approve": lambda: workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"]),
        "return": lambda: workflow.perform(ReportAction.RETURN, report=report, user=unit["reviewer"], reason="x"),
        "reopen": lambda: workflow.perform(ReportAction.REOPEN, report=report, user=unit["reviewer"], reason="x"),
    }[action]
    with pytest.raises(TransitionError) as error:
        call()
    assert "当前：" in error.value.message
    report.refresh_from_db()
    assert (report.state, report.version) == (state, version)


@pytest.mark.parametrize("reason", ["", "   "])
def test_return_and_reopen_need_a_reason(unit, reason):
    report = _submitted(unit)
    with pytest.raises(InvalidValues, match="请填写退回原因"):
        workflow.perform(ReportAction.RETURN, report=report, user=unit["reviewer"], reason=reason)
    workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"])
    with pytest.raises(InvalidValues, match="重新打开的原因"):
        workflow.perform(ReportAction.REOPEN, report=report, user=unit["reviewer"], reason=reason)


# --- refusals: bad input ---------------------------------------------------------


@pytest.mark.parametrize(
    "values,message",
    [
        ({"t.received": D(-1)}, "不能为负数"),
        ({"t.received": D("1.5")}, "只能填写整数"),
        ({"t.money": D("1.23456")}, "最多保留 4 位小数"),
        ({"t.rate": D(101)}, "百分比应在 0 到 100 之间"),
    ],
)
def test_bad_figures_change_nothing(unit, values, message):
    report = _filled(unit)
    before = list(DataValue.objects.order_by("pk").values_list("value", "status"))
    with pytest.raises(InvalidValues) as error:
        workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values={**values, "t.concluded": D(11)})
    assert message in error.value.message
    assert list(error.value.errors) == list(values)
    assert list(DataValue.objects.order_by("pk").values_list("value", "status")) == before
    assert MonthlyReport.objects.get(pk=report.pk).version == 1


def test_another_departments_indicator_is_refused_naming_the_form(unit):
    report = _report(unit)
    with pytest.raises(InvalidValues, match="不在测试法院的任何报表中（报表：县人民法院月报由县人民法院填报）"):
        workflow.perform(
            ReportAction.SAVE, report=report, user=unit["clerk"], values={**GOOD, "enforcement.cases_received": D(1)}
        )
    with pytest.raises(InvalidValues, match="不属于测试法院.*no.such.code"):
        workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values={"no.such.code": D(1)})
    assert not DataValue.objects.filter(department=unit["department"]).exists()


def test_a_future_month_is_refused(unit):
    with pytest.raises(InvalidMonth, match="不能填报未来月份"):
        get_or_create_report(department=unit["department"], form=unit["form"], month=datetime.date(2099, 1, 1))
    assert not MonthlyReport.objects.filter(month=datetime.date(2099, 1, 1)).exists()


def test_cross_field_rule_allows_a_draft_but_blocks_submission(unit):
    report = _report(unit)
    result = workflow.perform(
        ReportAction.SAVE, report=report, user=unit["clerk"], values={**GOOD, "t.concluded": D(13)}
    )
    assert report.state == ReportState.DRAFT
    assert [v.message for v in result.violations] == ["「执结案件」（13）不能大于「受理案件」（12）。"]
    with pytest.raises(InvalidValues, match="不能大于") as error:
        workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])
    assert error.value.violations
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_outliers_warn_but_do_not_block(unit):
    department = unit["department"]
    received = unit["indicators"][0]
    for k in range(1, 13):
        month = datetime.date(2022 + (7 + k) // 12, (7 + k) % 12 + 1, 1)
        DataValue.objects.create(indicator=received, department=department, month=month, value=10)
    report = _report(unit)
    result = workflow.perform(
        ReportAction.SAVE, report=report, user=unit["clerk"], values={**GOOD, "t.received": D(40)}
    )
    assert "明显高于近12个月" in result.warnings["t.received"]
    workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])
    assert report.state == ReportState.SUBMITTED


# --- stale data ------------------------------------------------------------------


def test_save_on_stale_version_is_refused_with_what_changed(unit):
    """Two people opened version 1; the second save is refused and lists the first one's change."""
    report = _filled(unit)
    second_clerk = ClerkFactory(username="t_clerk2", department=unit["department"])
    workflow.perform(ReportAction.SAVE, report=report, user=second_clerk, values={"t.received": D(20)}, version=1)
    with pytest.raises(StaleReport) as error:
        workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values={"t.money": D(9)}, version=1)
    stale = error.value
    assert "已被他人修改" in stale.message and "版本 1 → 2" in stale.message
    assert [(c.indicator, c.old_value, c.new_value, c.user) for c in stale.changes] == [
        ("受理案件", D(12), D(20), second_clerk)
    ]
    assert [e.user for e in stale.events] == [second_clerk]
    assert DataValue.objects.get(indicator__code="t.money", month=MONTH).value == D("3.5")
    assert DataValue.objects.get(indicator__code="t.received", month=MONTH).value == 20


def test_transition_on_stale_version_is_refused(unit):
    report = _submitted(unit)
    with pytest.raises(StaleReport):
        workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"], version=report.version - 1)
    workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"], version=report.version)
    assert report.state == ReportState.APPROVED


def test_a_caller_holding_an_old_instance_still_gets_the_guard(unit):
    """The service re-reads the row under lock: an outdated in-memory state cannot slip through."""
    report = _submitted(unit)
    old = MonthlyReport.objects.get(pk=report.pk)
    workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"])
    with pytest.raises(TransitionError):
        workflow.perform(ReportAction.SAVE, report=old, user=unit["clerk"], values={"t.received": D(1)})


def test_demo_july_is_a_mix(demo):
    reports = MonthlyReport.objects.filter(month=datetime.date(2023, 7, 1)).select_related("department")
    july = {r.department.code: r for r in reports}
    states = {code: r.state for code, r in july.items()}
    assert list(states.values()).count(ReportState.SUBMITTED) >= 3
    assert list(states.values()).count(ReportState.DRAFT) >= 2
    assert list(states.values()).count(ReportState.RETURNED) == 1
    assert july["justice"].return_reason
    assert {"education", "transport", "market"}.isdisjoint(july)  # not started: no report at all
    # On the demo's day (3 August, before July's deadline) no July report can be late yet; cac's June was.
    assert not any(r.submitted_late for r in july.values())
    assert MonthlyReport.objects.get(
        department__code="cac", form__code="cac_monthly", month="2023-06-01"
    ).submitted_late
    assert all(r.is_overdue(datetime.date(2023, 8, 8)) for r in july.values() if r.state == ReportState.DRAFT)
    assert not any(r.is_overdue(datetime.date(2023, 8, 5)) for r in july.values())


def test_demo_history_is_approved_reports(demo):
    reports = MonthlyReport.objects.filter(month__lte=datetime.date(2023, 6, 1))
    assert reports.count() == 48 * 18  # 11 departments and 33 towns; the four 政法 units report two forms
    assert set(reports.values_list("state", flat=True)) == {ReportState.APPROVED}
    assert not reports.filter(first_submitted_at__isnull=True).exists()


def test_deadline_overdue_and_late(unit):
    """Due on the form's deadline day of the next month; overdue until submitted; late stays visible."""
    unit["form"].deadline_day = 10
    unit["form"].save()
    report = _filled(unit)
    assert report.deadline == datetime.date(2023, 9, 10)
    assert not report.is_overdue(datetime.date(2023, 9, 10))
    assert report.is_overdue(datetime.date(2023, 9, 11))
    workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])
    assert not report.is_overdue(datetime.date(2023, 9, 11))
    assert report.submitted_late  # submitted today, long after 2023-09-10
    workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"])
    assert report.submitted_late and report.is_late()
    imported = MonthlyReport(
        department=unit["department"], form=unit["form"], month=datetime.date(2023, 1, 1), state=ReportState.APPROVED
    )
    assert not imported.is_overdue(datetime.date(2026, 1, 1))


# --- withdraw ------------------------------------------------------------------------


def test_the_clerk_withdraws_a_submitted_report_before_review(unit):
    clerk = unit["clerk"]
    report = _submitted(unit)
    outcome = workflow.perform(ReportAction.WITHDRAW, report=report, user=clerk, version=report.version)
    assert report.state == ReportState.DRAFT and _statuses(unit) == {Status.DRAFT}
    # A first submission taken back was never delivered: the report is due again, and may fall overdue.
    assert report.submitted_at is None and report.first_submitted_at is None
    assert report.is_overdue(report.deadline + datetime.timedelta(days=1))
    assert (outcome.event.action, outcome.event.from_state, outcome.event.to_state, outcome.event.user) == (
        ReportAction.WITHDRAW,
        ReportState.SUBMITTED,
        ReportState.DRAFT,
        clerk,
    )
    # Withdrawn, the figures can be corrected and submitted again.
    workflow.perform(ReportAction.SAVE, report=report, user=clerk, values={"t.concluded": D(9)})
    workflow.perform(ReportAction.SUBMIT, report=report, user=clerk)
    assert report.state == ReportState.SUBMITTED and report.first_submitted_at == report.submitted_at


def test_withdrawing_a_resubmission_keeps_the_first_submission_for_timeliness(unit):
    clerk = unit["clerk"]
    report = _submitted(unit)
    first = report.first_submitted_at
    workflow.perform(ReportAction.RETURN, report=report, user=unit["reviewer"], reason="请核实")
    workflow.perform(ReportAction.SUBMIT, report=report, user=clerk)
    workflow.perform(ReportAction.WITHDRAW, report=report, user=clerk)
    assert report.first_submitted_at == first and report.submitted_at is None


@pytest.mark.parametrize("state_after", ["approve", "return"])
def test_a_report_a_reviewer_acted_on_cannot_be_withdrawn(unit, state_after):
    report = _submitted(unit)
    reviewer = unit["reviewer"]
    if state_after == "approve":
        workflow.perform(ReportAction.APPROVE, report=report, user=reviewer)
    else:
        workflow.perform(ReportAction.RETURN, report=report, user=reviewer, reason="请核实")
    version = report.version
    with pytest.raises(TransitionError, match="只有已上报、尚未审核的月报可以撤回"):
        workflow.perform(ReportAction.WITHDRAW, report=report, user=unit["clerk"])
    report.refresh_from_db()
    assert report.version == version


@pytest.mark.parametrize("who", ["other_clerk", "reviewer", "leader"])
def test_only_the_departments_clerk_withdraws(unit, who):
    report = _submitted(unit)
    with pytest.raises(PermissionDenied):
        workflow.perform(ReportAction.WITHDRAW, report=report, user=unit[who])
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_withdraw_on_a_stale_page_is_refused(unit):
    report = _submitted(unit)
    with pytest.raises(StaleReport):
        workflow.perform(ReportAction.WITHDRAW, report=report, user=unit["clerk"], version=report.version - 1)


# --- what each user may do now ---------------------------------------------------------


def test_available_actions_follow_the_table(unit):
    """The buttons a page shows are exactly the table's rows for this state and user."""
    clerk, reviewer, leader = unit["clerk"], unit["reviewer"], unit["leader"]

    def names(report, user):
        return [a.name for a in workflow.available_actions(report, user)]

    report = _report(unit)
    assert names(report, clerk) == [ReportAction.SAVE]
    report = _filled(unit)
    assert names(report, clerk) == [ReportAction.SAVE, ReportAction.SUBMIT]
    assert names(report, reviewer) == [] and names(report, leader) == []
    workflow.perform(ReportAction.SUBMIT, report=report, user=clerk)
    assert names(report, clerk) == [ReportAction.WITHDRAW]
    assert names(report, reviewer) == [ReportAction.RETURN, ReportAction.APPROVE]
    assert names(report, unit["other_clerk"]) == [] and names(report, leader) == []
    workflow.perform(ReportAction.APPROVE, report=report, user=reviewer)
    assert names(report, clerk) == [] and names(report, reviewer) == [ReportAction.REOPEN]


def test_every_action_of_the_table_is_refused_in_every_other_state(unit):
    """perform() follows the table for every (action, state) pair: nothing is written where the table says no."""
    admin = unit["admin"]  # may take every page action, so only the state decides
    for action, spec in ACTIONS.items():
        for state in ReportState.values:
            if state in spec.from_states:
                continue
            report = MonthlyReport.objects.create(department=unit["department"], form=unit["form"], month=MONTH)
            with allow_state_changes():
                MonthlyReport.objects.filter(pk=report.pk).update(state=state)
            report.refresh_from_db()
            with pytest.raises(TransitionError):
                workflow.perform(action, report=report, user=admin, reason="原因", values={})
            report.refresh_from_db()
            assert (report.state, report.version) == (state, 0), (action, state)
            assert not ReportEvent.objects.filter(report=report).exists()
            report.delete()


# --- submitting with blanks ------------------------------------------------------------


def test_a_submission_with_blanks_must_confirm_them(unit):
    clerk = unit["clerk"]
    report = _filled(unit, values={"t.received": D(12), "t.concluded": D(10)})
    with pytest.raises(BlanksNotConfirmed) as refused:
        workflow.perform(ReportAction.SUBMIT, report=report, user=clerk)
    assert [i.code for i in refused.value.blanks] == ["t.money", "t.rate"]
    assert "到位金额" in refused.value.message and "不会按 0 统计" in refused.value.message
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT

    # Confirming only part of them is not enough.
    with pytest.raises(BlanksNotConfirmed):
        workflow.perform(ReportAction.SUBMIT, report=report, user=clerk, confirmed_blanks=["t.money"])
    workflow.perform(ReportAction.SUBMIT, report=report, user=clerk, confirmed_blanks=["t.money", "t.rate"])
    assert report.state == ReportState.SUBMITTED
    # The blanks stay missing, never 0.
    stored = dict(
        DataValue.objects.filter(department=unit["department"], month=MONTH).values_list("indicator__code", "value")
    )
    assert stored.get("t.money") is None and stored.get("t.rate") is None


# --- nothing else changes a state --------------------------------------------------------


def test_a_state_change_outside_the_workflow_is_refused(unit):
    report = _filled(unit)
    report.state = ReportState.APPROVED
    with pytest.raises(StateChangeOutsideWorkflow):
        report.save()
    with pytest.raises(StateChangeOutsideWorkflow):
        MonthlyReport.objects.filter(pk=report.pk).update(state=ReportState.APPROVED)
    with pytest.raises(StateChangeOutsideWorkflow):
        MonthlyReport.objects.create(
            department=unit["department"], form=unit["form"], month=datetime.date(2023, 1, 1), state="approved"
        )
    with pytest.raises(StateChangeOutsideWorkflow):
        MonthlyReport.objects.bulk_create(
            [
                MonthlyReport(
                    department=unit["department"], form=unit["form"], month=datetime.date(2023, 2, 1), state="submitted"
                )
            ]
        )
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    # Fields other than the state may still be written (the overdue mark, say).
    MonthlyReport.objects.filter(pk=report.pk).update(overdue_at=None)


def test_only_the_workflow_and_bulk_history_loaders_may_write_states():
    """A second place that changes report states fails here: allow_state_changes is used nowhere else."""
    root = Path(__file__).resolve().parents[3]
    allowed = {
        "reports/reporting/models.py",  # defines it
        "reports/reporting/workflow.py",  # the one writer
        "reports/demo.py",  # two years of demo history in bulk, like a fixture
        "benchmarks/bench.py",  # synthetic history in bulk
    }
    users = set()
    for path in [*root.glob("reports/**/*.py"), *root.glob("metrics/**/*.py"), *root.glob("zhengfa/**/*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(
            isinstance(n, ast.Name | ast.Attribute) and "allow_state_changes" in ast.unparse(n) for n in ast.walk(tree)
        ):
            users.add(path.relative_to(root).as_posix())
    assert users <= allowed, f"report states written outside the workflow in: {sorted(users - allowed)}"
