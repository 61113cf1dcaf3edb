"""What a report may hold: the checks the workflow makes before it writes figures or takes a submission.

Every refusal is an InvalidValues (or BlanksNotConfirmed) with a Chinese message,
raised before anything is written. The entry form and the historic CSV ask
`note_problem` too, so a note is judged the same on every path.
"""

from django.utils.translation import gettext as _

from metrics import assignments
from metrics.models import Indicator
from metrics.validation import check_value, spec_for, text_problem, validate
from reports.reporting import selectors
from reports.reporting.errors import BlanksNotConfirmed, InvalidValues

MAX_NOTE = 500
MAX_REASON = 500
# How many blank indicators a refusal names (the page lists them all), and how many unknown codes.
BLANKS_NAMED = 5
MAX_UNKNOWN_NAMED = 5


def note_problem(note):
    """Why a note cannot be kept (too long, control characters), as a sentence, or ''."""
    problem = text_problem(note, limit=MAX_NOTE)
    return _("备注%(problem)s") % {"problem": problem} if problem else ""


def check_reason(reason):
    """Refuse a reason (for a return or a reopening) that cannot be kept."""
    if problem := text_problem(reason, limit=MAX_REASON):
        raise InvalidValues(_("原因%(problem)s") % {"problem": problem})


def check_figures(report, indicators, *, values, notes):
    """Refuse `values` and `notes` unless every one passes its per-field check; `indicators` are the report's.

    Only indicators the department reports through the report's form are
    accepted; per-field problems (negative, fractions of a count, too many
    decimals, a rate over 100, a bad note) refuse the whole write. Cross-field
    rules only block a submission.
    """
    indicators = {i.code: i for i in indicators}
    unknown = sorted((set(values) | set(notes)) - set(indicators))
    if unknown:
        # Name the forms that hold a known indicator, so the clerk knows who reports it, and where.
        known = {i.code: i for i in Indicator.objects.filter(code__in=unknown[:MAX_UNKNOWN_NAMED])}
        table = assignments.load() if known else None
        reasons = [
            table.refusal(report.department, known[code])
            or _("指标「%(name)s」不在报表「%(form)s」中，请在本单位的其他报表中填报。")
            % {"name": known[code].name, "form": report.form.name}
            for code in unknown
            if code in known
        ]
        raise InvalidValues(
            "".join(reasons)
            or _("以下指标不属于%(department)s，不能填报：%(codes)s。")
            % {"department": report.department.name, "codes": "、".join(c[:80] for c in unknown[:MAX_UNKNOWN_NAMED])}
        )
    errors = {}
    for code, value in values.items():
        if problems := check_value(value, spec_for(indicators[code])):
            errors[code] = problems
    for code, note in notes.items():
        if problem := note_problem(note or ""):
            errors.setdefault(code, []).append(problem)
    if errors:
        first = next(iter(errors))
        raise InvalidValues(
            _("有 %(n)d 项数据不符合要求，未保存。第一项：%(name)s：%(msg)s")
            % {"n": len(errors), "name": indicators[first].name, "msg": errors[first][0]},
            errors=errors,
        )


def check_submission(report, indicators, confirmed_blanks):
    """A submission needs figures, passing checks, and every blank confirmed as unavailable."""
    values = selectors.stored_values(report.department, report.month, indicators)
    if not any(values.get(i.code) is not None for i in indicators):
        raise InvalidValues(_("本月报没有填写任何数据，不能上报。"))
    check = validate(values, selectors.specs_for(indicators), selectors.active_rules())
    if not check.ok:
        names = {i.code: i.name for i in indicators}
        raise InvalidValues(
            _("不能上报：%(problems)s") % {"problems": "；".join(check.messages(names))},
            errors=check.errors,
            violations=check.violations,
        )
    blanks = [i for i in indicators if values.get(i.code) is None]
    unconfirmed = [i for i in blanks if i.code not in set(confirmed_blanks or ())]
    if unconfirmed:
        names = "、".join(i.name for i in blanks[:BLANKS_NAMED])
        if len(blanks) > BLANKS_NAMED:
            names += _("等")
        raise BlanksNotConfirmed(
            _("还有 %(n)d 项未填（%(names)s）。如确实无法提供，请确认后再上报（空白表示缺报，不会按 0 统计）。")
            % {"n": len(blanks), "names": names},
            blanks=blanks,
        )


def blank_indicators(report):
    """The indicators of the report still empty in its month (what a submission must confirm)."""
    indicators = selectors.report_indicators(report.department, report.form)
    values = selectors.stored_values(report.department, report.month, indicators)
    return [i for i in indicators if values.get(i.code) is None]
