"""The entry workbook (a department's year, indicators × months): download, preview, commit.

- `template_for(department=, form=, year=)`: the workbook of one form as bytes, pre-filled with the stored figures.
- `upload_workbook(user=, filename=, data=)`: read and plan; stores an ImportBatch; nothing else written.
- `plan_batch(batch=, user=)`: what committing would do now (new, changed, unchanged, refused per cell).
- `commit_batch(batch=, user=, fingerprint=)`: write the plan the user saw, all or nothing.
- `sweep_uncommitted_uploads()`: uploads never committed are deleted after a day (Celery beat).

Notes travel in the workbook's 备注 sheet (reports.imports.notes_sheet): a cell whose note changes is
a change like a figure's, and each note passes the entry form's check (reporting.checks.note_problem).
Figures pass the entry form's validation (metrics.validation): parse_number for
what was typed, check_value per figure, the administrator's cross-field rules.
Months already submitted (已上报) or approved (已审核) are refused until a
reviewer returns or reopens them, as on the form: the workflow's own
`refusal` marks each month, and the commit saves each month through
`workflow.perform`, so a history record per value and a ReportEvent per
month are kept exactly as on the form.
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

from metrics import assignments, periods
from metrics.formatting import echo, plain
from metrics.forms import Form
from metrics.models import DataValue, Department, Indicator
from metrics.periods import first_of_month
from metrics.validation import check_rules, check_value, spec_for
from reports.imports import workbook
from reports.imports.errors import ImportFileError
from reports.imports.models import ImportBatch
from reports.permissions import can_import_department
from reports.reporting import checks, selectors, workflow
from reports.reporting.errors import ReportError
from reports.reporting.models import MonthlyReport, ReportAction, ReportState

NEW, CHANGED, UNCHANGED, REFUSED = "new", "changed", "unchanged", "refused"
STATUS_LABELS = {NEW: _("新增"), CHANGED: _("修改"), UNCHANGED: _("不变"), REFUSED: _("拒绝")}


class ImportPermissionError(ImportFileError):
    """The user may not import this department's figures."""


class StaleImport(ImportFileError):
    """The stored figures changed between preview and commit."""


def months_of(year):
    return [datetime.date(year, m, 1) for m in workbook.MONTHS]


def closed_reason(state, month, today):
    """Why a month's figures cannot be changed by an import, or '' when they can (the workflow decides)."""
    if future := workflow.future_month_refusal(month, today=today):
        return future
    if reason := workflow.refusal(ReportAction.IMPORT, state=state):
        return f"{month:%Y年%m月}：{reason}"
    return ""


def _stored(department, months, indicators):
    values = DataValue.objects.filter(department=department, month__in=months, indicator__in=indicators).select_related(
        "indicator"
    )
    return {(v.indicator.code, v.month): v for v in values}


def _states(department, form, months):
    reports = MonthlyReport.objects.filter(department=department, form=form, month__in=months)
    states = {r.month: r.state for r in reports}
    return {m: states.get(m, ReportState.NOT_STARTED) for m in months}


# --- the entry workbook -------------------------------------------------------------


def template_for(*, department, form, year, today=None):
    """The entry workbook of a form for the department's year, pre-filled with its stored figures (bytes)."""
    today = today or periods.today()
    months = months_of(year)
    indicators = selectors.report_indicators(department, form)
    stored = _stored(department, months, indicators)
    states = _states(department, form, months)
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
    notes = {(code, month.month): v.note for (code, month), v in stored.items() if v.note}
    labels = {m.month: (_("未到") if m > first_of_month(today) else ReportState(states[m]).label) for m in months}
    closed = {m.month for m in months if closed_reason(states[m], m, today)}
    return workbook.build_template(
        department_code=department.code,
        department_name=department.name,
        form_code=form.code,
        form_name=form.name,
        year=year,
        rows=rows,
        values=values,
        month_states=labels,
        closed_months=closed,
        notes=notes,
    )


def template_filename(department, form, year):
    return f"{department.name}-{form.name}-{year}年-填报表.xlsx"


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
    old_note: str = ""
    new_note: str = ""

    @property
    def note_changed(self):
        return self.old_note != self.new_note

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
    form: Form
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
        """The cells that matter, refused first, then changed and new (by month, then row: D5 before D10)."""
        order = {REFUSED: 0, CHANGED: 1, NEW: 2}
        cells = [c for c in self.changes if c.status in order]
        return sorted(cells, key=lambda c: (order[c.status], c.month, cell_order(c.coordinate)))

    @property
    def unchanged(self):
        return sorted(
            (c for c in self.changes if c.status == UNCHANGED), key=lambda c: (c.month, cell_order(c.coordinate))
        )

    def by_month(self):
        """{month: {code: new value}} of the cells to write."""
        months = defaultdict(dict)
        for change in self.writes:
            months[change.month][change.code] = change.new
        return dict(sorted(months.items()))

    def notes_by_month(self):
        """{month: {code: new note}} of the cells to write whose note changes."""
        months = defaultdict(dict)
        for change in self.writes:
            if change.note_changed:
                months[change.month][change.code] = change.new_note
        return dict(months)

    @property
    def fingerprint(self):
        """A digest of everything the preview shows; commit refuses when it differs."""
        payload = [
            [c.code, c.month.isoformat(), c.status, c.old_text, c.new_text, c.reason, c.old_note, c.new_note]
            for c in self.changes
        ] + [[n, r] for n, r in self.row_problems]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def cell_order(coordinate):
    """A cell's place in reading order: column letters, then the row as a number (D5 before D10)."""
    letters = coordinate.rstrip("0123456789")
    digits = coordinate[len(letters) :]
    return (len(letters), letters, int(digits) if digits else 0)


def _refuse_row(plan, row, reason):
    plan.row_problems.append((row.number, reason))


def _form_of(sheet, department):
    """The form a workbook is for: its 报表代码, or the department's only form in a workbook made before forms."""
    forms = assignments.forms_for(department)
    if not sheet.form_code:
        if len(forms) == 1:
            return forms[0]
        raise ImportFileError(_("文件中没有报表代码。请重新下载本系统的填报模板。"))
    form = next((f for f in forms if f.code == sheet.form_code), None)
    if form is None:
        raise ImportFileError(
            _("%(department)s不填报代码为「%(code)s」的报表。请使用本系统下载的填报模板。")
            % {"department": department.name, "code": echo(sheet.form_code, 50)}
        )
    return form


def plan_workbook(*, sheet, user, today=None):
    """Compare a read workbook with what is stored; an ImportPlan. Writes nothing.

    ImportFileError when the file's department is unknown or not the user's.
    """
    today = today or periods.today()
    department = Department.objects.filter(code=sheet.department_code).first()
    if department is None:
        raise ImportFileError(
            _("文件中的单位代码「%(code)s」不存在。请使用本系统下载的填报模板。") % {"code": sheet.department_code}
        )
    if not can_import_department(user, department.pk):
        raise ImportPermissionError(
            _("这是%(department)s的填报表；您只能导入本单位的数据。") % {"department": department.name}
        )
    months = months_of(sheet.year)
    form = _form_of(sheet, department)
    indicators = {i.code: i for i in selectors.report_indicators(department, form)}
    others = {i.code: i for i in Indicator.objects.filter(code__in={r.code for r in sheet.rows} - set(indicators))}
    table = assignments.load()
    stored = _stored(department, months, list(indicators.values()))
    states = _states(department, form, months)
    plan = ImportPlan(department=department, form=form, year=sheet.year)
    seen = {}
    for row in sheet.rows:
        indicator = indicators.get(row.code)
        if not row.code:
            _refuse_row(plan, row, _("第 %(row)d 行没有指标代码。") % {"row": row.number})
            continue
        if indicator is None:
            if row.code in others:
                reason = table.refusal(department, others[row.code])
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
            old, old_note = (current.value, current.note) if current else (None, "")
            note = sheet.notes.get((row.code, cell.month)) if sheet.notes is not None else None
            change = CellChange(
                coordinate=cell.coordinate,
                code=row.code,
                name=indicator.name,
                unit=indicator.unit,
                month=month,
                old=old,
                new=cell.value,
                status=UNCHANGED,
                old_note=old_note,
                # Without a 备注 sheet the notes stay as stored; with one, an empty cell removes the note.
                new_note=old_note if sheet.notes is None else (note.text if note else ""),
            )
            if cell.error:
                change.status, change.reason, change.new = REFUSED, cell.error, cell.raw
            elif problems := check_value(cell.value, spec):
                change.status, change.reason = REFUSED, "".join(problems)
            elif note and (problem := note.error or checks.note_problem(note.text)):
                change.status, change.reason = REFUSED, f"{note.coordinate}：{problem}"
            elif cell.value == old and not change.note_changed:
                if current is None:
                    continue  # empty in the file and nothing stored: nothing to show
            elif closed := closed_reason(states[month], month, today):
                change.status, change.reason = REFUSED, closed
            else:
                change.status = NEW if old is None and (cell.value is not None or current is None) else CHANGED
                if cell.value is None and old is not None:
                    change.reason = _("清空（缺报，不是 0）")
            plan.changes.append(change)
    for code, month in sorted(set(sheet.notes or {}) - {(code, month) for code in seen for month in workbook.MONTHS}):
        note = sheet.notes[(code, month)]
        plan.row_problems.append(
            (
                note.row,
                _("%(cell)s：备注所在行的指标代码「%(code)s」不在「数据填报」中。")
                % {"cell": note.coordinate, "code": echo(code, 50)},
            )
        )
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
    """Read an uploaded workbook and keep it for preview; (batch, plan). ImportFileError: nothing kept.

    A user keeps at most IMPORT_PENDING_PER_USER uploads not yet committed: the oldest go first.
    """
    sheet = workbook.read_template(data, **_limits())
    plan = plan_workbook(sheet=sheet, user=user, today=today)
    pending = ImportBatch.objects.filter(user=user, committed_at__isnull=True).order_by("-created_at", "-pk")
    stale = list(pending.values_list("pk", flat=True)[max(settings.IMPORT_PENDING_PER_USER, 1) - 1 :])
    ImportBatch.objects.filter(pk__in=stale).delete()
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
    notes = plan.notes_by_month()
    for month, values in plan.by_month().items():
        report = workflow.get_or_create_report(department=plan.department, form=plan.form, month=month, today=today)
        try:
            workflow.perform(
                ReportAction.IMPORT,
                report=report,
                user=user,
                values=values,
                notes=notes.get(month, {}),
                comment=comment,
                today=today,
            )
        except ReportError as error:
            raise ImportFileError(error.message) from error
    batch.committed_at = timezone.now()
    # The months written ride with the counts, so that the page can offer to submit exactly those.
    batch.counts = {**plan.counts, "months": [month.isoformat() for month in plan.by_month()]}
    batch.save(update_fields=["committed_at", "counts"])
    return plan


@transaction.atomic
def sweep_uncommitted_uploads(*, now=None):
    """Delete uploads never committed within IMPORT_PENDING_HOURS (their files with them); how many.

    Committed batches stay: they are the record of what was imported. Run periodically (Celery beat).
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.IMPORT_PENDING_HOURS)
    deleted, _by_model = ImportBatch.objects.filter(committed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted
