"""Historic data in the long CSV format (see csvfile.py): import, all or nothing, and export.

- `import_historic_csv(data=, user=)`: every row checked first; any bad row refuses the whole file
  (HistoricImportError lists them all); otherwise each department-month is recorded through the
  workflow's historic action: values approved by `user`, the report 已审核.
- `export_values(out, ...)`: the same format, round-tripping exactly.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from metrics import assignments, periods
from metrics.models import DataValue, Department, Indicator
from metrics.validation import check_rules, check_value, spec_for
from reports.imports import csvfile
from reports.imports.errors import ImportFileError
from reports.imports.services import ImportPermissionError, closed_reason
from reports.permissions import can_import_historic, users_who_may_import_historic
from reports.reporting import selectors, workflow
from reports.reporting.actions import ACTIONS
from reports.reporting.checks import note_problem
from reports.reporting.errors import ReportError
from reports.reporting.models import EDITABLE_STATES, MonthlyReport, ReportAction, ReportState


class HistoricImportError(ImportFileError):
    """Bad rows in a historic CSV: `problems` is [(line, reason)], every one of them."""

    def __init__(self, message, problems):
        super().__init__(message)
        self.problems = problems


@dataclass
class HistoricResult:
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    months: int = 0


def default_import_user():
    """The first user who may import historic data: historic imports are recorded under them."""
    return users_who_may_import_historic().order_by("pk").first()


def _csv_row_problems(rows, *, today):
    """[(line, reason)] for every row that cannot be imported, and the good rows keyed by (dept, code, month)."""
    departments = {d.code: d for d in Department.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    table = assignments.load()
    problems, good, first_line = [], {}, {}
    for row in rows:
        reasons = list(row.errors)
        department = departments.get(row.department)
        indicator = indicators.get(row.indicator)
        if row.department and department is None:
            reasons.append(_("未知单位代码「%(code)s」。") % {"code": row.department[:40]})
        if row.indicator and indicator is None:
            reasons.append(_("未知指标代码「%(code)s」。") % {"code": row.indicator[:80]})
        if indicator is not None and department is not None:
            # A ratio, an indicator the department does not report: assignments say why.
            if refused := table.refusal(department, indicator):
                reasons.append(refused)
            elif not row.errors:
                reasons += check_value(row.value, spec_for(indicator))
        if row.month is not None and (future := workflow.future_month_refusal(row.month, today=today)):
            reasons.append(future)
        if problem := note_problem(row.note):
            reasons.append(problem)
        key = (row.department, row.indicator, row.month)
        if not reasons and key in first_line:
            reasons.append(_("与第 %(line)d 行重复（同一单位、指标、月份）。") % {"line": first_line[key]})
        if reasons:
            problems.append((row.line, "".join(reasons)))
            continue
        first_line[key] = row.line
        good[key] = (row, department, indicator)
    return problems, good


def import_historic_csv(*, data, user, today=None, dry_run=False):
    """Import historic values (CSV bytes) approved by `user`, all or nothing; a HistoricResult.

    ImportFileError for an unreadable file; HistoricImportError listing every
    bad row (line, reason). Rows for months already submitted or approved
    must match what is stored (a reviewer reopens a month to correct it).
    """
    today = today or periods.today()
    if user is None or not can_import_historic(user):
        raise ImportPermissionError(str(ACTIONS[ReportAction.HISTORIC].forbidden))
    rows = csvfile.read_rows(data, max_bytes=settings.IMPORT_CSV_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS)
    problems, good = _csv_row_problems(rows, today=today)

    # One report per (department, form, month): each row goes to the form its department reports it through.
    table = assignments.load()
    groups = defaultdict(dict)
    for (_dept, code, month), (row, department, indicator) in good.items():
        groups[(department, table.form_through(department.pk, indicator.pk), month)][code] = row
    departments = {d for d, _f, _m in groups}
    months = {m for _d, _f, m in groups}
    stored = {
        (v.department_id, v.indicator.code, v.month): v
        for v in DataValue.objects.filter(department__in=departments, month__in=months).select_related("indicator")
    }
    states = {
        (r.department_id, r.form_id, r.month): r.state
        for r in MonthlyReport.objects.filter(department__in=departments, month__in=months)
    }
    rules = selectors.active_rules()
    result = HistoricResult(rows=len(rows))
    work = []
    for (department, form, month), by_code in sorted(
        groups.items(), key=lambda item: (item[0][2], item[0][0].code, item[0][1].order, item[0][1].code)
    ):
        state = states.get((department.pk, form.pk, month), ReportState.NOT_STARTED)
        differs = []
        for code, row in by_code.items():
            current = stored.get((department.pk, code, month))
            if current is None:
                result.created += 1
                differs.append(row)
            elif current.value != row.value or current.note != row.note:
                result.changed += 1
                differs.append(row)
            else:
                result.unchanged += 1
        if differs and state not in EDITABLE_STATES:
            reason = closed_reason(state, month, today)
            problems += [(row.line, reason) for row in differs]
            continue
        merged = {code: v.value for (d, code, m), v in stored.items() if d == department.pk and m == month}
        merged.update({code: row.value for code, row in by_code.items()})
        for violation in check_rules(merged, rules):
            lines = [by_code[c].line for c in violation.codes if c in by_code]
            if lines:
                problems.append(
                    (
                        min(lines),
                        _("%(message)s（涉及第 %(lines)s 行）")
                        % {
                            "message": violation.message,
                            "lines": "、".join(str(n) for n in sorted(lines)),
                        },
                    )
                )
        # A month under review with matching figures is left to its reviewer.
        if differs or state in EDITABLE_STATES:
            work.append((department, form, month, by_code))
    if problems:
        problems.sort()
        raise HistoricImportError(_("有 %(n)d 行数据有问题，整个文件未导入：") % {"n": len(problems)}, problems)
    if not dry_run:
        _write_historic(work, user=user, today=today)
    result.months = len(work)
    return result


@transaction.atomic
def _write_historic(work, *, user, today):
    comment = _("历史数据导入")
    for department, form, month, by_code in work:
        report = workflow.get_or_create_report(department=department, form=form, month=month, today=today)
        try:
            workflow.perform(
                ReportAction.HISTORIC,
                report=report,
                user=user,
                values={code: row.value for code, row in by_code.items()},
                notes={code: row.note for code, row in by_code.items()},
                comment=comment,
                today=today,
            )
        except ReportError as error:
            raise ImportFileError(error.message) from error


def export_rows(*, department=None, first=None, last=None, approved_only=False):
    """(department code, indicator code, month, value, note) of every stored value, in a stable order."""
    values = DataValue.objects.all()
    if department is not None:
        values = values.filter(department=department)
    if first is not None:
        values = values.filter(month__gte=first)
    if last is not None:
        values = values.filter(month__lte=last)
    if approved_only:
        values = values.approved()
    return values.order_by("month", "department__code", "indicator__code").values_list(
        "department__code", "indicator__code", "month", "value", "note"
    )


def export_values(out, **filters):
    """Write the long CSV format to the text stream `out`; returns the number of rows."""
    rows = list(export_rows(**filters).iterator(chunk_size=2000))
    csvfile.write_rows(rows, out)
    return len(rows)
