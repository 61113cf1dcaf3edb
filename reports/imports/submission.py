"""After 确认写入: the months a batch wrote, and 上报 of them, each month its own workflow action.

The batch records the months it wrote (`ImportBatch.counts["months"]`, set by services.commit_batch);
what the user may do with each month now is the workflow's answer (`available_actions`), and each
submission is `workflow.perform(SUBMIT)`, with its own lock, checks and event, as on the entry form.
"""

import datetime
from dataclasses import dataclass

from reports.reporting import checks, workflow
from reports.reporting.errors import ReportError
from reports.reporting.models import MonthlyReport, ReportAction


def imported_months(batch):
    """The months a committed batch wrote (first days), oldest first; none before the commit."""
    return [datetime.date.fromisoformat(text) for text in batch.counts.get("months", [])] if batch.is_committed else []


@dataclass
class ImportedReport:
    """A month the batch wrote, as it stands now: its report, whether the user may submit it, its blanks."""

    report: MonthlyReport
    can_submit: bool
    blanks: list


def imported_reports(*, batch, form, user):
    """The reports of the months the batch wrote, with what the user may do with each now (the workflow says)."""
    months = imported_months(batch)
    reports = MonthlyReport.objects.filter(department=batch.department, form=form, month__in=months).select_related(
        "department", "form"
    )
    result = []
    for report in sorted(reports, key=lambda r: r.month):
        can_submit = any(a.name == ReportAction.SUBMIT for a in workflow.available_actions(report, user))
        result.append(ImportedReport(report, can_submit, checks.blank_indicators(report) if can_submit else []))
    return result


def submit_imported(*, batch, form, user, versions, confirm_blanks=False):
    """Submit months the batch wrote, each its own workflow action (SUBMIT) and event; one failing stops none.

    `versions` maps each month to submit to the report version the user saw. With `confirm_blanks`
    the user has confirmed every empty box of those months as unavailable (they stay missing, never 0).
    Returns [(report, error message or "")].
    """
    wanted = set(imported_months(batch)) & set(versions)
    outcomes = []
    for item in imported_reports(batch=batch, form=form, user=user):
        report = item.report
        if report.month not in wanted:
            continue
        blanks = [i.code for i in checks.blank_indicators(report)] if confirm_blanks else []
        try:
            workflow.perform(
                ReportAction.SUBMIT,
                report=report,
                user=user,
                version=versions[report.month],
                confirmed_blanks=blanks,
            )
        except ReportError as error:
            outcomes.append((report, error.message))
        else:
            outcomes.append((report, ""))
    return outcomes
