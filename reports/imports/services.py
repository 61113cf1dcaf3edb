"""Imports: the entry workbook's preview and commit, and the historic CSV import and export.

Entry workbook (a department's year, indicators × months):
- `template_for(department=, year=)`: the workbook as bytes, pre-filled with the stored figures.
- `upload_workbook(user=, filename=, data=)`: read and plan; stores an ImportBatch; nothing else written.
- `plan_batch(batch=, user=)`: what committing would do now (new, changed, unchanged, refused per cell).
- `commit_batch(batch=, user=, fingerprint=)`: write the plan the user saw, all or nothing.

Historic data (the long CSV format, see csvfile.py):
- `import_historic_csv(data=, user=)`: every row checked first; any bad row refuses the whole file
  (HistoricImportError lists them all); otherwise the values are written approved by `user` and
  the months' reports marked 已审核.
- `export_values(out, ...)`: the same format, round-tripping exactly.

Figures pass the entry form's validation (metrics.validation): parse_number for
what was typed, check_value per figure, the administrator's cross-field rules.
Months already submitted (已上报) or approved (已审核) are refused by the
workbook import until a reviewer returns or reopens them, as on the form.
Writes are plain ORM writes that keep a history record per value (who, when,
old, new) and a ReportEvent per month, like reports.services.
"""

import datetime
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.formatting import plain
from metrics.models import DataValue, Department, Indicator, Kind
from metrics.periods import first_of_month
from metrics.services import write_values
from metrics.validation import check_rules, check_value, spec_for
from reports.imports import csvfile, workbook
from reports.imports.errors import ImportFileError
from reports.imports.models import ImportBatch
from reports.permissions import can_edit_department, can_review
from reports.reporting import selectors
from reports.reporting.models import (
    EDITABLE_STATES,
    MonthlyReport,
    ReportAction,
    ReportEvent,
    ReportState,
)
from reports.reporting.workflow import STATUS_FOR_STATE

NEW, CHANGED, UNCHANGED, REFUSED = "new", "changed", "unchanged", "refused"
STATUS_LABELS = {NEW: _("新增"), CHANGED: _("修改"), UNCHANGED: _("不变"), REFUSED: _("拒绝")}
MAX_NOTE = 500


class ImportPermissionError(ImportFileError):
    """The user may not import this department's figures."""


class StaleImport(ImportFileError):
    """The stored figures changed between preview and commit."""


class HistoricImportError(ImportFileError):
    """Bad rows in a historic CSV: `problems` is [(line, reason)], every one of them."""

    def __init__(self, message, problems):
        super().__init__(message)
        self.problems = problems


def can_import(user, department):
    """Clerks import their own department's workbook; reviewers and administrators any department's."""
    return can_review(user) or can_edit_department(user, department.pk)


def months_of(year):
    return [datetime.date(year, m, 1) for m in workbook.MONTHS]


def _closed_reason(state, month, today):
    """Why a month's figures cannot be changed by an import, or '' when they can."""
    if month > first_of_month(today):
        return _("%(month)s 尚未到来，不能填报。") % {"month": f"{month:%Y年%m月}"}
    if state == ReportState.APPROVED:
        return _("%(month)s 月报已审核锁定，不能修改；如需更正，请联系审核员重新打开。") % {
            "month": f"{month:%Y年%m月}"
        }
    if state not in EDITABLE_STATES:
        return _("%(month)s 月报已上报，正在审核中，不能修改；如需更正，请联系审核员退回。") % {
            "month": f"{month:%Y年%m月}"
        }
    return ""


def _stored(department, months):
    values = DataValue.objects.filter(department=department, month__in=months).select_related("indicator")
    return {(v.indicator.code, v.month): v for v in values}


def _states(department, months):
    reports = MonthlyReport.objects.filter(department=department, month__in=months)
    states = {r.month: r.state for r in reports}
    return {m: states.get(m, ReportState.NOT_STARTED) for m in months}


# --- the entry workbook -------------------------------------------------------------


def template_for(*, department, year, today=None):
    """The entry workbook for the department's year, pre-filled with its stored figures (bytes)."""
    today = today or timezone.localdate()
    months = months_of(year)
    indicators = selectors.department_indicators(department)
    stored = _stored(department, months)
    states = _states(department, months)
    rows = [
        workbook.TemplateRow(
            code=i.code,
            name=i.name,
            unit=i.unit,
            is_count=spec_for(i).is_count,
            is_percentage=spec_for(i).is_percentage,
        )
        for i in indicators
    ]
    values = {(code, month.month): v.value for (code, month), v in stored.items()}
    labels = {m.month: (_("未到") if m > first_of_month(today) else ReportState(states[m]).label) for m in months}
    closed = {m.month for m in months if _closed_reason(states[m], m, today)}
    return workbook.build_template(
        department_code=department.code,
        department_name=department.name,
        year=year,
        rows=rows,
        values=values,
        month_states=labels,
        closed_months=closed,
    )


def template_filename(department, year):
    return f"{department.name}-{year}年-月度数据填报表.xlsx"


@dataclass
class CellChange:
    """One cell of the preview: what is stored, what the file says, and what committing would do."""

    coordinate: str
    code: str
    name: str
    unit: str
    month: datetime.date
    old: object
    new: object
    status: str
    reason: str = ""

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def old_text(self):
        return plain(self.old)

    @property
    def new_text(self):
        """The new figure as a clerk writes it; for a refused cell, what the file held."""
        if self.new is None:
            return ""
        return self.new if isinstance(self.new, str) else plain(self.new)


@dataclass
class ImportPlan:
    """The preview of one workbook: every cell that has or gets a figure, problems and rule warnings."""

    department: Department
    year: int
    changes: list = field(default_factory=list)
    row_problems: list = field(default_factory=list)  # [(row number, reason)]
    warnings: dict = field(default_factory=dict)  # {month: [rule violation message]}

    @property
    def counts(self):
        counted = Counter(c.status for c in self.changes)
        return {status: counted.get(status, 0) for status in (NEW, CHANGED, UNCHANGED, REFUSED)}

    @property
    def refused(self):
        return [c for c in self.changes if c.status == REFUSED]

    @property
    def refused_total(self):
        return len(self.refused) + len(self.row_problems)

    @property
    def ok(self):
        return not self.row_problems and not self.refused

    @property
    def writes(self):
        return [c for c in self.changes if c.status in (NEW, CHANGED)]

    @property
    def shown(self):
        """The cells that matter, refused first, then changed and new (by month and cell)."""
        order = {REFUSED: 0, CHANGED: 1, NEW: 2}
        cells = [c for c in self.changes if c.status in order]
        return sorted(cells, key=lambda c: (order[c.status], c.month, c.coordinate))

    @property
    def unchanged(self):
        return [c for c in self.changes if c.status == UNCHANGED]

    def by_month(self):
        """{month: {code: new value}} of the cells to write."""
        months = defaultdict(dict)
        for change in self.writes:
            months[change.month][change.code] = change.new
        return dict(sorted(months.items()))

    @property
    def fingerprint(self):
        """A digest of everything the preview shows; commit refuses when it differs."""
        payload = [[c.code, c.month.isoformat(), c.status, c.old_text, c.new_text, c.reason] for c in self.changes] + [
            [n, r] for n, r in self.row_problems
        ]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def _refuse_row(plan, row, reason):
    plan.row_problems.append((row.number, reason))


def plan_workbook(*, sheet, user, today=None):
    """Compare a read workbook with what is stored; an ImportPlan. Writes nothing.

    ImportFileError when the file's department is unknown or not the user's.
    """
    today = today or timezone.localdate()
    department = Department.objects.filter(code=sheet.department_code).first()
    if department is None:
        raise ImportFileError(
            _("文件中的单位代码「%(code)s」不存在。请使用本系统下载的填报模板。") % {"code": sheet.department_code}
        )
    if not can_import(user, department):
        raise ImportPermissionError(
            _("这是%(department)s的填报表；您只能导入本单位的数据。") % {"department": department.name}
        )
    months = months_of(sheet.year)
    indicators = {i.code: i for i in selectors.department_indicators(department)}
    others = dict(
        Indicator.objects.filter(code__in={r.code for r in sheet.rows} - set(indicators)).values_list(
            "code", "department__name"
        )
    )
    stored = _stored(department, months)
    states = _states(department, months)
    plan = ImportPlan(department=department, year=sheet.year)
    seen = {}
    for row in sheet.rows:
        indicator = indicators.get(row.code)
        if not row.code:
            _refuse_row(plan, row, _("第 %(row)d 行没有指标代码。") % {"row": row.number})
            continue
        if indicator is None:
            if row.code in others:
                reason = _("指标「%(code)s」不由%(department)s填报（责任单位：%(owner)s）。") % {
                    "code": row.code,
                    "department": department.name,
                    "owner": others[row.code] or _("计算得出"),
                }
            else:
                reason = _("未知指标代码「%(code)s」。") % {"code": row.code}
            _refuse_row(plan, row, _("第 %(row)d 行：%(reason)s") % {"row": row.number, "reason": reason})
            continue
        if row.code in seen:
            _refuse_row(
                plan,
                row,
                _("第 %(row)d 行：指标「%(name)s」与第 %(first)d 行重复。")
                % {"row": row.number, "name": indicator.name, "first": seen[row.code]},
            )
            continue
        seen[row.code] = row.number
        spec = spec_for(indicator)
        for cell in row.cells:
            month = months[cell.month - 1]
            current = stored.get((row.code, month))
            old = current.value if current else None
            change = CellChange(
                coordinate=cell.coordinate,
                code=row.code,
                name=indicator.name,
                unit=indicator.unit,
                month=month,
                old=old,
                new=cell.value,
                status=UNCHANGED,
            )
            if cell.error:
                change.status, change.reason, change.new = REFUSED, cell.error, cell.raw
            elif problems := check_value(cell.value, spec):
                change.status, change.reason = REFUSED, "".join(problems)
            elif cell.value == old:
                if current is None:
                    continue  # empty in the file and nothing stored: nothing to show
            elif closed := _closed_reason(states[month], month, today):
                change.status, change.reason = REFUSED, closed
            else:
                change.status = NEW if old is None else CHANGED
                if cell.value is None:
                    change.reason = _("清空（缺报，不是 0）")
            plan.changes.append(change)
    _rule_warnings(plan, stored)
    return plan


def _rule_warnings(plan, stored):
    """Cross-field rules on each changed month as it would be stored: warnings, as on the form."""
    rules = selectors.active_rules()
    if not rules:
        return
    for month, values in plan.by_month().items():
        merged = {code: v.value for (code, m), v in stored.items() if m == month}
        merged.update(values)
        violations = check_rules(merged, rules)
        if violations:
            plan.warnings[month] = [v.message for v in violations]


def _limits():
    return {"max_bytes": settings.IMPORT_MAX_BYTES, "max_rows": settings.IMPORT_XLSX_MAX_ROWS}


def read_batch(batch):
    return workbook.read_template(bytes(batch.content), **_limits())


@transaction.atomic
def upload_workbook(*, user, filename, data, today=None):
    """Read an uploaded workbook and keep it for preview; (batch, plan). ImportFileError: nothing kept."""
    sheet = workbook.read_template(data, **_limits())
    plan = plan_workbook(sheet=sheet, user=user, today=today)
    batch = ImportBatch.objects.create(
        user=user,
        department=plan.department,
        year=sheet.year,
        filename=(filename or "upload.xlsx")[:200],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        fingerprint=plan.fingerprint,
        counts=plan.counts,
    )
    return batch, plan


def plan_batch(*, batch, user, today=None):
    """What committing the batch would do now (the stored figures may have moved since the upload)."""
    return plan_workbook(sheet=read_batch(batch), user=user, today=today)


@transaction.atomic
def commit_batch(*, batch, user, fingerprint, today=None):
    """Write the previewed changes, all or nothing; returns the plan written.

    Refuses (ImportFileError, nothing written) when the batch was committed
    already, when any cell or row is refused, or when the figures changed
    since the preview the user confirmed (`fingerprint`).
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.is_committed:
        raise ImportFileError(
            _("这个文件已于 %(at)s 写入，不能重复写入。")
            % {"at": f"{timezone.localtime(batch.committed_at):%Y-%m-%d %H:%M}"}
        )
    # Lock the department's reports of the year before comparing, so nobody changes them in between.
    list(MonthlyReport.objects.select_for_update().filter(department=batch.department, month__year=batch.year))
    plan = plan_batch(batch=batch, user=user, today=today)
    if plan.fingerprint != fingerprint:
        raise StaleImport(_("自预览以来，数据已有变化。请查看下面最新的预览，确认后再写入。"))
    if not plan.ok:
        raise ImportFileError(
            _("有 %(n)d 处被拒绝，整个文件未写入。请改正后重新上传。")
            % {"n": len(plan.refused) + len(plan.row_problems)}
        )
    comment = _("Excel 导入：%(file)s") % {"file": batch.filename}
    for month, values in plan.by_month().items():
        _write_month(
            department=plan.department, month=month, user=user, values=values, notes={}, comment=comment, approve=False
        )
    batch.committed_at = timezone.now()
    batch.counts = plan.counts
    batch.save(update_fields=["committed_at", "counts"])
    return plan


def _write_month(*, department, month, user, values, notes, comment, approve):
    """Store one department-month's figures (only the codes given) and move its report; returns codes changed.

    approve=False: the report must be editable; 未填报 becomes 草稿 (as a save on the form).
    approve=True (historic data): the report becomes 已审核 by `user`, values approved.
    """
    report, _created = MonthlyReport.objects.get_or_create(department=department, month=month)
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if not approve and report.state not in EDITABLE_STATES:
        raise ImportFileError(_closed_reason(report.state, month, timezone.localdate()))
    if approve:
        to_state = ReportState.APPROVED
    elif report.state == ReportState.NOT_STARTED:
        to_state = ReportState.DRAFT
    else:
        to_state = report.state
    status = STATUS_FOR_STATE[to_state]
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=set(values) | set(notes))}
    now = timezone.now()
    changed = write_values(
        department=department,
        month=month,
        indicators=indicators,
        values=values,
        notes=notes,
        status=status,
        user=user,
        comment=comment,
        store_missing=True,
    )
    if not changed and report.state == to_state:
        return changed
    from_state = report.state
    report.state = to_state
    report.version += 1
    if approve and from_state != ReportState.APPROVED:
        # Historic months count as reported on time: when exactly is not known, the deadline is the best guess.
        on_time = timezone.make_aware(datetime.datetime.combine(MonthlyReport.deadline_of(month), datetime.time(9)))
        report.first_submitted_at = report.first_submitted_at or on_time
        report.submitted_at = report.submitted_at or on_time
        report.submitted_by = report.submitted_by or user
        report.approved_at, report.approved_by = now, user
        report.return_reason = ""
    report.save()
    ReportEvent.objects.create(
        report=report,
        action=ReportAction.APPROVE if approve else ReportAction.SAVE,
        from_state=from_state,
        to_state=to_state,
        user=user,
        at=now,
        comment=f"{comment}（{_('修改 %(n)d 项数据') % {'n': len(changed)}}）",
        version=report.version,
    )
    # Values of the month not in this import follow the report's state too (as reports.reporting.workflow does).
    DataValue.objects.filter(department=department, month=month).exclude(status=status).update(status=status)
    return changed


# --- historic CSV ----------------------------------------------------------------------


@dataclass
class HistoricResult:
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    months: int = 0


def default_import_user():
    """The first administrator (role 管理员, or a superuser), who historic imports are recorded under."""
    from reports.models import Role, User

    return (
        User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk").first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    )


def _csv_row_problems(rows, *, today):
    """[(line, reason)] for every row that cannot be imported, and the good rows keyed by (dept, code, month)."""
    departments = {d.code: d for d in Department.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.select_related("department")}
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
            if indicator.kind == Kind.RATIO:
                reasons.append(_("「%(name)s」是计算比率，由分子和分母计算得出，不能导入。") % {"name": indicator.name})
            elif indicator.department_id != department.pk:
                reasons.append(
                    _("指标「%(name)s」不由%(department)s填报（责任单位：%(owner)s）。")
                    % {"name": indicator.name, "department": department.name, "owner": indicator.department}
                )
            elif not row.errors:
                reasons += check_value(row.value, spec_for(indicator))
        if row.month is not None and row.month > first_of_month(today):
            reasons.append(_("%(month)s 尚未到来，不能导入。") % {"month": f"{row.month:%Y-%m}"})
        if len(row.note) > MAX_NOTE:
            reasons.append(_("备注不能超过 %(n)d 字。") % {"n": MAX_NOTE})
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
    today = today or timezone.localdate()
    if user is None or not user.is_administrator:
        raise ImportPermissionError(_("历史数据只能由管理员导入。"))
    rows = csvfile.read_rows(data, max_bytes=settings.IMPORT_CSV_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS)
    problems, good = _csv_row_problems(rows, today=today)

    groups = defaultdict(dict)
    for (_dept, code, month), (row, department, _indicator) in good.items():
        groups[(department, month)][code] = row
    departments = {d for d, _m in groups}
    months = {m for _d, m in groups}
    stored = {
        (v.department_id, v.indicator.code, v.month): v
        for v in DataValue.objects.filter(department__in=departments, month__in=months).select_related("indicator")
    }
    states = {
        (r.department_id, r.month): r.state
        for r in MonthlyReport.objects.filter(department__in=departments, month__in=months)
    }
    rules = selectors.active_rules()
    result = HistoricResult(rows=len(rows))
    work = []
    for (department, month), by_code in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0].code)):
        state = states.get((department.pk, month), ReportState.NOT_STARTED)
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
            reason = _closed_reason(state, month, today)
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
            work.append((department, month, by_code))
    if problems:
        problems.sort()
        raise HistoricImportError(_("有 %(n)d 行数据有问题，整个文件未导入：") % {"n": len(problems)}, problems)
    if not dry_run:
        _write_historic(work, user=user)
    result.months = len(work)
    return result


@transaction.atomic
def _write_historic(work, *, user):
    comment = _("历史数据导入")
    for department, month, by_code in work:
        _write_month(
            department=department,
            month=month,
            user=user,
            values={code: row.value for code, row in by_code.items()},
            notes={code: row.note for code, row in by_code.items()},
            comment=comment,
            approve=True,
        )


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
